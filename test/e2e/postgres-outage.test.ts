/**
 * The PostgreSQL state store going away during a run (server stopped mid-publish, or down when
 * `refresh` starts) is a temporary failure of our own store: exit 6, a message naming the
 * database (URL without password) and `socialync db status`, never "reconnect", never a bug
 * report. Once the server is back the next run finishes every target: none lost, none sent
 * twice. Built binary against the sandbox and a real PostgreSQL server. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { PG_PASSWORD } from '../helpers/postgres.js';
import { postgresForFile } from '../helpers/postgres-file.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { postStoreFor } from '../../src/store/posts.js';
import { BUG_HINT } from '../../src/core/errors.js';

const pg = postgresForFile();
let pp: PublishProfile | undefined;
beforeAll(async () => {
  // Every platform call takes 250 ms: a run of 12 targets one at a time lasts a few seconds.
  pp = await startPublishProfile({ platforms: ['x', 'linkedin'], sandbox: { rateLimits: false, callLatencyMs: 250 } });
}, 120_000);
afterAll(async () => pp?.close());

const TARGETS = 12;

/** Exit 6; names the database without its password and the command to run; nothing about reconnecting or bugs. */
function expectStoreOutage(r: { code: number | null; stdout: string; stderr: string }, url: string): void {
  expect(r.code, r.stderr).toBe(6);
  const shown = url.replace(PG_PASSWORD, '****');
  expect(r.stderr).toContain(`cannot reach PostgreSQL ${shown}`);
  expect(r.stderr).toContain('then run: socialync db status');
  expect(r.stdout + r.stderr).not.toMatch(/reconnect/i);
  expect(r.stdout + r.stderr).not.toContain(BUG_HINT);
  expect(r.stdout + r.stderr).not.toContain(PG_PASSWORD);
}

describe('the PostgreSQL state store out of reach during a run', () => {
  it('publish: the server stopped mid-run exits 6; after it is back the next run publishes every target once', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const url = await pg.server.createDatabase();
    const copy = await runCli(['db', 'copy', '--to', url], cliEnv(pp!.env));
    expect(copy.code, copy.stderr).toBe(0);
    const shared = await openPostgresStore(url);
    const posts = postStoreFor(shared);
    const byPlatform = Object.fromEntries((await shared.listConnections()).map((c) => [c.platform, c.id]));
    for (let i = 0; i < TARGETS / 2; i++) {
      const targets = [{ platform: 'x' as const, connectionId: byPlatform.x! }, { platform: 'linkedin' as const, connectionId: byPlatform.linkedin! }];
      await posts.createPost({ text: `outage ${i}`, options: {}, overrides: {}, scheduledAt: Date.now() - 1000, tz: 'UTC', localTime: '', media: [], targets }, Date.now());
    }
    await shared.close();
    const env = cliEnv({ SOCIALYNC_HOME: pp!.home, SOCIALYNC_DATABASE_URL: url });
    const sent = async () => [...(await sandboxPosts(pp!.sandbox, 'x')), ...(await sandboxPosts(pp!.sandbox, 'linkedin'))].filter((p) => p.text.startsWith('outage '));

    const run = startCli(['publish', '--concurrency', '1'], env);
    // Stop the server once the run is under way (a post or two out), as an outage would.
    for (let i = 0; i < 200 && (await sent()).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    pg.server.halt();
    try {
      const first = await run.done;
      const before = await sent();
      expect(before.length).toBeGreaterThanOrEqual(2);
      expect(before.length).toBeLessThan(TARGETS);
      expectStoreOutage(first, url);
    } finally {
      pg.server.resume();
    }
    const again = await runCli(['publish', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const texts = (await sent()).map((p) => p.text).sort();
    // Every target once on each platform: none lost, none sent twice.
    expect(texts).toEqual(Array.from({ length: TARGETS / 2 }, (_, i) => [`outage ${i}`, `outage ${i}`]).flat().sort());
    expect((await sandboxPosts(pp!.sandbox, 'x')).filter((p) => p.text.startsWith('outage '))).toHaveLength(TARGETS / 2);
    const check = await openPostgresStore(url);
    expect(await postStoreFor(check).countPosts({ status: 'published' })).toBe(TARGETS / 2);
    await check.close();
  }, 120_000);

  it('refresh with the server down exits 6 and names the database and `db status`', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const url = await pg.server.createDatabase();
    expect((await runCli(['db', 'copy', '--to', url], cliEnv(pp!.env))).code).toBe(0);
    const env = cliEnv({ SOCIALYNC_HOME: pp!.home, SOCIALYNC_DATABASE_URL: url });
    pg.server.halt();
    try {
      expectStoreOutage(await runCli(['refresh', '--force'], env), url);
      expectStoreOutage(await runCli(['publish'], env), url);
    } finally {
      pg.server.resume();
    }
    const ok = await runCli(['refresh', '--force', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
  }, 120_000);

  it('refresh: the server stopped while a token call is in flight exits 6; the next run refreshes with no token refused or reused', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const url = await pg.server.createDatabase();
    expect((await runCli(['db', 'copy', '--to', url], cliEnv(pp!.env))).code).toBe(0);
    const env = cliEnv({ SOCIALYNC_HOME: pp!.home, SOCIALYNC_DATABASE_URL: url });
    const control = pp!.sandbox.control;
    const tokenCalls = () => Object.values(control.stats()).reduce((n, s) => n + (s?.tokenCalls ?? 0), 0);
    const refused = () => Object.values(control.stats()).reduce((n, s) => n + (s?.rejectedRefreshes ?? 0) + (s?.reusedRefreshTokens ?? 0), 0);
    const [calls0, refused0] = [tokenCalls(), refused()];
    control.latency(1500);
    try {
      const run = startCli(['refresh', '--force', '--concurrency', '1'], env);
      for (let i = 0; i < 400 && tokenCalls() === calls0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(tokenCalls()).toBeGreaterThan(calls0);
      pg.server.halt();
      try {
        expectStoreOutage(await run.done, url);
      } finally {
        pg.server.resume();
      }
    } finally {
      control.latency(0);
    }
    const ok = await runCli(['refresh', '--force', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { counts: Record<string, number> }).counts).toEqual({ refreshed: 2 });
    expect(refused() - refused0).toBe(0);
  }, 120_000);
});
