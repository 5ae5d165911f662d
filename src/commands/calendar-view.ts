/**
 * The terminal grid of `schedule calendar`. Week: days across, hours down, one short label per
 * post (its minute, its platforms, its id while there is room). Month: whole weeks, each day
 * with its post count and what needs a look. The grid fits the width it is given (80 columns
 * work); every state shows as a mark as well as a colour, so it reads the same without colour.
 */
import type { ChalkInstance } from 'chalk';
import { truncate, width } from '../core/text-width.js';
import { hourRows, inRow, type Calendar, type CalendarDay, type CalendarPost, type HourRow } from '../publish/calendar.js';
import type { PostStatus } from '../publish/post-status.js';

/** Two letters per platform, so three platforms fit a narrow column. */
const SHORT: Record<string, string> = {
  instagram: 'IG', facebook: 'FB', tiktok: 'TT', youtube: 'YT', x: 'X', linkedin: 'LI',
  bluesky: 'BS', mastodon: 'MA', threads: 'TH', pinterest: 'PI',
};
const shortName = (platform: string): string => SHORT[platform] ?? platform.slice(0, 2).toUpperCase();

/** The mark each state carries in front of a label (none for a post still to publish). */
const MARK: Partial<Record<PostStatus, string>> = { published: '✓', failed: '✗', partial: '~', unconfirmed: '?', publishing: '»', cancelled: '-' };
const COLOUR: Partial<Record<PostStatus, 'green' | 'red' | 'yellow' | 'magenta' | 'cyan' | 'gray'>> = {
  published: 'green', failed: 'red', partial: 'yellow', unconfirmed: 'magenta', publishing: 'cyan', cancelled: 'gray',
};
const RECONNECT_MARK = '!';

export interface GridOptions {
  width: number;
  chalk: ChalkInstance;
}

/** A post's label in at most `room` columns: marks, then its platforms, its minute, its id. */
function postLabel(p: CalendarPost, room: number): string {
  const marks = `${p.reconnectBefore.length ? RECONNECT_MARK : ''}${MARK[p.status] ?? ''}`;
  const platforms = p.platforms.map(shortName).join(',');
  const minute = `:${p.time.slice(3)}`;
  for (const parts of [[marks + minute, platforms, `#${p.id}`], [marks + minute, platforms], [marks + platforms]]) {
    const text = parts.filter(Boolean).join(' ');
    if (width(text) <= room) return text;
  }
  return truncate(marks + platforms, room);
}

const paintPost = (chalk: ChalkInstance, p: CalendarPost, padded: string): string => {
  const c = COLOUR[p.status];
  return c ? chalk[c](padded) : padded;
};

const padTo = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

/** The width of a day column (without the space before it) for `gutter` columns of labels. */
const columnWidth = (width: number, gutter: number) => Math.max(4, Math.floor((width - gutter) / 7) - 1);

const GUTTER = 5;

export function weekGrid(cal: Calendar, o: GridOptions): string[] {
  const col = columnWidth(o.width, GUTTER);
  const head = padTo('', GUTTER) + cal.days.map((d) => ' ' + o.chalk.bold(padTo(truncate(dayHead(d, col), col), col))).join('');
  const rule = padTo('', GUTTER) + cal.days.map(() => ' ' + '─'.repeat(col)).join('');
  const rows = hourRows(cal);
  if (!rows.length) return [head.trimEnd(), rule, `${padTo('', GUTTER)} no posts this week`];
  const out = [head.trimEnd(), rule];
  for (const r of rows) out.push(...hourBlock(cal, r, col, o.chalk));
  return out;
}

/** "Mon 07" (the day's number in its month). */
const dayHead = (d: CalendarDay, col: number) => (col >= 10 ? `${d.weekday} ${d.date.slice(5)}` : `${d.weekday} ${d.date.slice(8)}`);

/** One hour's lines: as many as the busiest day has posts in that hour. */
function hourBlock(cal: Calendar, r: HourRow, col: number, chalk: ChalkInstance): string[] {
  const cells = cal.days.map((d) => d.posts.filter((p) => inRow(p, r)));
  const height = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let k = 0; k < height; k++) {
    const gutter = k === 0 ? hourLabel(r) : '';
    const parts = cells.map((c) => {
      const p = c[k];
      return ' ' + (p ? paintPost(chalk, p, padTo(postLabel(p, col), col)) : padTo('', col));
    });
    lines.push((padTo(gutter, GUTTER) + parts.join('')).trimEnd());
  }
  return lines;
}

/** "09h"; an hour that happens twice shows its offset: "02+2", "02+1". */
function hourLabel(r: HourRow): string {
  const h = String(r.hour).padStart(2, '0');
  if (!r.repeated) return `${h}h`;
  const o = r.offsetMin / 60;
  return `${h}${o >= 0 ? '+' : '-'}${Math.abs(Math.trunc(o))}`;
}

const ORDER: PostStatus[] = ['failed', 'partial', 'unconfirmed', 'publishing', 'scheduled', 'published', 'cancelled'];

export function monthGrid(cal: Calendar, o: GridOptions): string[] {
  const col = Math.max(6, Math.floor(o.width / 7) - 1);
  const cell = (s: string) => padTo(truncate(s, col), col);
  const out = [cal.days.slice(0, 7).map((d) => o.chalk.bold(cell(d.weekday))).join(' ').trimEnd()];
  for (let w = 0; w < cal.days.length; w += 7) {
    const week = cal.days.slice(w, w + 7);
    out.push(week.map(() => '─'.repeat(col)).join(' '));
    out.push(week.map((d) => (d.inPeriod ? cell(String(Number(d.date.slice(8)))) : o.chalk.dim(cell(d.date.slice(5))))).join(' ').trimEnd());
    out.push(week.map((d) => paintCount(o.chalk, d, cell(countLine(d)))).join(' ').trimEnd());
    out.push(week.map((d) => cell(attentionLine(d))).join(' ').trimEnd());
  }
  return out;
}

function countLine(d: CalendarDay): string {
  const n = d.posts.length;
  return n ? `${n} post${n === 1 ? '' : 's'}` : '';
}

/** What needs a look on that day: failed, unconfirmed, and posts whose connection runs out first. */
function attentionLine(d: CalendarDay): string {
  const parts: string[] = [];
  for (const s of ['failed', 'partial', 'unconfirmed'] as PostStatus[]) if (d.counts[s]) parts.push(`${MARK[s]}${d.counts[s]}`);
  const reconnect = d.posts.filter((p) => p.reconnectBefore.length).length;
  if (reconnect) parts.push(`${RECONNECT_MARK}${reconnect}`);
  return parts.join(' ');
}

/** A day's count in the colour of its most urgent state. */
function paintCount(chalk: ChalkInstance, d: CalendarDay, padded: string): string {
  const worst = ORDER.find((s) => d.counts[s]);
  const c = worst ? COLOUR[worst] : undefined;
  return c ? chalk[c](padded) : padded;
}

/** The legend under the grid: the marks that appear in it, one line. */
export function legend(cal: Calendar): string {
  const seen = new Set(cal.days.flatMap((d) => d.posts.map((p) => p.status)));
  const parts = ORDER.filter((s) => seen.has(s) && MARK[s]).map((s) => `${MARK[s]} ${s}`);
  if (cal.days.some((d) => d.posts.some((p) => p.reconnectBefore.length))) parts.push(`${RECONNECT_MARK} reconnect needed first (socialync status)`);
  return parts.join(' · ');
}
