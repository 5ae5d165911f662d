/**
 * Which posts `schedule list` shows, from its flags: the default view (what needs you), the
 * filters, the page size, and the line that says what was left out (as `gh issue list` does).
 */
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { DAY } from '../core/clock.js';
import type { PostListFilter } from '../store/posts.js';
import { PLATFORMS, isPlatform } from '../providers/types.js';
import { POST_STATUSES, type PostStatus } from '../publish/post-status.js';

/** The flags of `schedule list`, as commander gives them. */
export interface ListFlags {
  status?: string;
  platform?: string;
  since?: string;
  until?: string;
  limit?: string | number;
  all?: boolean;
  json?: boolean;
  jq?: string;
}

export interface ListView {
  filter: PostListFilter;
  /** Page size; undefined with --all. */
  limit: number | undefined;
  /** The default view (no --status, --since, --until or --all). */
  isDefault: boolean;
}

const DEFAULT_LIMIT = 30;
/** How far back the default view shows failures. */
const RECENT_FAILURES_MS = 7 * DAY;

export async function listView(deps: Deps, o: ListFlags): Promise<ListView> {
  checkStatus(o.status);
  if (o.all && o.limit !== undefined) throw new UsageError('--all and --limit cannot be combined', 'pass one of them');
  const filter: PostListFilter = {};
  if (o.status !== undefined) filter.status = o.status;
  if (o.platform !== undefined) {
    if (!isPlatform(o.platform)) throw new UsageError(`unknown platform "${o.platform}"`, `use one of: ${PLATFORMS.join(', ')}`);
    filter.platform = o.platform;
  }
  if (o.since !== undefined) filter.since = await timeBound(deps, '--since', o.since);
  if (o.until !== undefined) filter.until = await timeBound(deps, '--until', o.until);
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw new UsageError('--since is later than --until', 'swap them');
  }
  const isDefault = !o.all && o.status === undefined && o.since === undefined && o.until === undefined;
  if (isDefault) filter.attentionSince = deps.clock.now() - RECENT_FAILURES_MS;
  return { filter, limit: o.all ? undefined : pageSize(o.limit), isDefault };
}

function checkStatus(status: string | undefined): void {
  if (status !== undefined && !POST_STATUSES.includes(status as PostStatus)) {
    throw new UsageError(`unknown status "${status}"`, `use one of: ${POST_STATUSES.join(', ')}`);
  }
}

function pageSize(limit: string | number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  const n = Number(limit);
  if (!Number.isSafeInteger(n) || n < 1 || !/^\s*\d+\s*$/.test(String(limit))) {
    throw new UsageError(`--limit "${limit}" is not a whole number of posts`, 'use e.g. --limit 100, or --all for every post');
  }
  return n;
}

const PAST_RE = /^-\s*(\d+\s*[a-z]+)$/i;

/**
 * A --since/--until time, read like `schedule add --at` ("YYYY-MM-DD HH:MM" in the system zone,
 * ISO, "now", "+2d"), plus past relative times ("-7d", "-12h", "-30m"). A local time that
 * happens twice takes the reading that widens the window.
 */
async function timeBound(deps: Deps, flag: '--since' | '--until', input: string): Promise<number> {
  const { parseWhen, systemZone } = await import('../publish/time.js');
  const now = deps.clock.now();
  const zone = systemZone(deps.env);
  const past = PAST_RE.exec(input.trim());
  try {
    if (past) return now - (parseWhen(`+${past[1]}`, zone, now).at - now);
    return parseWhen(input, zone, now, flag === '--since' ? 'earlier' : 'later').at;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(`${flag}: ${e.message.replace(/--at /g, '')}`, `use ${flag} "YYYY-MM-DD HH:MM" (${zone}), an ISO time such as 2026-12-01T09:00Z, or a relative time such as -7d, -12h or +2d`);
  }
}

/**
 * 1234567 -> "1,234,567". Not toLocaleString: its first call loads ICU's number formatting,
 * about 12 ms of CPU, half of a bare Node start, on every paged `schedule list`.
 */
export const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "Showing 30 of 1,234 posts (...); use --limit N or --all" */
export function moreLine(view: ListView, shown: number, total: number): string {
  const what = view.isDefault ? 'posts to publish or failed in the last 7 days' : 'matching posts';
  const how = view.isDefault ? 'use --limit N for more, or --all for every post' : 'use --limit N or --all to see more';
  return `Showing ${count(shown)} of ${count(total)} ${what}; ${how}`;
}
