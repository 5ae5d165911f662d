import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from './sqlite.js';
import { SqlitePostStore } from './posts.js';
import { connectionIdentity } from './identity.js';
import { migrations } from './migrations.js';
import Database from 'better-sqlite3';

let dir: string;
let stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
  rmSync(dir, { recursive: true, force: true });
});

function open(): SqlitePostStore {
  const s = openSqliteStore(join(dir, 'state.db'));
  stores.push(s);
  return new SqlitePostStore(s.db);
}

const post = (at: number) => ({
  text: 'hello',
  options: {},
  overrides: { x: { text: 'hi x' } },
  scheduledAt: at,
  tz: 'UTC',
  localTime: '2026-01-01 00:00',
  media: [{ kind: 'file' as const, path: '/tmp/a.jpg', mime: 'image/jpeg', size: 3, sha256: 'ab' }],
  targets: [
    { platform: 'x' as const, connectionId: 'c1' },
    { platform: 'linkedin' as const, connectionId: 'c2' },
  ],
});

describe('post store', () => {
  it('stores a post with media, overrides and targets, and lists due targets only once due', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posts-'));
    const ps = open();
    const id = await ps.createPost(post(1000), 1);
    const p = await ps.getPost(id);
    expect(p?.overrides.x?.text).toBe('hi x');
    expect(p?.media[0]).toMatchObject({ kind: 'file', path: '/tmp/a.jpg', size: 3 });
    expect(await ps.dueTargets(999, 10)).toHaveLength(0);
    expect((await ps.dueTargets(1000, 10)).map((t) => t.platform)).toEqual(['x', 'linkedin']);
    expect((await ps.listSummaries())[0]!.targets).toHaveLength(2);
  });

  it('two stores claiming the same target: exactly one wins; a stale claim can be taken over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posts-'));
    const a = open();
    const b = open();
    await a.createPost(post(0), 1);
    const [t] = await a.dueTargets(10, 1);
    const results = await Promise.all([a.claim(t!.id, 'A', 1000, 10), b.claim(t!.id, 'B', 1000, 10)]);
    expect(results.filter((r) => r === 'scheduled')).toHaveLength(1);
    expect(await b.claim(t!.id, 'B', 1000, 500)).toBeUndefined();
    // A's claim expired (crash): B takes it over and learns it was mid-publish.
    expect(await b.claim(t!.id, 'B', 1000, 2000)).toBe('publishing');
    // A's late write is fenced out.
    expect(await a.updateTarget(t!.id, 'A', { state: 'published', remoteId: '1' }, 2001)).toBe(false);
    expect(await b.updateTarget(t!.id, 'B', { state: 'published', remoteId: '2' }, 2001)).toBe(true);
    expect((await a.getTarget(t!.id))?.remoteId).toBe('2');
  });
});

