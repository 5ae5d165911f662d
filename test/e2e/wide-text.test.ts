/**
 * Account names and post text with CJK characters, emoji and combining marks, through the
 * built binary in a real terminal (tmux) at 80 columns: in `status` and `schedule list` every
 * row's columns start at the same terminal column as the heading's, no line is wider than the
 * window, and a name too long for its column is cut with "…" without splitting a character;
 * an all-ASCII table never loads the Unicode tables; completion cuts post text by columns.
 * Columns are measured by the terminal itself (terminal-columns.ts), not by the code under
 * test. Build first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY } from '../../src/core/clock.js';
import { postStoreFor } from '../../src/store/posts.js';
import type { PlatformId } from '../../src/providers/types.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { hasTmux, terminalRun } from '../helpers/terminal.js';
import { terminalColumns } from '../helpers/terminal-columns.js';

const FAMILY_TEAM = '👩‍👩‍👧‍👦team';
const NAMES: Partial<Record<PlatformId, string>> = {
  instagram: '東京アカウント',
  tiktok: FAMILY_TEAM,
  x: 'cafe\u0301-🇯🇵',
  // Too long for 80 columns with the other columns: ACCOUNT gives way.
  youtube: '東京アカウント東京アカウント東京',
  linkedin: 'plain-brand',
};
const CJK_POST = '東京で新しい店がオープンしました！週末はぜひお越しください。🎉 詳しくはプロフィールのリンクから';
const FAMILY_POST = `${FAMILY_TEAM} の写真 🇯🇵 cafe\u0301`;

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;

async function addPost(text: string, inDays: number, platforms: PlatformId[]): Promise<void> {
  const posts = postStoreFor(await pp.deps.store());
  const targets = platforms.map((platform) => ({ platform, connectionId: pp.conns[platform]!.id }));
  await posts.createPost({ text, options: {}, overrides: {}, scheduledAt: Date.now() + inDays * DAY, tz: 'Asia/Tokyo', localTime: '', media: [], targets }, Date.now());
}

beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['instagram', 'tiktok', 'x', 'youtube', 'linkedin'] });
  const store = await pp.deps.store();
  for (const [p, name] of Object.entries(NAMES)) await store.updateConnection(pp.conns[p as PlatformId]!.id, { name }, Date.now());
  await addPost(CJK_POST, 1, ['x', 'tiktok']);
  await addPost('plain ASCII text of a post that is long enough to be cut at eighty columns', 2, ['x']);
  await addPost(FAMILY_POST, 3, ['instagram']);
  await addPost(`${'a'.repeat(59)}🎉 and more`, 4, ['x']);
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

/** Where each cell of a line starts: after a run of two or more spaces (cells hold single spaces at most). */
const cellStarts = (line: string) => [...(/^\S/.test(line) ? [0] : []), ...[...line.matchAll(/ {2,}(?=\S)/g)].map((m) => m.index + m[0].length)];

/**
 * Each line's cell starts and width in terminal columns, as tmux measures them. The screen
 * gives a long emoji sequence back shortened, so it is put back whole before measuring.
 */
async function layout(lines: string[]): Promise<{ line: string; starts: number[]; width: number }[]> {
  const originals = [FAMILY_TEAM];
  const shown = await terminalColumns(originals);
  const whole = lines.map((l) => originals.reduce((s, o, i) => (shown[i]!.shown === o ? s : s.split(shown[i]!.shown).join(o)), l));
  const prefixes = whole.map((l) => cellStarts(l).map((i) => l.slice(0, i)));
  const measured = await terminalColumns([...whole, ...prefixes.flat()]);
  let k = whole.length;
  return whole.map((line, i) => ({ line, width: measured[i]!.columns, starts: prefixes[i]!.map(() => measured[k++]!.columns) }));
}

const narrowEnough = (rows: { line: string; width: number }[], cols: number) => {
  for (const r of rows) expect(r.width, `wider than ${cols} columns:\n${r.line}`).toBeLessThanOrEqual(cols);
};

