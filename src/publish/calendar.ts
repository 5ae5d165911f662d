/**
 * The buckets of `schedule calendar`: which local days a week or month view covers in a zone,
 * and which posts fall on each day and hour there. Pure (times, zone and posts in; buckets out),
 * so the terminal grid and `--json` show the same buckets. Days are local calendar days of the
 * zone, so a day across a DST change has 23 or 25 hours; an hour that happens twice (clocks go
 * back) is told apart by its UTC offset.
 */
import { dayStart, localParts } from './time.js';
import type { PostStatus } from './post-status.js';

export type CalendarView = 'week' | 'month';

/** A post as the calendar shows it. */
export interface CalendarPost {
  id: number;
  /** ISO 8601 UTC. */
  scheduledAt: string;
  /** The zone's wall clock, "HH:MM". */
  time: string;
  /** Minutes east of UTC at that time (tells the two 02:30s of a fall-back night apart). */
  offsetMin: number;
  status: PostStatus;
  platforms: string[];
  text: string;
  /** Connections of this post that need a reconnect before its time (or now, for a past post). */
  reconnectBefore: { platform: string; account: string; reconnectBy: string }[];
}

export interface CalendarDay {
  /** Local date in the zone, "YYYY-MM-DD". */
  date: string;
  weekday: string;
  /** Month view: false for the days of the neighbouring months that fill the first and last week. */
  inPeriod: boolean;
  posts: CalendarPost[];
  /** Posts per status on this day. */
  counts: Partial<Record<PostStatus, number>>;
}

export interface Calendar {
  view: CalendarView;
  tz: string;
  /** First instant shown (ISO, UTC) and the instant after the last. */
  from: string;
  until: string;
  days: CalendarDay[];
}

export interface Period {
  view: CalendarView;
  tz: string;
  days: { date: string; weekday: string; start: number; inPeriod: boolean }[];
  from: number;
  until: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const pad = (n: number) => String(n).padStart(2, '0');
const dateOf = (y: number, mo: number, d: number) => `${y}-${pad(mo)}-${pad(d)}`;

/** Calendar arithmetic on plain dates (UTC noon avoids any zone question). */
function plusDays(y: number, mo: number, d: number, n: number): [number, number, number] {
  const t = new Date(Date.UTC(y, mo - 1, d + n, 12));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/** 0 = Monday ... 6 = Sunday. */
const weekdayIndex = (y: number, mo: number, d: number) => (new Date(Date.UTC(y, mo - 1, d, 12)).getUTCDay() + 6) % 7;

/**
 * The local days of the week (Monday to Sunday) or month (whole weeks, Monday first) that hold
 * the local date `anchor` ("YYYY-MM-DD") in `tz`.
 */
export function periodOf(view: CalendarView, anchor: string, tz: string): Period {
  const [y, mo, d] = anchor.split('-').map(Number) as [number, number, number];
  let first: [number, number, number];
  let count: number;
  if (view === 'week') {
    first = plusDays(y, mo, d, -weekdayIndex(y, mo, d));
    count = 7;
  } else {
    first = plusDays(y, mo, 1, -weekdayIndex(y, mo, 1));
    const daysInMonth = new Date(Date.UTC(y, mo, 0, 12)).getUTCDate();
    const lead = weekdayIndex(y, mo, 1);
    count = Math.ceil((lead + daysInMonth) / 7) * 7;
  }
  const days = Array.from({ length: count }, (_, i) => {
    const [dy, dmo, dd] = plusDays(...first, i);
    return { date: dateOf(dy, dmo, dd), weekday: WEEKDAYS[i % 7]!, start: dayStart(dy, dmo, dd, tz), inPeriod: view === 'week' || dmo === mo };
  });
  const after = plusDays(...first, count);
  return { view, tz, days, from: days[0]!.start, until: dayStart(...after, tz) };
}

/** The local date "YYYY-MM-DD" of an instant in a zone. */
export function localDate(u: number, tz: string): string {
  const l = localParts(u, tz);
  return dateOf(l.y, l.mo, l.d);
}

export interface PostInput extends Omit<CalendarPost, 'time' | 'offsetMin' | 'scheduledAt'> {
  at: number;
}

/** Puts each post on its local day (posts outside the period are left out), in time order. */
export function bucket(period: Period, posts: PostInput[]): Calendar {
  const byDate = new Map(period.days.map((d) => [d.date, { date: d.date, weekday: d.weekday, inPeriod: d.inPeriod, posts: [] as CalendarPost[], counts: {} as CalendarDay['counts'] }]));
  for (const p of [...posts].sort((a, b) => a.at - b.at || a.id - b.id)) {
    if (p.at < period.from || p.at >= period.until) continue;
    const l = localParts(p.at, period.tz);
    const day = byDate.get(dateOf(l.y, l.mo, l.d));
    if (!day) continue;
    const { at, ...rest } = p;
    day.posts.push({ ...rest, scheduledAt: new Date(at).toISOString(), time: `${pad(l.h)}:${pad(l.mi)}`, offsetMin: l.offsetMin });
    day.counts[p.status] = (day.counts[p.status] ?? 0) + 1;
  }
  return { view: period.view, tz: period.tz, from: new Date(period.from).toISOString(), until: new Date(period.until).toISOString(), days: [...byDate.values()] };
}

/** A week view's rows: each local hour that holds a post, split by UTC offset when an hour repeats. */
export interface HourRow {
  hour: number;
  offsetMin: number;
  /** True when this hour appears with two offsets in the view (the night clocks go back). */
  repeated: boolean;
}

export function hourRows(cal: Calendar): HourRow[] {
  const keys = new Map<string, HourRow>();
  for (const day of cal.days) {
    for (const p of day.posts) {
      const hour = Number(p.time.slice(0, 2));
      keys.set(`${hour}|${p.offsetMin}`, { hour, offsetMin: p.offsetMin, repeated: false });
    }
  }
  const rows = [...keys.values()].sort((a, b) => a.hour - b.hour || b.offsetMin - a.offsetMin);
  for (const r of rows) r.repeated = rows.some((o) => o !== r && o.hour === r.hour);
  return rows;
}

export const inRow = (p: CalendarPost, r: HourRow): boolean => Number(p.time.slice(0, 2)) === r.hour && p.offsetMin === r.offsetMin;
