/**
 * `schedule calendar` through the built binary, in a real terminal (tmux) at 80 and 120
 * columns: the week of Europe/Berlin's fall-back night (2026-10-25, 02:00-03:00 happens twice)
 * shows both 02:30 posts on their own rows, a post at 00:30 local (22:30 UTC the day before) on
 * the local day, marks and colours by state, and a post whose connection needs a reconnect
 * before its time marked "!". The month view and --json carry the same buckets. Build first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/core/clock.js';
import { postStoreFor } from '../../src/store/posts.js';
import type { TargetState } from '../../src/store/posts.js';
import type { PlatformId } from '../../src/providers/types.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { hasTmux, terminalRun } from '../helpers/terminal.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
const ids: Record<string, number> = {};
let soon = 0;

async function seed(name: string, at: string | number, targets: [PlatformId, TargetState][]): Promise<void> {
  const posts = postStoreFor(await pp.deps.store());
  const when = typeof at === 'number' ? at : Date.parse(at);
  const now = Date.now();
  const id = await posts.createPost(
    { text: `${name} post`, options: {}, overrides: {}, scheduledAt: when, tz: 'Europe/Berlin', localTime: '', media: [], targets: targets.map(([platform]) => ({ platform, connectionId: pp.conns[platform]!.id })) },
    now,
  );
  const stored = await posts.targets(id);
  for (const [i, [, state]] of targets.entries()) if (state !== 'scheduled') await posts.updateTarget(stored[i]!.id, null, { state }, now);
  ids[name] = id;
}

beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x', 'linkedin', 'tiktok'] });
  await seed('monday', '2026-10-19T07:15:00Z', [['x', 'published'], ['linkedin', 'published']]); // 09:15 CEST
  await seed('early', '2026-10-25T00:30:00Z', [['x', 'published']]); // 02:30 CEST, the first 02:30
  await seed('late', '2026-10-25T01:30:00Z', [['linkedin', 'failed']]); // 02:30 CET, the second 02:30
  await seed('midnight', '2026-10-24T22:30:00Z', [['x', 'unconfirmed'], ['tiktok', 'unconfirmed']]); // Sunday 00:30 CEST
  // A post in ten days whose TikTok connection runs out in five.
  soon = Date.now() + 10 * DAY;
  await seed('future', soon, [['tiktok', 'scheduled'], ['x', 'scheduled']]);
  const store = await pp.deps.store();
  await store.updateConnection(pp.conns.tiktok!.id, { refreshExpiresAt: Date.now() + 5 * DAY, refreshExpiresEstimated: false }, Date.now());
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const fits = (lines: string[], cols: number) => {
  for (const l of lines) expect(l.length, `wider than ${cols} columns:\n${l}`).toBeLessThanOrEqual(cols);
};

const WEEK = ['schedule', 'calendar', '--date', '2026-10-25', '--tz', 'Europe/Berlin'];

describe.skipIf(!hasTmux)('schedule calendar in a real terminal', () => {
  for (const cols of [80, 120]) {
    it(`the fall-back week fits ${cols} columns: both 02:30s on their own rows, Sunday 00:30 on Sunday`, async () => {
      const r = await terminalRun(WEEK, env, { cols });
      expect(r.code).toBe(0);
      fits(r.lines, cols);
      expect(r.lines[0]).toBe('Week of 2026-10-19 to 2026-10-25 · Europe/Berlin');
      expect(r.lines[1]).toMatch(/^\s+Mon (10-)?19\s+Tue (10-)?20 .*Sun (10-)?25$/);
      const col = Math.floor((cols - 5) / 7) - 1;
      // Sunday is the 7th column: 5 gutter columns, then " " + col per day.
      const sunday = (line: string) => line.slice(5 + 6 * (col + 1) + 1).trim();
      const monday = (line: string) => line.slice(6, 6 + col).trim();
      const row = (label: string) => r.lines.filter((l) => l.startsWith(label));
      expect(row('00h').map(sunday)).toEqual([expect.stringMatching(/^\?:30 X,TT/)]);
      expect(row('02+2').map(sunday)).toEqual([expect.stringMatching(/^✓:30 X/)]);
      expect(row('02+1').map(sunday)).toEqual([expect.stringMatching(/^✗:30 LI/)]);
      expect(row('09h').map(monday)).toEqual([expect.stringMatching(/^✓:15 X,LI/)]);
      if (cols >= 120) expect(row('09h')[0]).toContain(`#${ids.monday}`);
      expect(r.lines.findIndex((l) => l.startsWith('02+2'))).toBeLessThan(r.lines.findIndex((l) => l.startsWith('02+1')));
      expect(r.lines.join('\n')).toMatch(/✓ published · ✗ failed|✗ failed .* ✓ published/);
      expect(r.coloured).not.toMatch(/\u001b\[[\d;]*m/);
    });
  }

  it('with colours, each label carries its state colour (green published, red failed, magenta unconfirmed)', async () => {
    const { NO_COLOR: _n, ...coloured } = env;
    const r = await terminalRun(WEEK, coloured, { cols: 100 });
    expect(r.code).toBe(0);
    expect(r.coloured).toMatch(/\u001b\[32m✓:30 X/);
    expect(r.coloured).toMatch(/\u001b\[31m✗:30 LI/);
    expect(r.coloured).toMatch(/\u001b\[35m\?:30 X,TT/);
  });

  it('the month view at 80 columns: counts per day and what needs a look', async () => {
    const r = await terminalRun(['schedule', 'calendar', '--month', '--date', '2026-10-01', '--tz', 'Europe/Berlin'], env, { cols: 80 });
    expect(r.code).toBe(0);
    fits(r.lines, 80);
    expect(r.lines[0]).toBe('October 2026 · Europe/Berlin');
    const dayLine = r.lines.findIndex((l) => /^19\s+20\s+21\s+22\s+23\s+24\s+25$/.test(l));
    expect(dayLine).toBeGreaterThan(0);
    const cellOf = (line: string, i: number) => line.slice(i * 11, i * 11 + 10).trim();
    expect(cellOf(r.lines[dayLine + 1]!, 0)).toBe('1 post');
    expect(cellOf(r.lines[dayLine + 1]!, 6)).toBe('3 posts');
    expect(cellOf(r.lines[dayLine + 1]!, 5)).toBe('');
    expect(cellOf(r.lines[dayLine + 2]!, 6)).toBe('✗1 ?1');
  });

  it('a post whose connection needs a reconnect before its time is marked "!" and the legend says why', async () => {
    const day = new Date(soon).toISOString().slice(0, 10);
    const r = await terminalRun(['schedule', 'calendar', '--date', day, '--tz', 'UTC'], env, { cols: 120 });
    expect(r.code).toBe(0);
    expect(r.lines.join('\n')).toMatch(new RegExp(`!:\\d\\d TT,X #${ids.future}`));
    expect(r.lines.join('\n')).toContain('! reconnect needed first (socialync status)');
  });
});

describe('schedule calendar --json and bad input', () => {
  it('--json has the same buckets: local days, both offsets of the repeated hour, marks as data', async () => {
    const r = await runCli([...WEEK, '--json'], env);
    expect(r.code).toBe(0);
    const cal = JSON.parse(r.stdout);
    expect(cal).toMatchObject({ view: 'week', tz: 'Europe/Berlin', from: '2026-10-18T22:00:00.000Z', until: '2026-10-25T23:00:00.000Z' });
    expect(cal.days).toHaveLength(7);
    const sunday = cal.days[6];
    expect(sunday.date).toBe('2026-10-25');
    expect(sunday.posts.map((p: { id: number; time: string; offsetMin: number }) => [p.id, p.time, p.offsetMin])).toEqual([
      [ids.midnight, '00:30', 120],
      [ids.early, '02:30', 120],
      [ids.late, '02:30', 60],
    ]);
    expect(sunday.counts).toEqual({ unconfirmed: 1, published: 1, failed: 1 });
    expect(cal.days[5].posts).toEqual([]);
  });

  it('--json names the connection that runs out before a post', async () => {
    const r = await runCli(['schedule', 'calendar', '--date', new Date(soon).toISOString().slice(0, 10), '--tz', 'UTC', '--json'], env);
    const post = JSON.parse(r.stdout).days.flatMap((d: { posts: unknown[] }) => d.posts).find((p: { id: number }) => p.id === ids.future);
    expect(post.reconnectBefore).toEqual([{ platform: 'tiktok', account: 'alice', reconnectBy: expect.stringMatching(/^\d{4}-/) }]);
  });

  it('bad input: one line naming the fix, exit 3 (usage), and nothing printed to stdout', async () => {
    for (const [args, fix] of [
      [['--date', '2026-02-30'], /use --date YYYY-MM-DD/],
      [['--tz', 'Mars/Olympus'], /IANA zone/],
      [['--week', '--month'], /pass one of them/],
    ] as const) {
      const r = await runCli(['schedule', 'calendar', ...args], env);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(fix);
    }
  });
});
