/**
 * In team mode (SOCIALYNC_DATABASE_URL) the readers that used to open the SQLite file directly
 * read the PostgreSQL store: the doctor scheduler check, shell completion of account names and
 * post ids, the attention banner. Against a real PostgreSQL server (test/helpers/postgres.ts);
 * no SQLite file exists in these profiles, so an answer can only come from PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';
import { postgresForFile } from '../helpers/postgres-file.js';
import { DATABASE_URL_ENV } from '../../src/store/database-url.js';
import { runDoctor } from '../../src/doctor/run.js';
import { DAEMON_LEASE } from '../../src/publish/run.js';
import { postStoreFor } from '../../src/store/posts.js';
import type { CronSystem } from '../../src/cron/system.js';
import type { Connection } from '../../src/store/types.js';
import type { PlatformId } from '../../src/providers/types.js';

const pg = postgresForFile();

const noCron: CronSystem = {
  nodePath: process.execPath,
  binPath: '/opt/socialync/bin/socialync.cjs',
  unitDir: mkdtempSync(join(tmpdir(), 'socialync-units-')),
  readCrontab: async () => '',
  writeCrontab: async () => undefined,
  writeFile: async () => undefined,
  removeFile: async () => undefined,
  exec: async () => '',
};

async function teamProfile(): Promise<TestDeps> {
  return makeTestDeps({ env: { [DATABASE_URL_ENV]: await pg.server.createDatabase() } });
}

async function addConnection(t: TestDeps, platform: PlatformId, name: string, extra: Partial<Connection> = {}): Promise<Connection> {
  const now = t.deps.clock.now();
  return (await t.deps.store()).insertConnection(
    { id: `c-${platform}-${name}`, platform, name, accountId: `acct-${name}`, username: `${name}_u`, displayName: name, accountType: null, scopes: [], accessExpiresAt: now + 3_600_000, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: now, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {}, ...extra },
    now,
  );
}

async function run(t: TestDeps, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const [o, e] = [t.stdout().length, t.stderr().length];
  const code = await t.run(argv);
  return { code, out: t.stdout().slice(o), err: t.stderr().slice(e) };
}

describe('readers of the state in team mode (PostgreSQL)', () => {
  it('shell completion lists the accounts and posts of the PostgreSQL store', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const t = await teamProfile();
    const x = await addConnection(t, 'x', 'brand');
    await addConnection(t, 'tiktok', 'clips');
    await postStoreFor(await t.deps.store()).createPost({ text: 'launch  day\nteaser', options: {}, overrides: {}, scheduledAt: Date.now() + 3_600_000, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: x.id }] }, Date.now());
    expect(existsSync(t.deps.paths.stateDb)).toBe(false);
    expect((await run(t, ['__complete', 'connections'])).out).toBe('clips\ttiktok @clips_u\nbrand\tx @brand_u\n');
    expect((await run(t, ['__complete', 'connections', 'twitter'])).out).toBe('brand\tx @brand_u\n');
    expect((await run(t, ['__complete', 'targets'])).out).toContain('tiktok:clips\nx:brand\n');
    expect((await run(t, ['__complete', 'posts'])).out).toMatch(/^\d+\tlaunch day teaser\n$/);
    expect(existsSync(t.deps.paths.stateDb)).toBe(false);
  });

  it('completion says nothing (and at once) when the database is out of reach', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const t = makeTestDeps({ env: { [DATABASE_URL_ENV]: 'postgres://socialync:pw@127.0.0.1:9/none' } });
    const t0 = Date.now();
    expect(await run(t, ['__complete', 'connections'])).toMatchObject({ code: 0, out: '' });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('doctor sees the daemon lease and the last refresh recorded in PostgreSQL', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const t = await teamProfile();
    await addConnection(t, 'x', 'brand');
    const scheduler = async () => (await runDoctor(t.deps, { offline: true, cron: noCron })).checks.find((c) => c.id === 'scheduler')!;
    expect(await scheduler()).toMatchObject({ status: 'fail' });
    expect((await scheduler()).title).toContain('no daemon');
    const store = await t.deps.store();
    const now = t.deps.clock.now();
    await store.tryLock(DAEMON_LEASE, 'daemon-on-another-machine', 600_000, now);
    await store.addEvent({ at: now - 120_000, connectionId: null, kind: 'refresh.run', message: '{}' });
    const found = await scheduler();
    expect(found).toMatchObject({ status: 'ok' });
    expect(found.title).toBe('running daemon runs `socialync refresh`; last refresh: 2 minutes ago');
  });

  it('the attention banner names the PostgreSQL store’s broken connections (once a day)', async (ctx) => {
    if (pg.skip) ctx.skip(pg.skip);
    const t = await teamProfile();
    await addConnection(t, 'x', 'brand', { health: 'needs_reconnect', reason: 'password_changed' });
    expect(existsSync(t.deps.paths.stateDb)).toBe(false);
    const first = await run(t, ['config', 'list']);
    expect(first.code).toBe(0);
    expect(first.err).toContain('! 1 connection needs a reconnect (x/brand). Run: socialync status');
    expect((await run(t, ['config', 'list'])).err).not.toContain('needs a reconnect');
  });
});
