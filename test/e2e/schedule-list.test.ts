/**
 * `schedule list` from the built binary (bin/socialync.cjs, piped as scripts and cron run it):
 * the default view pages at 30 with a last stderr line naming --limit and --all; each flag
 * selects what it says. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { DEFAULT_VIEW_SIZE, TOTAL_POSTS, defaultView, seedListPosts, type SeededPost } from '../helpers/list-posts.js';

const HOUR = 3_600_000;
const home = mkdtempSync(join(tmpdir(), 'socialync-list-e2e-'));
let seeded: SeededPost[];
let now: number;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  now = Date.now();
  seeded = await seedListPosts(home, now);
  env = cliEnv({ SOCIALYNC_HOME: home, TZ: 'UTC' });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function list(argv: string[]) {
  const r = await runCli(['schedule', 'list', ...argv], env);
  return { ...r, ids: r.stdout.split('\n').filter(Boolean).map((l) => Number(l.split('\t')[0])) };
}
const ids = (posts: SeededPost[]) => posts.map((p) => p.id);
const more = (n: number, of: number) => `Showing ${n} of ${of} posts to publish or failed in the last 7 days; use --limit N for more, or --all for every post\n`;

describe('socialync schedule list (built CLI)', () => {
  it('default: 30 TSV rows of what needs you, the "N more" line last on stderr, exit 0', async () => {
    const r = await list([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ids).toEqual(ids(defaultView(seeded, now).slice(0, 30)));
    for (const line of r.stdout.trimEnd().split('\n')) expect(line.split('\t')).toHaveLength(5);
    expect(r.stderr).toBe(more(30, DEFAULT_VIEW_SIZE));
  });

  it('--limit and --all', async () => {
    const five = await list(['--limit', '5']);
    expect(five.ids).toEqual(ids(defaultView(seeded, now).slice(0, 5)));
    expect(five.stderr).toBe(more(5, DEFAULT_VIEW_SIZE));
    const all = await list(['--all']);
    expect(all.ids).toEqual(ids(seeded));
    expect(all.ids).toHaveLength(TOTAL_POSTS);
    expect(all.stderr).toBe('');
    expect((await list(['--all', '--limit', '3'])).code).toBe(3);
  });

  it('--status and --platform', async () => {
    const failed = await list(['--status', 'failed']);
    expect(failed.ids).toEqual(ids(seeded.filter((p) => p.status === 'failed')));
    expect(failed.stdout).toMatch(/^\d+\t\S+Z\tfailed\tx:failed\tfailed post 0$/m);
    const published = await list(['--status', 'published', '--limit', '10']);
    expect(published.ids).toEqual(ids(seeded.filter((p) => p.status === 'published').slice(0, 10)));
    expect(published.stderr).toBe('Showing 10 of 14 matching posts; use --limit N or --all to see more\n');
    const tiktok = await list(['--platform', 'tiktok']);
    expect(tiktok.ids).toEqual(ids(seeded.filter((p) => p.platforms.includes('tiktok'))));
    expect(tiktok.ids).toHaveLength(20);
    expect((await list(['--platform', 'myspace'])).code).toBe(3);
  });

  it('--since/--until: relative and ISO', async () => {
    const window = await list(['--since', '-50h', '--until', '+150m']);
    expect(window.ids).toEqual(ids(seeded.filter((p) => p.at >= now - 50 * HOUR && p.at <= now + 150 * 60_000)));
    expect(window.ids).toHaveLength(7); // 3 failed, 1 partial, 1 unconfirmed, 2 upcoming
    const iso = await list(['--since', new Date(now + 9.5 * HOUR).toISOString(), '--until', new Date(now + 12.5 * HOUR).toISOString()]);
    expect(iso.ids).toEqual(ids(seeded.filter((p) => p.at >= now + 9.5 * HOUR && p.at <= now + 12.5 * HOUR)));
    expect(iso.ids).toHaveLength(3);
  });

  it('--json pages the same way; --all --json has every post', async () => {
    const page = await list(['--json']);
    expect((JSON.parse(page.stdout) as { id: number }[]).map((r) => r.id)).toEqual(ids(defaultView(seeded, now).slice(0, 30)));
    expect(page.stderr).toBe(more(30, DEFAULT_VIEW_SIZE));
    const all = await list(['--all', '--json']);
    expect((JSON.parse(all.stdout) as { id: number }[]).map((r) => r.id)).toEqual(ids(seeded));
    expect(all.stderr).toBe('');
  });
});
