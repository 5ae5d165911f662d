import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from './sqlite.js';
import { countPosts, hasPosts, listPosts, listStatement, listTsv, type ListStatement, type PostListFilter } from './post-list.js';
import { DAY, HOUR } from '../core/clock.js';
import { DEFAULT_VIEW_SIZE, TOTAL_POSTS, defaultView, seedListPosts, type SeededPost } from '../../test/helpers/list-posts.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'post-list-'));
let store: SqliteStore;
let seeded: SeededPost[];
beforeAll(async () => {
  seeded = await seedListPosts(dir, NOW);
  store = openSqliteStore(join(dir, 'state.db'));
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const attention = { attentionSince: NOW - 7 * DAY };
const ids = (f: PostListFilter, limit?: number) => listPosts(store.db, f, limit).map((p) => p.id);

describe('schedule list queries', () => {
  it('the default view: posts still to publish (overdue too) and failures of the last 7 days, in time order', () => {
    const want = defaultView(seeded, NOW);
    expect(want).toHaveLength(DEFAULT_VIEW_SIZE);
    expect(ids(attention)).toEqual(want.map((p) => p.id));
    expect(ids(attention, 30)).toEqual(want.slice(0, 30).map((p) => p.id));
    expect(countPosts(store.db, attention)).toBe(DEFAULT_VIEW_SIZE);
    // Overdue first (30 days ago), then the failures, the unconfirmed post, then what is coming.
    expect(listPosts(store.db, attention, 7).map((p) => p.status)).toEqual(['scheduled', 'failed', 'failed', 'failed', 'partial', 'unconfirmed', 'scheduled']);
  });

  it('every filter narrows the same way in rows, TSV and count', () => {
    const cases: [PostListFilter, (p: SeededPost) => boolean][] = [
      [{}, () => true],
      [{ status: 'failed' }, (p) => p.status === 'failed'],
      [{ platform: 'tiktok' }, (p) => p.platforms.includes('tiktok')],
      [{ ...attention, platform: 'x' }, (p) => defaultView([p], NOW).length === 1 && p.platforms.includes('x')],
      [{ since: NOW - 3 * DAY, until: NOW + 2 * HOUR }, (p) => p.at >= NOW - 3 * DAY && p.at <= NOW + 2 * HOUR],
      [{ status: 'published', since: NOW - 5 * DAY }, (p) => p.status === 'published' && p.at >= NOW - 5 * DAY],
    ];
    for (const [f, keep] of cases) {
      const want = seeded.filter(keep);
      expect(want.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(ids(f), JSON.stringify(f)).toEqual(want.map((p) => p.id));
      expect(countPosts(store.db, f), JSON.stringify(f)).toBe(want.length);
      const tsv = listTsv(store.db, f, 3).toString().split('\n');
      expect(tsv.map((l) => Number(l.split('\t')[0])), JSON.stringify(f)).toEqual(want.slice(0, 3).map((p) => p.id));
    }
    expect(countPosts(store.db, {})).toBe(TOTAL_POSTS);
    expect(listPosts(store.db, { status: 'partial' })[0]).toMatchObject({ status: 'partial', targets: [{ platform: 'x', state: 'published' }, { platform: 'linkedin', state: 'failed' }] });
  });

  it('an empty database has no posts; an empty view is empty bytes', () => {
    const empty = openSqliteStore(join(dir, 'empty.db'));
    try {
      expect(hasPosts(empty.db)).toBe(false);
      expect(listTsv(empty.db, attention, 31).length).toBe(0);
      expect(countPosts(empty.db, attention)).toBe(0);
    } finally {
      void empty.close();
    }
    expect(hasPosts(store.db)).toBe(true);
  });

  it('EXPLAIN QUERY PLAN: every limited view and its count read index ranges, never every post or target', () => {
    // The default view may walk posts_pending whole: it holds only posts still to publish.
    const fullScan = /^SCAN (posts|targets|t)\b(?! USING (COVERING )?INDEX posts_pending\b)/;
    const views: PostListFilter[] = [
      attention,
      { ...attention, platform: 'tiktok' },
      { status: 'failed' },
      { status: 'failed', platform: 'x', since: NOW - DAY },
      { since: NOW - 7 * DAY },
      { until: NOW },
      { since: NOW - DAY, until: NOW + DAY, platform: 'x' },
    ];
    for (const f of views) {
      for (const kind of ['rows', 'tsv', 'count'] as ListStatement[]) {
        const q = listStatement(kind, f, kind === 'count' ? undefined : 31);
        const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[]).map((r) => r.detail);
        expect(plan.filter((d) => fullScan.test(d)), `${kind} ${JSON.stringify(f)}:\n${plan.join('\n')}`).toEqual([]);
        expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX posts_(pending|failing|status|when)/);
      }
    }
    // The default view is the two partial indexes merged in order: no sort of all pending posts.
    const q = listStatement('rows', attention, 31);
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/MERGE \(UNION ALL\)[\s\S]*SCAN posts USING INDEX posts_pending[\s\S]*SEARCH posts USING INDEX posts_failing \(scheduled_at>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY[\s\S]*posts_pending/);
  });
});
