/**
 * The store contract (types.ts Store, posts.ts PostStore), one suite run on both stores:
 * SQLite and a real PostgreSQL server (test/helpers/postgres.ts). Two stores opened on the same
 * data stand for two processes (SQLite) or two machines (PostgreSQL: separate pools).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend, type StoreBackend, type StoreKit } from '../../test/helpers/stores.js';
import { DEFAULT_VIEW_SIZE, TOTAL_POSTS, defaultView, seedPosts } from '../../test/helpers/list-posts.js';
import { DAY } from '../core/clock.js';
import { postStatus } from '../publish/post-status.js';
import { TARGET_STATES, type NewPost, type PostStore } from './posts.js';
import { connectionIdentity } from './identity.js';
import type { Connection } from './types.js';

const post = (at: number, targets: NewPost['targets'] = [{ platform: 'x', connectionId: 'c1' }, { platform: 'linkedin', connectionId: 'c2' }]): NewPost => ({
  text: 'hello',
  options: {},
  overrides: { x: { text: 'hi x' } },
  scheduledAt: at,
  tz: 'UTC',
  localTime: '2026-01-01 00:00',
  media: [{ kind: 'file', path: '/tmp/a.jpg', mime: 'image/jpeg', size: 3, sha256: 'ab', durationSec: 1.5 }],
  targets,
});

const connection = (id: string, platform: 'x' | 'facebook', name: string, accountId = `acct-${id}`, meta: Record<string, string> = {}): Omit<Connection, 'tokenGeneration' | 'createdAt' | 'updatedAt'> => ({
  id, platform, name, accountId, username: name, displayName: null, accountType: null, scopes: ['a', 'b'], accessExpiresAt: 1_900_000_000_000,
  refreshExpiresAt: null, refreshExpiresEstimated: true, dataAccessExpiresAt: null, tokenObtainedAt: 5, lastRefreshAt: null,
  health: 'healthy', reason: null, reasonDetail: null, meta,
});

/** Claims every due target from `posts` until none is left; returns the ids won. */
async function claimAll(posts: PostStore, owner: string, now: number): Promise<number[]> {
  const won: number[] = [];
  for (const t of await posts.dueTargets(now, 10_000)) if ((await posts.claim(t.id, owner, 60_000, now)) !== undefined) won.push(t.id);
  return won;
}

