import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { iso } from '../core/format.js';
import { reconnectDeadline } from '../auth/deadlines.js';
import { postStoreFor, type PostStore } from '../store/posts.js';
import type { Connection } from '../store/types.js';
import type { PostStatus } from '../publish/post-status.js';
import { bucket, localDate, periodOf, type Calendar, type Period, type PostInput } from '../publish/calendar.js';
import { checkZone, systemZone } from '../publish/time.js';

/** Flags of `schedule calendar`, as commander gives them. */
export interface CalendarFlags {
  week?: boolean;
  month?: boolean;
  tz?: string;
  date?: string;
  json?: boolean;
  jq?: string;
}

export function registerScheduleCalendar(schedule: Command, { deps }: CommandContext): void {
  schedule
    .command('calendar')
    .description('draw the schedule as a week (days across, hours down) or a month grid')
    .option('--week', 'this week, Monday to Sunday (the default)')
    .option('--month', 'the whole month, one row per week')
    .option('--tz <zone>', 'the time zone of the grid (default: the system zone)')
    .option('--date <YYYY-MM-DD>', 'show the week or month holding this day (default: today)')
    .option('--json', 'print JSON with the same buckets (fields: docs/json.md)')
    .addHelpText('after', `
Each post shows as a short label: a mark for its state (✓ published, ✗ failed, ~ partly
published, ? unconfirmed, » publishing; none while scheduled), its minute, its platforms and its
id while there is room. "!" marks a post with a connection that needs a reconnect before the
post's time (socialync status says which and how). Colours repeat the marks; without colour
(NO_COLOR, piped) the grid reads the same.

Examples:
  $ socialync schedule calendar
  $ socialync schedule calendar --month --tz America/New_York
  $ socialync schedule calendar --date 2026-12-24 --json`)
    .action(async (o: CalendarFlags) => runScheduleCalendarAction(deps, o));
}

export async function runScheduleCalendarAction(deps: Deps, o: CalendarFlags): Promise<void> {
  const cal = await runScheduleCalendar(deps, o);
  if (o.json) return printJson(deps.io, cal, o.jq);
  const [{ Chalk }, view] = await Promise.all([import('chalk'), import('./calendar-view.js')]);
  const chalk = new Chalk({ level: deps.io.color ? 1 : 0 });
  const width = deps.io.stdoutIsTTY ? deps.io.columns : 80;
  const grid = cal.view === 'week' ? view.weekGrid(cal, { width, chalk }) : view.monthGrid(cal, { width, chalk });
  deps.io.out([title(cal), ...grid].join('\n'));
  const legend = view.legend(cal);
  if (legend) deps.io.info(legend);
}

/** `schedule calendar` as data: the period the flags select, with its posts in buckets. */
export async function runScheduleCalendar(deps: Deps, o: CalendarFlags): Promise<Calendar> {
  if (o.week && o.month) throw new UsageError('--week and --month cannot be combined', 'pass one of them');
  const tz = checkZone(o.tz ?? systemZone(deps.env));
  const now = deps.clock.now();
  const period = periodOf(o.month ? 'month' : 'week', anchorDate(o.date, tz, now), tz);
  const store = await deps.store();
  const conns = new Map((await store.listConnections()).map((c) => [c.id, c]));
  return bucket(period, await postsIn(postStoreFor(store), period, conns, now));
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function anchorDate(input: string | undefined, tz: string, now: number): string {
  if (input === undefined || input === 'today') return localDate(now, tz);
  const m = DATE_RE.exec(input.trim());
  const check = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : undefined;
  if (!m || !check || check.getUTCMonth() !== +m[2]! - 1 || check.getUTCDate() !== +m[3]!) {
    throw new UsageError(`--date "${input}" is not a date`, 'use --date YYYY-MM-DD, e.g. --date 2026-12-24, or --date today');
  }
  return input.trim();
}

/** Target states that still need their connection (a published or cancelled one does not). */
const OPEN = new Set(['scheduled', 'publishing', 'failed', 'unconfirmed']);

async function postsIn(posts: PostStore, period: Period, conns: Map<string, Connection>, now: number): Promise<PostInput[]> {
  const found = await posts.listSummaries({ since: period.from, until: period.until - 1 });
  const out: PostInput[] = [];
  for (const s of found) {
    const status = s.status as PostStatus;
    const open = status !== 'published' && status !== 'cancelled';
    out.push({
      id: s.id,
      at: s.scheduledAt,
      status,
      platforms: [...new Set(s.targets.map((t) => t.platform))],
      text: s.text,
      reconnectBefore: open ? await reconnectsBefore(posts, s.id, Math.max(s.scheduledAt, now), conns, now) : [],
    });
  }
  return out;
}

/** The connections of a post's open targets whose reconnect deadline comes before `by`. */
async function reconnectsBefore(posts: PostStore, postId: number, by: number, conns: Map<string, Connection>, now: number): Promise<PostInput['reconnectBefore']> {
  const out: PostInput['reconnectBefore'] = [];
  for (const t of await posts.targets(postId)) {
    if (!OPEN.has(t.state)) continue;
    const c = conns.get(t.connectionId);
    if (!c) {
      out.push({ platform: t.platform, account: '(disconnected)', reconnectBy: iso(now)! });
      continue;
    }
    const dl = reconnectDeadline(c, now);
    if (dl.at !== null && dl.at <= by) out.push({ platform: c.platform, account: c.name, reconnectBy: iso(dl.at)! });
  }
  return out;
}

function title(cal: Calendar): string {
  const first = cal.days.find((d) => d.inPeriod)!;
  const last = [...cal.days].reverse().find((d) => d.inPeriod)!;
  if (cal.view === 'month') {
    const name = new Date(`${first.date}T12:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    return `${name} · ${cal.tz}`;
  }
  return `Week of ${first.date} to ${last.date} · ${cal.tz}`;
}