describe('post status: one rule (publish/post-status.ts), stored where targets change (migration 9)', () => {
  it('matches postStatus() for every mix of target states, and listTsv prints and filters by it', async () => {
    const { postStatus } = await import('../publish/post-status.js');
    dir = mkdtempSync(join(tmpdir(), 'posts-'));
    const ps = open();
    const states = ['scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled'] as const;
    for (const a of states) {
      for (const b of states) {
        const id = await ps.createPost({ ...post(0), text: `${a}/${b}\tline` }, 1);
        const [t1, t2] = await ps.targets(id);
        await ps.updateTarget(t1!.id, null, { state: a }, 2);
        await ps.updateTarget(t2!.id, null, { state: b }, 2);
        const line = (await ps.listTsv()).toString().split('\n').find((l) => l.includes(`${a}/${b} line`))!;
        expect(line.split('\t').slice(0, 4)).toEqual([String(id), '1970-01-01T00:00:00.000Z', postStatus([a, b]), `x:${a},linkedin:${b}`]);
      }
    }
    const first = (await ps.getPost(1))!;
    await ps.updatePost(1, { ...first, text: 'edited '.repeat(20), scheduledAt: Date.parse('2026-12-01T08:00:00Z') }, 3);
    expect((await ps.listTsv()).toString().split('\n').at(-1)).toMatch(/^1\t2026-12-01T08:00:00\.000Z\tscheduled\tx:scheduled,linkedin:scheduled\t(edited ){11}ed…$/);
    const partial = states.flatMap((a) => states.map((b) => postStatus([a, b]))).filter((x) => x === 'partial').length;
    expect((await ps.listTsv({ status: 'partial' })).toString().split('\n')).toHaveLength(partial);
  });

  it('claim, a fenced-out write and rearm: the stored status follows only the writes that happened', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posts-'));
    const ps = open();
    const id = await ps.createPost(post(0), 1);
    const status = async () => (await ps.listSummaries({}))[0]!.status;
    expect(await status()).toBe('scheduled');
    const [t] = await ps.targets(id);
    expect(await ps.claim(t!.id, 'A', 1000, 10)).toBe('scheduled');
    expect(await status()).toBe('publishing');
    expect(await ps.updateTarget(t!.id, 'B', { state: 'failed' }, 11)).toBe(false);
    expect(await status()).toBe('publishing');
    expect(await ps.updateTarget(t!.id, 'A', { state: 'failed', claimedBy: null }, 12)).toBe(true);
    expect(await status()).toBe('failed');
    expect(await ps.rearm(t!.id, ['published'], { state: 'scheduled' }, 13)).toBe(false);
    expect(await status()).toBe('failed');
    expect(await ps.rearm(t!.id, ['failed'], { state: 'scheduled' }, 14)).toBe(true);
    expect(await status()).toBe('scheduled');
  });
});

