import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, DAY, HOUR } from '../core/clock.js';
import { makeTestDeps } from '../../test/helpers/deps.js';
import { DEFAULT_VIEW_SIZE, TOTAL_POSTS, defaultView, seedListPosts, type SeededPost } from '../../test/helpers/list-posts.js';
import type { ScheduleListEntry } from './schedule-list.js';
import { count } from './schedule-list-view.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const home = mkdtempSync(join(tmpdir(), 'schedule-list-'));
let seeded: SeededPost[];
beforeAll(async () => {
  seeded = await seedListPosts(home, NOW);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function list(argv: string[], o: { tty?: boolean } = {}) {
  const t = makeTestDeps({ home, tty: o.tty ?? false, env: { TZ: 'UTC' }, over: { clock: { ...systemClock, now: () => NOW } } });
  const code = await t.run(['schedule', 'list', ...argv]);
  const out = t.stdout();
  return { code, out, err: t.stderr(), ids: out.split('\n').filter(Boolean).map((l) => Number(l.split('\t')[0])) };
}
const ids = (posts: SeededPost[]) => posts.map((p) => p.id);
const DEFAULT_MORE = (n: number, of: number) => `Showing ${n} of ${of} posts to publish or failed in the last 7 days; use --limit N for more, or --all for every post\n`;

describe('schedule list: default view and paging', () => {
  it('piped: 30 TSV rows of the default view in time order; the last stderr line says how many more and how to see them', async () => {
    const r = await list([]);
    expect(r.code).toBe(0);
    expect(r.ids).toEqual(ids(defaultView(seeded, NOW).slice(0, 30)));
    expect(r.out.split('\n')[0]).toMatch(/^\d+\t2026-11-06T12:00:00\.000Z\tscheduled\tx:scheduled\tscheduled post 0$/);
    expect(r.err).toBe(DEFAULT_MORE(30, DEFAULT_VIEW_SIZE));
  });

  it('--limit N pages the same view; a page that holds everything prints no footer', async () => {
    expect(await list(['--limit', '5'])).toMatchObject({ ids: ids(defaultView(seeded, NOW).slice(0, 5)), err: DEFAULT_MORE(5, DEFAULT_VIEW_SIZE) });
    expect(await list(['-L', String(DEFAULT_VIEW_SIZE - 1)])).toMatchObject({ err: DEFAULT_MORE(DEFAULT_VIEW_SIZE - 1, DEFAULT_VIEW_SIZE) });
    const exact = await list(['--limit', String(DEFAULT_VIEW_SIZE)]);
    expect(exact).toMatchObject({ ids: ids(defaultView(seeded, NOW)), err: '' });
    expect((await list(['--limit', '1000'])).err).toBe('');
  });

  it('--all: every post, published and cancelled too, no footer', async () => {
    const r = await list(['--all']);
    expect(r.ids).toEqual(ids(seeded));
    expect(r.ids).toHaveLength(TOTAL_POSTS);
    expect(r.err).toBe('');
  });

  it('--status, --platform, --since/--until select; the footer counts the selection', async () => {
    const failed = await list(['--status', 'failed']);
    expect(failed.ids).toEqual(ids(seeded.filter((p) => p.status === 'failed')));
    expect(failed.ids).toHaveLength(5); // the old failures too: --status is any time
    const published = await list(['--status', 'published', '--limit', '4']);
    expect(published.ids).toEqual(ids(seeded.filter((p) => p.status === 'published').slice(0, 4)));
    expect(published.err).toBe('Showing 4 of 14 matching posts; use --limit N or --all to see more\n');
    const tiktok = await list(['--platform', 'tiktok']);
    expect(tiktok.ids).toEqual(ids(seeded.filter((p) => p.platforms.includes('tiktok'))));
    expect(tiktok.err).toBe('');
    const window = await list(['--since', '-3d', '--until', '+2h']);
    expect(window.ids).toEqual(ids(seeded.filter((p) => p.at >= NOW - 3 * DAY && p.at <= NOW + 2 * HOUR)));
    expect(window.ids.length).toBeGreaterThan(5);
    const local = await list(['--since', '2026-12-06 13:00', '--until', '2026-12-06T15:00:00Z']);
    expect(local.ids).toEqual(ids(seeded.filter((p) => p.at >= NOW + HOUR && p.at <= NOW + 3 * HOUR)));
    expect(local.ids).toHaveLength(3);
  });

  it('--json pages the same way (same footer on stderr); --all --json has everything', async () => {
    const page = await list(['--json']);
    const rows = JSON.parse(page.out) as ScheduleListEntry[];
    expect(rows.map((r) => r.id)).toEqual(ids(defaultView(seeded, NOW).slice(0, 30)));
    expect(rows[0]).toEqual({ id: rows[0]!.id, scheduledAt: '2026-11-06T12:00:00.000Z', tz: 'UTC', status: 'scheduled', targets: [{ platform: 'x', state: 'scheduled' }], text: 'scheduled post 0' });
    expect(page.err).toBe(DEFAULT_MORE(30, DEFAULT_VIEW_SIZE));
    const all = await list(['--all', '--json']);
    expect((JSON.parse(all.out) as ScheduleListEntry[]).map((r) => r.id)).toEqual(ids(seeded));
    expect(all.err).toBe('');
  });

  it('on a terminal: a table of 30 rows and the same footer; --quiet drops the footer', async () => {
    const r = await list([], { tty: true });
    expect(r.out).toMatch(/^ID +WHEN +STATUS +TARGETS +TEXT/);
    expect(r.out.split('\n').filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(' ')[0]))).toEqual(ids(defaultView(seeded, NOW).slice(0, 30)));
    expect(r.err).toBe(DEFAULT_MORE(30, DEFAULT_VIEW_SIZE));
    expect((await list(['--quiet'])).err).toBe('');
  });

  it('an empty view says why and how to see every post', async () => {
    const r = await list(['--platform', 'facebook'], { tty: true });
    expect(r.out).toBe('');
    expect(r.err).toBe('nothing to publish and no failures in the last 7 days; every post: socialync schedule list --all\n');
    const none = await list(['--status', 'publishing'], { tty: true });
    expect(none.err).toBe('no posts match; every post: socialync schedule list --all\n');
  });

  it('bad flags are usage errors (exit 3) that name the fix', async () => {
    const cases: [string[], RegExp][] = [
      [['--limit', '0'], /--limit "0" is not a whole number of posts\n {2}use e\.g\. --limit 100, or --all/],
      [['--limit', '2.5'], /--limit "2\.5" is not a whole number/],
      [['--limit', 'ten'], /--limit "ten" is not a whole number/],
      [['--all', '--limit', '5'], /--all and --limit cannot be combined/],
      [['--platform', 'myspace'], /unknown platform "myspace"\n {2}use one of: instagram, facebook, tiktok, youtube, x, linkedin/],
      [['--status', 'bogus'], /unknown status "bogus"/],
      [['--since', 'yesterday'], /--since: cannot read the time "yesterday"\n {2}use --since "YYYY-MM-DD HH:MM" \(UTC\)/],
      [['--until', '2026-02-30 10:00'], /--until: "2026-02-30 10:00" is not a valid date and time/],
      [['--since', '+1d', '--until', '-1d'], /--since is later than --until/],
    ];
    for (const [argv, msg] of cases) {
      const r = await list(argv);
      expect(r.code, argv.join(' ')).toBe(3);
      expect(r.err, argv.join(' ')).toMatch(msg);
      expect(r.out).toBe('');
    }
  });
});

describe("the footer's numbers", () => {
  it('group thousands with commas, as en-US formatting does (without loading ICU)', () => {
    for (const n of [0, 7, 999, 1000, 1001, 12_345, 100_000, 999_999, 1_000_000, 1_234_567_890]) expect(count(n)).toBe(n.toLocaleString('en-US'));
  });
});
