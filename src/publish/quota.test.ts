/**
 * Quotas known ahead (src/publish/quota.ts) at their boundaries: just under, at and over each
 * limit; YouTube's day ends at midnight Pacific Time; Instagram's window slides over 24 hours;
 * X counts 15 minutes per user and 24 hours per app; cancelled and failed targets do not count.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';
import { SqlitePostStore } from '../store/posts.js';
import type { PlatformId } from '../providers/types.js';
import { busiestWindow, quotaWarnings } from './quota.js';

let dir: string;
let store: SqliteStore;
let posts: SqlitePostStore;
const MIN = 60_000;
const HOUR = 60 * MIN;
const conns = [
  { id: 'yt1', platform: 'youtube' as PlatformId, name: 'one' },
  { id: 'yt2', platform: 'youtube' as PlatformId, name: 'two' },
  { id: 'ig1', platform: 'instagram' as PlatformId, name: 'shop' },
  { id: 'ig2', platform: 'instagram' as PlatformId, name: 'blog' },
  { id: 'x1', platform: 'x' as PlatformId, name: 'alice' },
  { id: 'x2', platform: 'x' as PlatformId, name: 'bob' },
];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quota-'));
  store = openSqliteStore(join(dir, 'state.db'));
  posts = new SqlitePostStore(store.db);
  for (const c of conns) {
    await store.insertConnection(
      { id: c.id, platform: c.platform, name: c.name, accountId: c.id, username: null, displayName: null, accountType: null, scopes: [], accessExpiresAt: null, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: null, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {} },
      0,
    );
  }
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (v: Record<string, number> = {}) => ({ get: <T>(k: string) => v[k] as T | undefined });
const at = (iso: string) => Date.parse(iso);
const post = (when: number, ...connectionIds: string[]) => ({
  scheduledAt: when,
  tz: 'UTC',
  targets: connectionIds.map((id) => ({ platform: conns.find((c) => c.id === id)!.platform, connectionId: id })),
});
async function add(when: number, ...ids: string[]): Promise<number> {
  return posts.createPost({ text: 't', options: {}, overrides: {}, localTime: '', media: [], ...post(when, ...ids) }, 0);
}
const warn = (when: number, cfg: Record<string, number>, ...ids: string[]) => quotaWarnings(posts, conns, config(cfg), post(when, ...ids));

describe('quotas known ahead', () => {
  it('YouTube: uploads of every account count against the project, per Pacific Time day', async () => {
    const cfg = { 'quota.youtube.uploadsPerDay': 3 };
    // 2026-12-07 in Pacific Time (UTC-8) runs from 08:00 UTC to 08:00 UTC the next day.
    await add(at('2026-12-07T09:00:00Z'), 'yt1');
    await add(at('2026-12-07T20:00:00Z'), 'yt2');
    await add(at('2026-12-07T07:59:00Z'), 'yt1'); // still 2026-12-06 in Pacific Time
    expect(await warn(at('2026-12-08T07:30:00Z'), cfg, 'yt1')).toEqual([]); // 3 of 3: at the limit
    await add(at('2026-12-08T07:30:00Z'), 'yt1');
    const over = await warn(at('2026-12-08T07:59:00Z'), cfg, 'yt2');
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ platform: 'youtube', account: null, day: '2026-12-07', count: 4, limit: 3, setting: 'quota.youtube.uploadsPerDay' });
    expect(over[0]!.message).toMatch(/^youtube \(all accounts: the app's quota\) would have 4 uploads on 2026-12-07 \(Pacific Time day\), over the limit of 3/);
    expect(await warn(at('2026-12-08T08:00:00Z'), cfg, 'yt2')).toEqual([]); // midnight Pacific: a new day
  });

  it('YouTube default: 100 uploads a day (the videos.insert bucket)', async () => {
    for (let i = 0; i < 99; i++) await add(at('2026-12-07T12:00:00Z') + i * MIN, i % 2 ? 'yt1' : 'yt2');
    expect(await warn(at('2026-12-07T18:00:00Z'), {}, 'yt1')).toEqual([]); // the 100th
    await add(at('2026-12-07T18:00:00Z'), 'yt1');
    expect((await warn(at('2026-12-07T19:00:00Z'), {}, 'yt1'))[0]).toMatchObject({ count: 101, limit: 100 });
  });

  it('Instagram: per account, in any 24 hours (a moving window), default 50', async () => {
    const t = at('2026-12-07T12:00:00Z');
    for (let i = 0; i < 49; i++) await add(t - 23 * HOUR + i * MIN, 'ig1');
    await add(t, 'ig2'); // another account does not count
    expect(await warn(t, {}, 'ig1')).toEqual([]); // 50 of 50
    await add(t, 'ig1');
    const over = await warn(t + 30 * MIN, {}, 'ig1');
    expect(over[0]).toMatchObject({ platform: 'instagram', account: 'shop', count: 51, limit: 50, setting: 'quota.instagram.postsPer24h', day: '2026-12-06' });
    // 24 hours after the first of them the window has moved on.
    expect(await warn(t - 23 * HOUR + 24 * HOUR + 49 * MIN, {}, 'ig1')).toEqual([]);
  });

  it('X: per user in 15 minutes, and per app in 24 hours; failed and cancelled targets do not count', async () => {
    const t = at('2026-12-07T09:00:00Z');
    const cfg = { 'quota.x.postsPer15Min': 2, 'quota.x.appPostsPer24h': 5 };
    await add(t, 'x1');
    const failed = await add(t + MIN, 'x1');
    const [ft] = await posts.targets(failed);
    await posts.updateTarget(ft!.id, null, { state: 'failed' }, 0);
    expect(await warn(t + 2 * MIN, cfg, 'x1')).toEqual([]); // 2 of 2
    await add(t + 2 * MIN, 'x1');
    expect((await warn(t + 14 * MIN, cfg, 'x1')).map((w) => w.setting)).toEqual(['quota.x.postsPer15Min']);
    expect(await warn(t + 17 * MIN + 1, cfg, 'x1')).toEqual([]); // both earlier ones are over 15 minutes back
    await add(t + 3 * HOUR, 'x2');
    await add(t + 4 * HOUR, 'x2');
    expect(await warn(t + 5 * HOUR, cfg, 'x2')).toEqual([]); // 5 of 5 for the app
    await add(t + 5 * HOUR, 'x2');
    expect((await warn(t + 6 * HOUR, cfg, 'x2')).map((w) => [w.setting, w.account, w.count])).toEqual([['quota.x.appPostsPer24h', null, 6]]);
  });

  it('busiestWindow finds the fullest window that holds the new post', () => {
    expect(busiestWindow([], 100, 10)).toEqual({ count: 1, start: 100 });
    expect(busiestWindow([91, 95, 99, 105, 109, 110], 100, 10)).toEqual({ count: 4, start: 91 });
    expect(busiestWindow([90, 110], 100, 10)).toEqual({ count: 1, start: 100 });
  });
});
