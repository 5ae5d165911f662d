import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { postStoreFor } from '../store/posts.js';
import { POST_STATUSES, postStatus, type PostStatus } from '../publish/post-status.js';

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

export function registerScheduleList(schedule: Command, { deps }: CommandContext): void {
  schedule
    .command('list')
    .description('list scheduled and past posts with their per-platform state')
    .option('--status <status>', `only posts with this status (${POST_STATUSES.join('|')})`)
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync schedule list
  $ socialync schedule list --status failed --json`)
    .action(async (o: { status?: string; json?: boolean; jq?: string }) => runScheduleListAction(deps, o));
}

/** The action of `schedule list` (also run by fast.ts without commander). */
export async function runScheduleListAction(deps: Deps, o: { status?: string; json?: boolean; jq?: string }): Promise<void> {
  if (!o.json && !deps.io.stdoutIsTTY) {
    // Piped: TSV with ISO times, formatted by SQLite in one pass (fast for 10,000 posts).
    checkStatus(o.status);
    const lines = await postStoreFor(await deps.store()).listTsv(o.status ? { status: o.status } : {});
    if (lines.length) deps.io.outBytes(lines);
    return;
  }
  const rows = await runScheduleList(deps, o);
  if (o.json) return await printJson(deps.io, rows, o.jq);
  await renderTable(deps, rows);
}

function checkStatus(status: string | undefined): void {
  if (status && !POST_STATUSES.includes(status as PostStatus)) {
    throw new UsageError(`unknown status "${status}"`, `use one of: ${POST_STATUSES.join(', ')}`);
  }
}

export async function runScheduleList(deps: Deps, o: { status?: string }): Promise<ScheduleListEntry[]> {
  checkStatus(o.status);
  const posts = postStoreFor(await deps.store());
  const out: ScheduleListEntry[] = [];
  for (const s of await posts.listSummaries()) {
    const status = postStatus(s.targets.map((t) => t.state));
    if (o.status && status !== o.status) continue;
    out.push({ id: s.id, scheduledAt: new Date(s.scheduledAt).toISOString(), tz: s.tz, status, targets: s.targets, text: s.text });
  }
  return out;
}

const oneLine = (s: string, n: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? t.slice(0, n - 1) + '…' : t;
};

const STATE_COLOR: Record<string, 'green' | 'yellow' | 'red' | 'magenta' | 'gray' | undefined> = {
  published: 'green',
  partial: 'yellow',
  publishing: 'yellow',
  failed: 'red',
  unconfirmed: 'magenta',
  cancelled: 'gray',
};

async function renderTable(deps: Deps, rows: ScheduleListEntry[]): Promise<void> {
  if (!rows.length) return deps.io.info('no posts; add one with: socialync schedule add');
  const [{ Chalk }, { formatInZone }, { columns }] = await Promise.all([import('chalk'), import('../publish/time.js'), import('../core/columns.js')]);
  const chalk = new Chalk({ level: deps.io.color ? 1 : 0 });
  const cells = rows.map((r) => [
    String(r.id),
    `${formatInZone(Date.parse(r.scheduledAt), r.tz)} ${r.tz}`,
    r.status,
    r.targets.map((t) => `${t.platform} ${t.state}`),
    oneLine(r.text, 60),
  ]);
  const paint = (col: number, text: string, padded: string): string => {
    if (col === -1) return chalk.bold(padded);
    if (col !== 2 && col !== 3) return padded;
    const color = STATE_COLOR[col === 2 ? text : (text.split(' ')[1] ?? '')];
    return color ? chalk[color](padded) : padded;
  };
  deps.io.out(columns(['ID', 'WHEN', 'STATUS', 'TARGETS', 'TEXT'], cells, paint));
}