describe('migration 9 on a database made before it', () => {
  it('drops the triggers and stored lines, keeps every post status, target summary and line, and claims still change both', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posts-'));
    const file = join(dir, 'state.db');
    const old = new Database(file);
    migrations.slice(0, 8).forEach((m, v) => (old.exec(m), old.pragma(`user_version = ${v + 1}`)));
    const post = old.prepare(`INSERT INTO posts (text, options, overrides, scheduled_at, tz, local_time, created_at, updated_at) VALUES (?, '{}', '{}', ?, 'UTC', '', 0, 0)`);
    const target = old.prepare(`INSERT INTO targets (post_id, platform, connection_id, state, updated_at) VALUES (?, ?, 'c', ?, 0)`);
    const made: [number, string, string][] = [['published', 'failed', 'partial'], ['failed', 'cancelled', 'failed'], ['scheduled', 'scheduled', 'scheduled']].map(([a, b, expected], i) => {
      const id = Number(post.run(`post ${i}\n${'long '.repeat(20)}`, i * 1000).lastInsertRowid);
      target.run(id, 'x', a);
      target.run(id, 'linkedin', b);
      return [id, expected!, `x:${a},linkedin:${b}`];
    });
    const before = old.prepare('SELECT list_line FROM posts ORDER BY scheduled_at, id').pluck().all().join('\n');
    old.close();

    const ps = open();
    const db = stores[0]!.db;
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).all()).toEqual([]);
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('posts')`).pluck().all() as string[]).join();
    expect(columns).not.toMatch(/list_line/);
    expect(db.prepare('SELECT target_summary FROM posts ORDER BY id').pluck().all()).toEqual(made.map((m) => m[2]));
    // The lines built at read time are the ones the triggers stored.
    expect((await ps.listTsv()).toString()).toBe(before);
    const lines = (await ps.listTsv()).toString().split('\n').map((l) => l.split('\t'));
    expect(lines.map((l) => [Number(l[0]), l[2], l[3]])).toEqual(made);
    // The stored status follows a target's change after the triggers are gone.
    const [, , scheduled] = made;
    const [t] = await ps.targets(scheduled![0]);
    expect(await ps.claim(t!.id, 'me', 1000, 5)).toBe('scheduled');
    expect((await ps.listTsv({ status: 'publishing' })).toString().split('\t').slice(0, 4)).toEqual([String(scheduled![0]), '1970-01-01T00:00:02.000Z', 'publishing', 'x:publishing,linkedin:scheduled']);
    expect((await ps.listSummaries({ status: 'publishing' }))[0]!.targets).toEqual([{ platform: 'x', state: 'publishing' }, { platform: 'linkedin', state: 'scheduled' }]);
  });
});

describe('targets of a disconnected account (migration 6)', () => {
  const connection = (id: string, platform: 'x' | 'facebook', accountId: string, meta: Record<string, string> = {}) => ({
    id, platform, name: id, accountId, username: null, displayName: null, accountType: null, scopes: [], accessExpiresAt: null,
    refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: null, lastRefreshAt: null,
    health: 'healthy' as const, reason: null, reasonDetail: null, meta,
  });
  const openStores = () => {
    dir = mkdtempSync(join(tmpdir(), 'posts-'));
    const s = openSqliteStore(join(dir, 'state.db'));
    stores.push(s);
    return { s, ps: new SqlitePostStore(s.db) };
  };

  it('move to the account\'s new connection: waiting, failed and unconfirmed ones; never published, claimed or another account\'s', async () => {
    const { s, ps } = openStores();
    const conn = (id: string, accountId: string) => connection(id, 'x', accountId);
    for (const [id, acct] of [['old1', 'A'], ['old2', 'A'], ['otherAcct', 'B']] as const) await s.insertConnection(conn(id, acct), 1);
    const make = async (ids: string[]) => ps.createPost({ ...post(1000), targets: ids.map((connectionId) => ({ platform: 'x' as const, connectionId })) }, 1);
    const waiting = await make(['old1']);
    const failed = await make(['old1']);
    const published = await make(['old1']);
    const claimed = await make(['old1']);
    const both = await make(['old1', 'old2']);
    const other = await make(['otherAcct']);
    const first = async (p: number) => (await ps.targets(p))[0]!;
    await ps.updateTarget((await first(failed)).id, null, { state: 'failed', errorClass: 'reconnect_needed' }, 2);
    await ps.updateTarget((await first(published)).id, null, { state: 'published', remoteId: '1' }, 2);
    expect(await ps.claim((await first(claimed)).id, 'publisher', 60_000, 2)).toBe('scheduled');
    for (const id of ['old1', 'old2', 'otherAcct']) await s.deleteConnection(id, 3);
    expect(await s.getFormerConnection('old1')).toEqual({ id: 'old1', platform: 'x', identity: 'A', accountId: 'A', name: 'old1', removedAt: 3 });

    expect(await ps.adoptTargets('x', 'A', 'new', 4)).toBe(3);
    const where = async (p: number) => (await ps.targets(p)).map((t) => t.connectionId);
    expect(await where(waiting)).toEqual(['new']);
    expect(await where(failed)).toEqual(['new']);
    expect(await where(published)).toEqual(['old1']);
    expect(await where(claimed)).toEqual(['old1']);
    // Two targets of one post on two former connections of the account: one moves, never two.
    expect((await where(both)).filter((c) => c === 'new')).toHaveLength(1);
    expect(await where(other)).toEqual(['otherAcct']);
    expect(await ps.adoptTargets('x', 'A', 'new', 5)).toBe(0);
  });

  it('a Facebook Page is part of the identity: another Page of the same person never takes its posts', async () => {
    const { s, ps } = openStores();
    const page = (id: string, pageId: string) => connection(id, 'facebook', 'person', { pageId });
    await s.insertConnection(page('pageA', 'A'), 1);
    const id = await ps.createPost({ ...post(1000), targets: [{ platform: 'facebook', connectionId: 'pageA' }] }, 1);
    await s.deleteConnection('pageA', 2);
    expect((await s.getFormerConnection('pageA'))?.identity).toBe('person#page:A');
    expect(await ps.adoptTargets('facebook', connectionIdentity(page('pageB', 'B')), 'pageB', 3)).toBe(0);
    expect(await ps.adoptTargets('facebook', connectionIdentity(page('pageA2', 'A')), 'pageA2', 3)).toBe(1);
    expect((await ps.targets(id))[0]!.connectionId).toBe('pageA2');
  });
});