describe.skipIf(!hasTmux)('CJK, emoji and combining marks in a real terminal at 80 columns', () => {
  it('status: every row starts its columns where the heading does; the long name is cut with "…", no line passes 80', async () => {
    const r = await terminalRun(['status'], env, { cols: 80 });
    const rows = await layout(r.lines);
    narrowEnough(rows, 80);
    const head = rows.find((x) => x.line.startsWith('PLATFORM'))!;
    expect(head.line).toMatch(/^PLATFORM\s+ACCOUNT\s+HEALTH\s+ACCESS\s+RECONNECT\s+LAST REFRESH$/);
    const table = rows.filter((x) => /^(instagram|tiktok|x|youtube|linkedin) /.test(x.line));
    expect(table).toHaveLength(5);
    for (const row of table) expect(row.starts, row.line).toEqual(head.starts);
    const text = table.map((x) => x.line).join('\n');
    expect(text).toContain('東京アカウント (@');
    expect(text).toMatch(new RegExp(`^tiktok +${FAMILY_TEAM} `, 'm'));
    expect(text).toContain('cafe\u0301-🇯🇵 (@');
    // Cut by columns and graphemes: what is left of the long name is whole characters, then "…".
    expect(text).toMatch(/^youtube\s+東京アカウント[^\s…]*…\s/m);
  });

  it('schedule list: CJK and emoji post text in line with the heading, TEXT cut to the window', async () => {
    const r = await terminalRun(['schedule', 'list'], env, { cols: 80 });
    expect(r.code).toBe(0);
    const rows = await layout(r.lines);
    narrowEnough(rows, 80);
    const head = rows.find((x) => x.line.startsWith('ID'))!;
    expect(head.line).toMatch(/^ID\s+WHEN\s+STATUS\s+TARGETS\s+TEXT$/);
    const posts = rows.filter((x) => /^\d+ /.test(x.line));
    expect(posts).toHaveLength(4);
    for (const row of posts) expect(row.starts, row.line).toEqual(head.starts);
    // A second target continues under TARGETS.
    const more = rows.filter((x) => /^ +\S+ scheduled$/.test(x.line));
    expect(more.length).toBeGreaterThan(0);
    for (const row of more) expect(row.starts).toEqual([head.starts[3]]);
    const text = posts.map((x) => x.line).join('\n');
    expect(text).toMatch(/ 東京で新しい店\S*…$/m);
    expect(text).toMatch(new RegExp(` ${FAMILY_TEAM} の写真\\S*…$`, 'm'));
    // The TEXT column takes what is left up to the window's edge (within a character of it).
    for (const row of posts.filter((x) => x.line.endsWith('…'))) expect(row.width).toBeGreaterThanOrEqual(79);
  });

  it('an all-ASCII table (with its bars and marks) never loads the Unicode width tables: no Intl.Segmenter is built', async () => {
    // Building the first Intl.Segmenter loads ICU data (about 10 ms): only text that needs it pays.
    const probe = join(mkdtempSync(join(tmpdir(), 'socialync-probe-')), 'segmenter.cjs');
    writeFileSync(probe, `const S = Intl.Segmenter; Intl.Segmenter = class extends S { constructor(...a) { super(...a); process.stderr.write('SEGMENTER BUILT\\n'); } };`);
    const probed = { ...env, NODE_OPTIONS: `--require ${probe}` };
    const ascii = await terminalRun(['status', 'linkedin'], probed, { cols: 80 });
    expect(ascii.lines.join('\n')).toMatch(/^linkedin\s+plain-brand .*█/m);
    expect(ascii.lines.join('\n')).not.toContain('SEGMENTER BUILT');
    const wide = await terminalRun(['status', 'instagram'], probed, { cols: 80 });
    expect(wide.lines.join('\n')).toContain('東京アカウント');
    expect(wide.lines.join('\n')).toContain('SEGMENTER BUILT');
  });
});

describe('completion of post ids', () => {
  it('describes each post with 60 columns of its text, never half a character', async () => {
    const r = await runCli(['__complete', 'posts'], env);
    const descriptions = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[1]!);
    expect(descriptions).toContain(FAMILY_POST);
    expect(descriptions).toContain('東京で新しい店がオープンしました！週末はぜひお越しください。'); // 30 characters, 60 columns
    expect(descriptions).toContain('a'.repeat(59)); // the emoji at columns 60-61 does not fit whole
    for (const d of descriptions) expect(d).not.toMatch(/[\ud800-\udfff\ufffd]/u); // a lone surrogate or a replacement mark
  });
});
