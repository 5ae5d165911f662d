/**
 * A state database for `schedule list` tests: 63 posts around `now` in every status, written
 * through the post store (as `schedule add` and the publisher write them).
 */
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { postStoreFor, type PostStore, type TargetState } from '../../src/store/posts.js';
import type { PlatformId } from '../../src/providers/types.js';
import { DAY, HOUR } from '../../src/core/clock.js';

export interface SeededPost {
  id: number;
  at: number;
  status: string;
  platforms: PlatformId[];
}

/** Per group: how many, when (from now), the targets and the states they end in. */
const groups: { n: number; at: (i: number) => number; targets: [PlatformId, TargetState][] | ((i: number) => [PlatformId, TargetState][]); status: string }[] = [
  // The default view: 46 posts (40 upcoming, 1 overdue, 3 failed and 1 partial within 7 days, 1 unconfirmed).
  { n: 40, at: (i) => (i + 1) * HOUR, targets: (i) => (i % 2 ? [['tiktok', 'scheduled']] : [['x', 'scheduled'], ['linkedin', 'scheduled']]), status: 'scheduled' },
  { n: 1, at: () => -30 * DAY, targets: [['x', 'scheduled']], status: 'scheduled' },
  { n: 3, at: (i) => -2 * DAY + i * HOUR, targets: [['x', 'failed']], status: 'failed' },
  { n: 1, at: () => -1 * DAY, targets: [['x', 'published'], ['linkedin', 'failed']], status: 'partial' },
  { n: 1, at: () => -1 * HOUR, targets: [['youtube', 'unconfirmed']], status: 'unconfirmed' },
  // Not in it: old failures, published history, a cancelled post.
  { n: 2, at: (i) => -20 * DAY - i * HOUR, targets: [['x', 'failed']], status: 'failed' },
  { n: 14, at: (i) => -(i + 3) * DAY, targets: [['x', 'published'], ['linkedin', 'published']], status: 'published' },
  { n: 1, at: () => 5 * HOUR + 30 * 60_000, targets: [['x', 'cancelled']], status: 'cancelled' },
];

export const DEFAULT_VIEW_SIZE = 46;
export const TOTAL_POSTS = 63;

/** Seeds `home`/state.db; returns the posts in time order. */
export async function seedListPosts(home: string, now: number): Promise<SeededPost[]> {
  const store = openSqliteStore(join(home, 'state.db'));
  try {
    return await seedPosts(postStoreFor(store), now);
  } finally {
    await store.close();
  }
}

/** Seeds any post store (the store contract suite runs it on SQLite and PostgreSQL). */
export async function seedPosts(posts: PostStore, now: number): Promise<SeededPost[]> {
  const out: SeededPost[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.n; i++) {
      const at = now + g.at(i);
      const targets = typeof g.targets === 'function' ? g.targets(i) : g.targets;
      const id = await posts.createPost(
        { text: `${g.status} post ${i}`, options: {}, overrides: {}, scheduledAt: at, tz: 'UTC', localTime: '', media: [], targets: targets.map(([platform]) => ({ platform, connectionId: `c-${platform}` })) },
        now,
      );
      for (const [t, [, state]] of (await posts.targets(id)).map((t, k) => [t, targets[k]!] as const)) {
        if (state !== 'scheduled') await posts.updateTarget(t.id, null, { state }, now);
      }
      out.push({ id, at, status: g.status, platforms: targets.map(([p]) => p) });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.id - b.id);
}

/** The posts of the default view (to publish, or failed/partial in the last 7 days), in order. */
export function defaultView(seeded: SeededPost[], now: number): SeededPost[] {
  return seeded.filter((p) => ['scheduled', 'publishing', 'unconfirmed'].includes(p.status) || (['failed', 'partial'].includes(p.status) && p.at >= now - 7 * DAY));
}
