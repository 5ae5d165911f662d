import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { postStoreFor, type PostStore } from '../store/posts.js';
import { POST_STATUSES, type PostStatus } from '../publish/post-status.js';
import { PLATFORMS } from '../providers/types.js';
import { listView, moreLine, type ListFlags, type ListView } from './schedule-list-view.js';

/** Public JSON schema of `schedule list --json` (an array). Stable: add fields, never rename. */
export interface ScheduleListEntry {
  id: number;
  /** ISO 8601 UTC. */
  scheduledAt: string;
  tz: string;
  status: PostStatus;
  targets: { platform: string; state: string }[];
  text: string;
}

export type { ListFlags } from './schedule-list-view.js';

export function registerScheduleList(schedule: Command, { deps }: CommandContext): void {
  schedule
    .command('list')
    .description('list upcoming posts and recent failures (--all: every post) with their per-platform state')
    .option('--status <status>', `only posts with this status, any time (${POST_STATUSES.join('|')})`)
    .option('--platform <platform>', `only posts with a target on this platform (${PLATFORMS.join('|')})`)
    .option('--since <time>', 'only posts scheduled at or after this time ("YYYY-MM-DD HH:MM" in the system zone, ISO, or relative: -7d, -12h, +2d)')
    .option('--until <time>', 'only posts scheduled at or before this time (same forms as --since)')
    .option('-L, --limit <n>', 'show at most n posts (default 30)')
    .option('--all', 'every post, no limit (with the filters given)')
    .option('--json', 'print JSON (fields: docs/json.md), paged the same way')
    .addHelpText('after', `
Without --status, --since, --until or --all, the list shows what needs you: posts still to
publish (scheduled, publishing or unconfirmed, overdue ones included) and posts that failed or
were partly published in the last 7 days. At most 30 rows are shown, in time order, terminal or
not: when there are more, a last line on stderr says how many and how to see them. Piped, the
output is tab-separated (id, ISO time, status, platform:state list, text); scripts that need
every post pass --all.

Examples:
  $ socialync schedule list
  $ socialync schedule list --status failed --json
  $ socialync schedule list --platform tiktok --since -30d --limit 100
  $ socialync schedule list --since "2026-12-01 00:00" --until "2026-12-31 23:59"
  $ socialync schedule list --all | cut -f1,3`)
    .action(async (o: ListFlags) => runScheduleListAction(deps, o));
}

/** The action of `schedule list`. */
export async function runScheduleListAction(deps: Deps, o: ListFlags): Promise<void> {
  const view = await listView(deps, o);
  const posts = postStoreFor(await deps.store());
  if (!o.json && !deps.io.stdoutIsTTY) {
    // Piped: TSV with ISO times, formatted by SQLite in one pass (fast for 100,000 posts).
    const lines = await posts.listTsv(view.filter, fetchLimit(view));
    const shown = countLines(lines, view.limit);
    if (shown.bytes.length) deps.io.outBytes(shown.bytes);
    return footer(deps, posts, view, shown.rows, shown.more);
  }
  const page = await listPage(posts, view);
  if (o.json) await printJson(deps.io, page.rows, o.jq);
  else await renderTable(deps, posts, view, page.rows);
  await footer(deps, posts, view, page.rows.length, page.more);
}

/** One row more than the page, so a full page knows whether anything follows without counting. */
const fetchLimit = (view: ListView) => (view.limit === undefined ? undefined : view.limit + 1);

function countLines(bytes: Buffer, limit: number | undefined): { bytes: Buffer; rows: number; more: boolean } {
  if (!bytes.length) return { bytes, rows: 0, more: false };
  let rows = 1;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (rows === limit) return { bytes: bytes.subarray(0, i), rows, more: true };
    rows++;
  }
  return { bytes, rows, more: false };
}

async function listPage(posts: PostStore, view: ListView): Promise<{ rows: ScheduleListEntry[]; more: boolean }> {
  const found = await posts.listSummaries(view.filter, fetchLimit(view));
  const more = view.limit !== undefined && found.length > view.limit;
  const rows = (more ? found.slice(0, view.limit) : found).map((s) => ({
    id: s.id,
    scheduledAt: new Date(s.scheduledAt).toISOString(),
    tz: s.tz,
    status: s.status as PostStatus,
    targets: s.targets,
    text: s.text,
  }));
  return { rows, more };
}

/** The last line on stderr when rows were left out: how many, and the flag that shows them. */
async function footer(deps: Deps, posts: PostStore, view: ListView, shown: number, more: boolean): Promise<void> {
  if (!more) return;
  deps.io.info(moreLine(view, shown, await posts.countPosts(view.filter)));
}

/** `schedule list` as data: the posts the flags select, at most one page (tests). */
export async function runScheduleList(deps: Deps, o: ListFlags): Promise<ScheduleListEntry[]> {
  const view = await listView(deps, o);
  return (await listPage(postStoreFor(await deps.store()), view)).rows;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

const HEAD = ['ID', 'WHEN', 'STATUS', 'TARGETS', 'TEXT'];
/** TEXT's most columns; it takes what the window leaves, down to its least (the other columns never shrink). */
const TEXT_MAX = 60;
const TEXT_MIN = 10;

const STATE_COLOR: Record<string, 'green' | 'yellow' | 'red' | 'magenta' | 'gray' | undefined> = {
  published: 'green',
  partial: 'yellow',
  publishing: 'yellow',
  failed: 'red',
  unconfirmed: 'magenta',
  cancelled: 'gray',
};

async function renderTable(deps: Deps, posts: PostStore, view: ListView, rows: ScheduleListEntry[]): Promise<void> {
  if (!rows.length) return deps.io.info(await emptyHint(posts, view));
  const [{ Chalk }, { formatInZone }, { columns, lastColumnRoom }, { truncate }] = await Promise.all([import('chalk'), import('../publish/time.js'), import('../core/columns.js'), import('../core/text-width.js')]);
  const chalk = new Chalk({ level: deps.io.color ? 1 : 0 });
  const cells = rows.map((r) => [
    String(r.id),
    `${formatInZone(Date.parse(r.scheduledAt), r.tz)} ${r.tz}`,
    r.status,
    r.targets.map((t) => `${t.platform} ${t.state}`),
  ]);
  const room = Math.min(TEXT_MAX, Math.max(TEXT_MIN, lastColumnRoom(HEAD, cells, deps.io.columns)));
  rows.forEach((r, i) => cells[i]!.push(truncate(oneLine(r.text), room)));
  const paint = (col: number, text: string, padded: string): string => {
    if (col === -1) return chalk.bold(padded);
    if (col !== 2 && col !== 3) return padded;
    const color = STATE_COLOR[col === 2 ? text : (text.split(' ')[1] ?? '')];
    return color ? chalk[color](padded) : padded;
  };
  deps.io.out(columns(HEAD, cells, paint));
}

async function emptyHint(posts: PostStore, view: ListView): Promise<string> {
  if (!(await posts.hasPosts())) return 'no posts; add one with: socialync schedule add';
  if (view.isDefault) return 'nothing to publish and no failures in the last 7 days; every post: socialync schedule list --all';
  return 'no posts match; every post: socialync schedule list --all';
}
