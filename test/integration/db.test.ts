/**
 * `socialync db status|migrate|copy`, `status` and `doctor` in team mode, in-process against a
 * real PostgreSQL server (test/helpers/postgres.ts). The password of the URL never appears in
 * any output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import pg from 'pg';
import { makeTestDeps } from '../helpers/deps.js';
import { PG_PASSWORD, freePort, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { seedListPosts, TOTAL_POSTS } from '../helpers/list-posts.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { postStoreFor } from '../../src/store/posts.js';
import { migratePostgres } from '../../src/store/postgres-migrate.js';
import { createPool } from '../../src/store/postgres-pool.js';
import { migrations } from '../../src/store/migrations.js';
import { runDoctor } from '../../src/doctor/run.js';
import { DATABASE_URL_ENV } from '../../src/store/database-url.js';

let server: PostgresServer | undefined;
let skip: string | undefined;
beforeAll(async () => {
  const s = await startPostgres();
  if (typeof s === 'string') skip = s;
  else server = s;
}, 120_000);
afterAll(() => server?.stop());

const NOW = Date.parse('2026-12-06T12:00:00Z');
const noPassword = (t: { stdout(): string; stderr(): string }) => expect(t.stdout() + t.stderr()).not.toContain(PG_PASSWORD);

describe('db status and db migrate', () => {
  it('SQLite by default; SOCIALYNC_DATABASE_URL selects PostgreSQL, shown without its password; migrate applies every step once', async (ctx) => {
    if (skip) ctx.skip(skip);
    const local = makeTestDeps();
    expect(await local.run(['db', 'status', '--json'])).toBe(0);
    expect(JSON.parse(local.stdout())).toMatchObject({ store: 'sqlite', location: local.deps.paths.stateDb, schemaVersion: 0, pendingMigrations: migrations.map((_, i) => i + 1) });

    const url = await server!.createDatabase();
    const t = makeTestDeps({ env: { [DATABASE_URL_ENV]: url } });
    expect(await t.run(['db', 'status', '--json'])).toBe(0);
    const before = JSON.parse(t.stdout());
    expect(before).toMatchObject({ store: 'postgres', source: 'env', schemaVersion: 0, latestVersion: migrations.length, pendingMigrations: migrations.map((_, i) => i + 1) });
    expect(before.location).toBe(url.replace(PG_PASSWORD, '****'));
    expect(await t.run(['db', 'migrate'])).toBe(0);
    expect(t.stderr()).toContain(`applied migrations ${migrations.map((_, i) => i + 1).join(', ')}; schema v${migrations.length}`);
    expect(await t.run(['db', 'migrate'])).toBe(0);
    expect(t.stderr()).toContain('is current; nothing to apply');
    expect(await t.run(['db', 'status'])).toBe(0);
    const v = migrations.length;
    expect(t.stdout()).toMatch(new RegExp(`store\tPostgreSQL postgres://socialync:\\*\\*\\*\\*@127\\.0\\.0\\.1:\\d+/\\w+ \\(from SOCIALYNC_DATABASE_URL\\)\nschema\tv${v} \\(this socialync: v${v}\\)\npending\tnone\nlatency\t\\d+ ms`));
    noPassword(t);
  });

  it('machines starting at once migrate once: the advisory lock serialises them', async (ctx) => {
    if (skip) ctx.skip(skip);
    const url = await server!.createDatabase();
    const pools = [1, 2, 3, 4].map(() => createPool(url));
    try {
      const applied = await Promise.all(pools.map((p) => migratePostgres(p, () => NOW)));
      expect(applied.flat().sort((a, b) => a - b)).toEqual(migrations.map((_, i) => i + 1));
      const rows = (await pools[0]!.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
      expect(rows).toEqual(migrations.map((_, i) => i + 1));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a schema newer than this socialync is refused, naming the upgrade', async (ctx) => {
    if (skip) ctx.skip(skip);
    const url = await server!.createDatabase();
    await (await openPostgresStore(url)).close();
    const c = new pg.Client(url);
    await c.connect();
    await c.query('INSERT INTO schema_migrations VALUES ($1, 0)', [migrations.length + 1]);
    await c.end();
    const t = makeTestDeps({ env: { [DATABASE_URL_ENV]: url } });
    expect(await t.run(['status'])).toBe(1);
    expect(t.stderr()).toContain(`schema is v${migrations.length + 1}, newer than this socialync (v${migrations.length})`);
    expect(t.stderr()).toContain('npm install -g socialync');
  });
});

describe('unreachable or refusing servers', () => {
  it('a wrong password and a closed port: the redacted URL, what to run next, exit 1 and 6; no password in any output', async (ctx) => {
    if (skip) ctx.skip(skip);
    const wrong = server!.url().replace(PG_PASSWORD, 'not-the-password-9f3');
    const t = makeTestDeps({ env: { [DATABASE_URL_ENV]: wrong } });
    expect(await t.run(['db', 'status'])).toBe(1);
    expect(t.stderr()).toContain('refused the login');
    expect(t.stderr()).toContain('postgres://socialync:****@127.0.0.1');
    expect(t.stderr()).not.toContain('not-the-password-9f3');
    const closed = `postgres://socialync:${PG_PASSWORD}@127.0.0.1:${await freePort()}/x`;
    const u = makeTestDeps({ env: { [DATABASE_URL_ENV]: closed } });
    expect(await u.run(['status'])).toBe(6);
    expect(u.stderr()).toContain('cannot reach PostgreSQL postgres://socialync:****@127.0.0.1');
    expect(u.stderr()).toContain('socialync db status');
    noPassword(u);
    const report = await runDoctor(u.deps, { offline: true });
    const check = report.checks.find((c) => c.id === 'state.postgres')!;
    expect(check.status).toBe('fail');
    expect(JSON.stringify(report)).not.toContain(PG_PASSWORD);
  });

  it('config database.url takes no password (config.json holds no secret)', async () => {
    const t = makeTestDeps();
    expect(await t.run(['config', 'set', 'database.url', 'postgres://u:secret-pw@db.example.com/s'])).toBe(3);
    expect(t.stderr()).toContain('must not hold a password');
    expect(await t.run(['config', 'set', 'database.url', 'postgres://u@db.example.com/s'])).toBe(0);
    expect(await t.run(['db', 'status', '--json']).catch(() => -1)).not.toBe(0); // db.example.com does not resolve here
    expect(t.stderr()).toContain('postgres://u@db.example.com/s');
  });
});

describe('db copy: a SQLite profile into PostgreSQL', () => {
  it('copies every row (ids, statuses, list lines), refuses a non-empty target without --force, replaces it with --force; secrets are left to team init', async (ctx) => {
    if (skip) ctx.skip(skip);
    const t = makeTestDeps();
    await seedListPosts(dirname(t.deps.paths.stateDb), NOW);
    const sqlite = openSqliteStore(t.deps.paths.stateDb);
    await sqlite.insertConnection({ id: 'c1', platform: 'x', name: 'brand', accountId: '42', username: 'brand', displayName: null, accountType: null, scopes: ['tweet.write'], accessExpiresAt: NOW, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: NOW, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {} }, NOW);
    await sqlite.addEvent({ at: NOW, connectionId: 'c1', kind: 'refresh', message: 'ok' });
    const sqliteTsv = (await postStoreFor(sqlite).listTsv()).toString();
    await sqlite.close();

    const url = await server!.createDatabase();
    expect(await t.run(['db', 'copy', '--to', url]), t.stderr()).toBe(0);
    expect(t.stdout()).toContain(`posts\t${TOTAL_POSTS}\n`);
    expect(t.stdout()).toContain('connections\t1\n');
    expect(t.stderr()).toContain("every table's count matches");
    expect(t.stderr()).toContain('socialync team init');
    expect(t.stderr()).toContain('the password in --to is visible');
    noPassword(t);

    const shared = await openPostgresStore(url);
    try {
      expect((await postStoreFor(shared).listTsv()).toString()).toBe(sqliteTsv);
      expect((await shared.getConnection('c1'))?.scopes).toEqual(['tweet.write']);
      // New rows continue after the copied ids.
      const id = await postStoreFor(shared).createPost({ text: 'new', options: {}, overrides: {}, scheduledAt: NOW, tz: 'UTC', localTime: '', media: [], targets: [] }, NOW);
      expect(id).toBe(TOTAL_POSTS + 1);
    } finally {
      await shared.close();
    }

    expect(await t.run(['db', 'copy', '--to', url])).toBe(3);
    expect(t.stderr()).toContain('already holds socialync state (1 connections');
    expect(t.stderr()).toContain('--force');
    const env = makeTestDeps({ home: t.home, env: { [DATABASE_URL_ENV]: url, SOCIALYNC_VAULT_KEY: t.env.SOCIALYNC_VAULT_KEY! } });
    expect(await env.run(['db', 'copy', '--force'])).toBe(0);
    expect(env.stderr()).toContain('(its previous state replaced)');
    expect(await env.run(['schedule', 'list', '--all'])).toBe(0);
    expect(env.stdout().split('attempts\t0\n')[1]!.trim()).toBe(sqliteTsv);
    expect(await env.run(['status'])).toBe(4); // its tokens are not in this vault (secrets are not copied)
    expect(env.stderr()).toContain('state: PostgreSQL postgres://socialync:****@');
    const report = await runDoctor(env.deps, { offline: true });
    expect(report.checks.filter((c) => c.group === 'state').map((c) => [c.id, c.status])).toEqual([['state.postgres', 'ok'], ['state.schema', 'ok']]);
    noPassword(env);
  });
});