describe.each([sqliteBackend, postgresBackend()] as StoreBackend[])('store contract: $kind', (backend) => {
  let skip: string | undefined;
  let kit: StoreKit | undefined;
  beforeAll(async () => {
    skip = await backend.setup();
  }, 120_000);
  afterAll(() => backend.teardown());
  afterEach(async () => {
    await kit?.cleanup();
    kit = undefined;
  });
  const fresh = async (ctx: { skip(why?: string): void }) => {
    if (skip) ctx.skip(skip);
    kit = await backend.kit();
    return kit;
  };

  it('connections: insert, find, list in order, update, delete keeps a former connection', async (ctx) => {
    const { store } = await (await fresh(ctx)).open();
    await store.insertConnection(connection('b', 'x', 'zeta'), 10);
    const a = await store.insertConnection(connection('a', 'x', 'Alpha', 'acct-a'), 10);
    await store.insertConnection(connection('f', 'facebook', 'page', 'u1', { pageId: 'p9' }), 10);
    expect(a.tokenGeneration).toBe(1);
    expect((await store.listConnections()).map((c) => `${c.platform}/${c.name}`)).toEqual(['facebook/page', 'x/Alpha', 'x/zeta']);
    expect((await store.listConnections({ platform: 'x', name: 'zeta' })).map((c) => c.id)).toEqual(['b']);
    await expect(store.insertConnection(connection('c', 'x', 'zeta'), 11)).rejects.toThrow();
    await store.updateConnection('a', { health: 'needs_reconnect', reason: 'token_expired', meta: { k: 'v' }, tokenGeneration: 2, refreshExpiresEstimated: false }, 20);
    const got = await store.findConnection('x', 'Alpha');
    expect(got).toMatchObject({ id: 'a', health: 'needs_reconnect', reason: 'token_expired', meta: { k: 'v' }, tokenGeneration: 2, scopes: ['a', 'b'], accessExpiresAt: 1_900_000_000_000, refreshExpiresEstimated: false, createdAt: 10, updatedAt: 20 });
    await store.deleteConnection('f', 30);
    expect(await store.getConnection('f')).toBeUndefined();
    expect(await store.getFormerConnection('f')).toEqual({ id: 'f', platform: 'facebook', identity: 'u1#page:p9', accountId: 'u1', name: 'page', removedAt: 30 });
  });

  it('events, once-markers and pruning', async (ctx) => {
    const { store } = await (await fresh(ctx)).open();
    await store.addEvent({ at: 1, connectionId: 'a', kind: 'refresh', message: 'one' });
    await store.addEvent({ at: 5, connectionId: 'b', kind: 'refresh', message: 'two' });
    await store.addEvent({ at: 9, kind: 'notice', message: 'three' });
    expect((await store.listEvents({ kind: 'refresh' })).map((e) => e.message)).toEqual(['one', 'two']);
    expect((await store.listEvents({ since: 5 })).map((e) => [e.message, e.connectionId])).toEqual([['two', 'b'], ['three', null]]);
    expect(await store.markOnce('warn:a', 2)).toBe(true);
    expect(await store.markOnce('warn:a', 3)).toBe(false);
    await store.pruneEvents!(6);
    expect((await store.listEvents()).map((e) => e.message)).toEqual(['three']);
    expect(await store.markOnce('warn:a', 7)).toBe(true);
  });

  it('leases: one holder, renewal by the holder, expiry, take-over from a dead holder, prefix listing', async (ctx) => {
    const k = await fresh(ctx);
    const { store: a } = await k.open();
    const { store: b } = await k.open();
    expect(await Promise.all([a.tryLock('refresh:c1', 'A', 1000, 0), b.tryLock('refresh:c1', 'B', 1000, 0)])).toSatisfy((r: boolean[]) => r.filter(Boolean).length === 1);
    const holder = (await a.lockHolder('refresh:c1'))!.owner;
    const other = holder === 'A' ? b : a;
    expect(await other.tryLock('refresh:c1', holder === 'A' ? 'B' : 'A', 1000, 999)).toBe(false);
    expect(await a.tryLock('refresh:c1', holder, 1000, 500)).toBe(true); // renewal
    expect(await b.lockHolder('refresh:c1')).toEqual({ owner: holder, expiresAt: 1500 });
    expect(await b.tryLock('refresh:c1', 'C', 1000, 1501)).toBe(true); // expired
    expect(await a.takeOverLock('refresh:c1', 'gone', 'D', 1000, 1600)).toBe(false);
    expect(await a.takeOverLock('refresh:c1', 'C', 'D', 1000, 1600)).toBe(true);
    await a.tryLock('refresh:a%_', 'E', 1000, 0);
    await a.tryLock('refreshX', 'F', 1000, 0);
    await a.tryLock('publish:1', 'G', 1000, 0);
    expect((await b.listLocks('refresh:', 900)).map((l) => l.name).sort()).toEqual(['refresh:a%_', 'refresh:c1']);
    await a.releaseLock('refresh:c1', 'not-me');
    expect((await a.lockHolder('refresh:c1'))?.owner).toBe('D');
    await a.releaseLock('refresh:c1', 'D');
    expect(await a.lockHolder('refresh:c1')).toBeUndefined();
    expect(await a.schemaVersion()).toBeGreaterThanOrEqual(8);
  });

  it('posts: stored with media, overrides and targets; updated; listed due only once due; deleted', async (ctx) => {
    const { posts } = await (await fresh(ctx)).open();
    const id = await posts.createPost(post(1000), 1);
    const p = await posts.getPost(id);
    expect(p).toMatchObject({ id, text: 'hello', scheduledAt: 1000, overrides: { x: { text: 'hi x' } }, createdAt: 1 });
    expect(p?.media).toEqual([{ kind: 'file', path: '/tmp/a.jpg', mime: 'image/jpeg', size: 3, sha256: 'ab', durationSec: 1.5 }]);
    expect(await posts.dueTargets(999, 10)).toHaveLength(0);
    expect((await posts.dueTargets(1000, 10)).map((t) => t.platform)).toEqual(['x', 'linkedin']);
    await posts.updatePost(id, { ...post(5000), text: 'edited', title: 'T', media: [] }, 2);
    expect(await posts.getPost(id)).toMatchObject({ text: 'edited', title: 'T', media: [], scheduledAt: 5000, updatedAt: 2 });
    expect(await posts.dueTargets(1000, 10)).toHaveLength(0);
    expect(await posts.hasPosts()).toBe(true);
    await posts.deletePost(id);
    expect(await posts.getPost(id)).toBeUndefined();
    expect(await posts.targets(id)).toEqual([]);
    expect(await posts.hasPosts()).toBe(false);
  });

  it('claims: one winner of two stores; a lease that ended is taken over; late writes of the old holder are fenced out', async (ctx) => {
    const k = await fresh(ctx);
    const a = (await k.open()).posts;
    const b = (await k.open()).posts;
    await a.createPost(post(0), 1);
    const [t] = await a.dueTargets(10, 1);
    const results = await Promise.all([a.claim(t!.id, 'A', 1000, 10), b.claim(t!.id, 'B', 1000, 10)]);
    expect(results.filter((r) => r === 'scheduled')).toHaveLength(1);
    const [winner, loser, w, l] = results[0] === 'scheduled' ? [a, b, 'A', 'B'] : [b, a, 'B', 'A'];
    expect(await loser.claim(t!.id, l, 1000, 500)).toBeUndefined();
    expect(await winner.heartbeat(t!.id, w, 1000, 900)).toBe(true); // lease now ends at 1900
    expect(await loser.claim(t!.id, l, 1000, 1500)).toBeUndefined();
    // The holder stopped heartbeating (died): after its lease the other takes over, told it was mid-publish.
    expect(await loser.claim(t!.id, l, 1000, 2000)).toBe('publishing');
    expect(await winner.heartbeat(t!.id, w, 1000, 2001)).toBe(false);
    expect(await winner.updateTarget(t!.id, w, { state: 'published', remoteId: '1' }, 2001)).toBe(false);
    expect(await loser.updateTarget(t!.id, l, { state: 'published', remoteId: '2', claimedBy: null }, 2001)).toBe(true);
    expect(await a.getTarget(t!.id)).toMatchObject({ remoteId: '2', state: 'published', attempts: 2, claimedBy: null });
    // A holder known dead is taken over before its lease ends.
    const [t2] = (await a.dueTargets(3000, 5)).filter((x) => x.state === 'scheduled');
    expect(await a.claim(t2!.id, 'dead', 60_000, 3000)).toBe('scheduled');
    expect(await b.claim(t2!.id, 'B', 60_000, 3001)).toBeUndefined();
    expect(await b.claim(t2!.id, 'B', 60_000, 3001, { takeOverFrom: 'dead' })).toBe('publishing');
  });

  it('claimedTargets: only targets in publishing, the soonest claim end first, at most the limit', async (ctx) => {
    const { posts } = await (await fresh(ctx)).open();
    for (let i = 0; i < 3; i++) await posts.createPost(post(0), 1); // 6 targets
    expect(await posts.claimedTargets(10)).toEqual([]);
    const [t1, t2, t3, t4] = await posts.dueTargets(10, 10);
    await posts.claim(t1!.id, 'A', 5000, 10);
    await posts.claim(t2!.id, 'B', 1000, 10);
    await posts.claim(t3!.id, 'C', 3000, 10);
    await posts.claim(t4!.id, 'D', 1000, 10);
    await posts.updateTarget(t4!.id, 'D', { state: 'published', claimedBy: null, claimExpiresAt: null }, 20);
    expect((await posts.claimedTargets(10)).map((t) => [t.id, t.claimedBy, t.claimExpiresAt])).toEqual([[t2!.id, 'B', 1010], [t3!.id, 'C', 3010], [t1!.id, 'A', 5010]]);
    expect((await posts.claimedTargets(1)).map((t) => t.id)).toEqual([t2!.id]);
  });

  it('two stores claiming the same 200 due targets at once: each claimed exactly once', async (ctx) => {
    const k = await fresh(ctx);
    const a = (await k.open()).posts;
    const b = (await k.open()).posts;
    for (let i = 0; i < 100; i++) await a.createPost(post(i), 1);
    const [wonA, wonB] = await Promise.all([claimAll(a, 'A', 1000), claimAll(b, 'B', 1000)]);
    expect(wonA.length + wonB.length).toBe(200);
    expect(new Set([...wonA, ...wonB]).size).toBe(200);
  });

  it("a post's status follows its targets (publish/post-status.ts) for every mix of two states", async (ctx) => {
    const { posts } = await (await fresh(ctx)).open();
    for (const s1 of TARGET_STATES) {
      for (const s2 of TARGET_STATES) {
        const id = await posts.createPost(post(7), 1);
        const [t1, t2] = await posts.targets(id);
        await posts.updateTarget(t1!.id, null, { state: s1 }, 2);
        await posts.updateTarget(t2!.id, null, { state: s2 }, 2);
        const line = (await posts.listTsv({ status: postStatus([s1, s2]) })).toString().split('\n').find((l) => l.startsWith(`${id}\t`));
        expect(line, `${s1}+${s2}`).toBe(`${id}\t1970-01-01T00:00:00.007Z\t${postStatus([s1, s2])}\tx:${s1},linkedin:${s2}\thello`);
      }
    }
  });

  it('schedule list views: the default view, each filter, counts and TSV agree', async (ctx) => {
    const { posts } = await (await fresh(ctx)).open();
    const now = Date.parse('2026-12-06T12:00:00Z');
    const seeded = await seedPosts(posts, now);
    const attention = { attentionSince: now - 7 * DAY };
    expect((await posts.listSummaries(attention)).map((p) => p.id)).toEqual(defaultView(seeded, now).map((p) => p.id));
    expect(await posts.countPosts(attention)).toBe(DEFAULT_VIEW_SIZE);
    expect(await posts.countPosts()).toBe(TOTAL_POSTS);
    expect((await posts.listSummaries(attention, 3)).map((p) => p.status)).toEqual(['scheduled', 'failed', 'failed']);
    for (const f of [{ status: 'failed' }, { platform: 'tiktok' as const }, { since: now, until: now + 10 * 3_600_000 }, { ...attention, platform: 'linkedin' as const }]) {
      const rows = await posts.listSummaries(f);
      const tsv = (await posts.listTsv(f)).toString();
      expect(tsv ? tsv.split('\n').map((l) => Number(l.split('\t')[0])) : []).toEqual(rows.map((r) => r.id));
      expect(await posts.countPosts(f)).toBe(rows.length);
    }
    const [first] = await posts.listSummaries({}, 1);
    expect(first).toMatchObject({ id: seeded[0]!.id, scheduledAt: seeded[0]!.at, tz: 'UTC' });
    const long = await posts.createPost({ ...post(now), text: `  tab\there\nline ${'é'.repeat(90)}  ` }, now);
    const line = (await posts.listTsv({ since: now, until: now })).toString().split('\n').find((l) => l.startsWith(`${long}\t`))!;
    expect(line.split('\t')[4]).toBe(`tab here line ${'é'.repeat(65)}…`);
  });

  it('retry and reconnect: findTargets, conditional re-arm, adopting a former connection\'s targets', async (ctx) => {
    const k = await fresh(ctx);
    const { store, posts } = await k.open();
    await store.insertConnection(connection('old', 'x', 'brand', 'u1'), 1);
    const p1 = await posts.createPost(post(0, [{ platform: 'x', connectionId: 'old' }]), 1);
    const p2 = await posts.createPost(post(0, [{ platform: 'x', connectionId: 'old' }]), 1);
    const [t1] = await posts.targets(p1);
    const [t2] = await posts.targets(p2);
    await posts.updateTarget(t1!.id, null, { state: 'failed', errorClass: 'transient' }, 2);
    expect((await posts.findTargets({ states: ['failed'], platforms: ['x'] })).map((t) => t.id)).toEqual([t1!.id]);
    const rearms = await Promise.all([posts.rearm(t1!.id, ['failed'], { state: 'scheduled', attempts: 0 }, 3), posts.rearm(t1!.id, ['failed'], { state: 'scheduled', attempts: 0 }, 3)]);
    expect(rearms.filter(Boolean)).toHaveLength(1);
    expect((await posts.listSummaries()).find((p) => p.id === p1)?.status).toBe('scheduled');
    await posts.claim(t2!.id, 'A', 60_000, 5);
    await store.deleteConnection('old', 6);
    await store.insertConnection(connection('new', 'x', 'brand', 'u1'), 7);
    expect(await posts.adoptTargets('x', connectionIdentity({ accountId: 'u1' }), 'new', 8)).toBe(1); // the claimed one stays
    expect((await posts.targets(p1))[0]).toMatchObject({ connectionId: 'new', state: 'scheduled', updatedAt: 8 });
    expect((await posts.targets(p2))[0]!.connectionId).toBe('old');
  });
});
