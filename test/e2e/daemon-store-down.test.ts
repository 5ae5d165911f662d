/**
 * The daemon with its PostgreSQL state store gone (server stopped under it): it keeps running and
 * logs one line per failed step that names the database (host and database from
 * SOCIALYNC_DATABASE_URL, the password masked) and `socialync db status`; once the server is back
 * it carries on and SIGTERM still exits 0. Built binary, real PostgreSQL. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { PG_PASSWORD } from '../helpers/postgres.js';
import { postgresForFile } from '../helpers/postgres-file.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';

const pg = postgresForFile();
let pp: PublishProfile | undefined;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x'] });
}, 120_000);
afterAll(async () => pp?.close());

describe('daemon: the state database out of reach', () => {
  it('logs which PostgreSQL database (password masked) and `socialync db status`, keeps running, and stops cleanly', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const url = await pg.server.createDatabase();
    expect(url).toContain(PG_PASSWORD);
    const copy = await runCli(['db', 'copy', '--to', url], cliEnv(pp!.env));
    expect(copy.code, copy.stderr).toBe(0);
    const daemon = startCli(['daemon', '--no-refresh'], cliEnv({ SOCIALYNC_HOME: pp!.home, SOCIALYNC_DATABASE_URL: url }));
    try {
      await daemon.waitFor(/publishing due posts/);
      pg.server.halt();
      try {
        const [line] = await daemon.waitFor(/publish step failed, retrying in \d+ s: .*/, 30_000);
        expect(line).toContain(`cannot reach PostgreSQL ${url.replace(PG_PASSWORD, '****')}`);
        expect(line).toMatch(/; if it persists, run: socialync db status$/);
      } finally {
        pg.server.resume();
      }
      // Still running: a failed step never ends the daemon.
      await new Promise((r) => setTimeout(r, 300));
      expect(daemon.child.exitCode).toBeNull();
    } finally {
      daemon.child.kill('SIGTERM');
    }
    const r = await daemon.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PG_PASSWORD);
    expect(r.stderr).toContain('daemon: stopped');
  }, 120_000);
});
