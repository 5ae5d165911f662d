/**
 * Team mode through the built binary, on a real PostgreSQL server: a SQLite profile moved with
 * `db copy`, then two publisher processes with separate homes (two "machines") publishing the
 * same due targets to the sandbox: every target published once, 0 duplicates. `db status`,
 * `status` and `doctor` say which store is in use and never print the password.
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { PG_PASSWORD, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { postStoreFor } from '../../src/store/posts.js';

let server: PostgresServer | undefined;
let skip: string | undefined;
let pp: PublishProfile | undefined;
beforeAll(async () => {
  const s = await startPostgres();
  if (typeof s === 'string') return void (skip = s);
  server = s;
  pp = await startPublishProfile({ platforms: ['x', 'linkedin'], sandbox: { rateLimits: false } });
}, 120_000);
afterAll(async () => {
  await pp?.close();
  await server?.stop();
});

describe('team mode (PostgreSQL) through the built CLI', () => {
  it('db copy moves the profile; two publisher processes on separate homes publish 60 targets once each', async (ctx) => {
    if (skip) ctx.skip(skip);
    const url = await server!.createDatabase();
    const copy = await runCli(['db', 'copy', '--to', url], cliEnv(pp!.env));
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toContain('connections\t2\n');
    expect(copy.stderr).toContain('socialync team init');

    const shared = await openPostgresStore(url);
    const posts = postStoreFor(shared);
    const conns = await shared.listConnections();
    const byPlatform = Object.fromEntries(conns.map((c) => [c.platform, c.id]));
    for (let i = 0; i < 30; i++) {
      await posts.createPost({ text: `two machines ${i}`, options: {}, overrides: {}, scheduledAt: Date.now() - 1000, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: byPlatform.x }, { platform: 'linkedin', connectionId: byPlatform.linkedin }] }, Date.now());
    }
    const second = mkdtempSync(join(tmpdir(), 'socialync-machine2-'));
    cpSync(pp!.home, second, { recursive: true });
    const env = (home: string) => cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_DATABASE_URL: url });
    const [a, b] = await Promise.all([runCli(['publish', '--json'], env(pp!.home)), runCli(['publish', '--json'], env(second))]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const published = [...JSON.parse(a.stdout).results, ...JSON.parse(b.stdout).results].filter((r: { outcome: string }) => r.outcome === 'published');
    expect(published).toHaveLength(60);
    expect(new Set(published.map((r: { targetId: number }) => r.targetId)).size).toBe(60);
    for (const p of ['x', 'linkedin'] as const) {
      const texts = (await sandboxPosts(pp!.sandbox, p)).map((x) => x.text).filter((t) => t.startsWith('two machines '));
      expect(texts).toHaveLength(30);
      expect(new Set(texts).size).toBe(30);
    }
    expect(await posts.countPosts({ status: 'published' })).toBe(30);
    await shared.close();

    const status = await runCli(['db', 'status', '--json'], env(second));
    expect(JSON.parse(status.stdout)).toMatchObject({ store: 'postgres', source: 'env', pendingMigrations: [] });
    const st = await runCli(['status'], env(second));
    expect(st.stderr).toMatch(/state: PostgreSQL postgres:\/\/socialync:\*\*\*\*@127\.0\.0\.1:\d+\//);
    const doctor = await runCli(['doctor', '--offline', '--jq', '[.checks[] | select(.group == "state") | .status] | join(",")'], env(second));
    expect(doctor.stdout).toBe('ok,ok\n');
    for (const r of [copy, a, b, status, st, doctor]) expect(r.stdout + r.stderr).not.toContain(PG_PASSWORD);
  });
});
