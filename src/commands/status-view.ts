/**
 * The terminal view of `status` (piped output and --json are in status.ts): one row per
 * connection that fits the window (80 columns work), a short reason word in HEALTH, and under
 * each row that needs attention the platform's message and the command that fixes it, as
 * `gh auth status` does. `status -v` adds every detail, unabridged.
 */
import type { ChalkInstance } from 'chalk';
import { DAY } from '../core/clock.js';
import type { ReconnectReason } from '../core/errors.js';
import { humanDuration, relativeTime } from '../core/format.js';
import { fitTable, type FitRow } from '../core/fit.js';
import { truncate, width } from '../core/text-width.js';
import type { Connection } from '../store/types.js';
import type { StatusEntry } from './status.js';

/** HEALTH's word for each stored reason (the long text is reasonText / reconnectReasonText). */
export const reasonWord: Record<ReconnectReason, string> = {
  refresh_token_expired: 'expired',
  token_expired: 'expired',
  password_changed: 'password changed',
  app_removed: 'app removed',
  platform_revoked: 'revoked',
  inactive: 'inactive',
  scope_missing: 'no permission',
  secret_missing: 'secret missing',
  refresh_interrupted: 'interrupted',
  unknown: 'invalid token',
};

type ConnectionFacts = Pick<Connection, 'platform' | 'meta' | 'createdAt' | 'refreshExpiresAt' | 'tokenObtainedAt' | 'lastRefreshAt'>;

/** A Google app in "Testing" status (7-day refresh tokens; see auth/deadlines.ts). */
function googleTesting(c: ConnectionFacts | undefined): boolean {
  if (!c || c.platform !== 'youtube') return false;
  return c.meta['googleTesting'] === 'true' || (c.refreshExpiresAt !== null && c.refreshExpiresAt - c.createdAt <= 8 * DAY);
}

export function healthWord(e: StatusEntry, c?: ConnectionFacts): string {
  if (e.health === 'healthy') return 'healthy';
  if (e.health === 'expiring') return googleTesting(c) ? 'app in Testing' : 'expiring';
  const reason = (e.reason ?? 'unknown') as ReconnectReason;
  if ((reason === 'refresh_token_expired' || reason === 'token_expired' || reason === 'unknown') && googleTesting(c)) return 'app in Testing';
  return reasonWord[reason] ?? 'needs reconnect';
}

export interface StatusViewOptions {
  now: number;
  width: number;
  verbose: boolean;
  chalk: ChalkInstance;
  /** The stored connection behind an entry (for facts the JSON does not carry). */
  connection(e: StatusEntry): ConnectionFacts | undefined;
}

const HEAD = ['PLATFORM', 'ACCOUNT', 'HEALTH', 'ACCESS', 'RECONNECT', 'LAST REFRESH'];
const ACCOUNT = 1;
const HEALTH = 2;
const DAYS = 4;

export function statusTable(entries: StatusEntry[], o: StatusViewOptions): string[] {
  const { chalk } = o;
  // The life bars only when the table fits with them: they never cost an account name or a reason.
  const barred = entries.map((e) => cells(e, o, true));
  const fitsWithBars = naturalWidth(HEAD, barred) <= o.width;
  const rows: FitRow[] = entries.map((e, i) => ({ cells: fitsWithBars ? barred[i]! : cells(e, o, false), detail: details(e, o) }));
  const colourOf = (e: StatusEntry) => (e.health === 'healthy' ? chalk.green : e.health === 'expiring' ? chalk.yellow : chalk.red);
  return fitTable(HEAD, rows, {
    width: o.width,
    shrink: ACCOUNT,
    paint: (col, _text, padded, row) => (row === -1 ? chalk.bold(padded) : col === HEALTH || col === DAYS ? colourOf(entries[row]!)(padded) : padded),
    // The fix (the last detail line) stays plain: it is meant to be copied.
    paintDetail: (line, ri, k) => (k === rows[ri]!.detail!.length - 1 && entries[ri]!.fix ? line : chalk.dim(line)),
  });
}

function cells(e: StatusEntry, o: StatusViewOptions, bar: boolean): string[] {
  const account = e.username && e.username !== e.account ? `${e.account} (@${e.username})` : e.account;
  return [e.platform, account, healthWord(e, o.connection(e)), access(e, o.now), days(e, bar), lastActivity(e, o)];
}

const GAP = 2;
const naturalWidth = (head: string[], rows: string[][]) =>
  head.reduce((sum, h, i) => sum + Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))), 0) + GAP * (head.length - 1);

/** How long the access token lives: nothing for a dead connection, whose token is no use. */
function access(e: StatusEntry, now: number): string {
  if (e.health === 'needs_reconnect') return '-';
  if (!e.accessExpiresAt) return 'never';
  const left = Date.parse(e.accessExpiresAt) - now;
  return left > 0 ? humanDuration(left) : 'expired';
}

function days(e: StatusEntry, withBar: boolean): string {
  if (e.health === 'needs_reconnect') return 'now';
  if (e.daysUntilReconnect === null) return '-';
  const n = e.daysUntilReconnect;
  const bar = withBar ? lifeBar(n, e.lifetimeDays) : '';
  return `${bar ? bar + ' ' : ''}${e.reconnectByEstimated ? '~' : ''}${n} day${n === 1 ? '' : 's'}`;
}

const BAR_CELLS = 5;

/**
 * The days left against the full lifetime, in five cells ("███░░" = about 60% left); any time
 * left shows at least one cell. Empty when the lifetime is unknown.
 */
export function lifeBar(daysLeft: number, lifetimeDays: number | null): string {
  if (!lifetimeDays || lifetimeDays <= 0) return '';
  const share = Math.min(1, Math.max(0, daysLeft / lifetimeDays));
  const full = share > 0 ? Math.max(1, Math.round(share * BAR_CELLS)) : 0;
  return '█'.repeat(full) + '░'.repeat(BAR_CELLS - full);
}

/** The last refresh, or when it was connected when no refresh happened since the login. */
function lastActivity(e: StatusEntry, o: StatusViewOptions): string {
  const c = o.connection(e);
  const refreshed = e.lastRefreshAt ? Date.parse(e.lastRefreshAt) : null;
  const loggedIn = c ? (c.tokenObtainedAt ?? c.createdAt) : null;
  // A refresh stores new tokens too; a login after the last refresh is a (re)connect.
  if (loggedIn !== null && (refreshed === null || loggedIn - refreshed > 60_000)) return `connected ${relativeTime(loggedIn, o.now)}`;
  return relativeTime(refreshed, o.now);
}

/** Under a row that needs attention: the platform's message and the fix; with -v every detail. */
function details(e: StatusEntry, o: StatusViewOptions): string[] {
  const room = o.width - 2;
  const out: string[] = [];
  const why = e.health === 'needs_reconnect' ? (e.reasonText ?? e.reconnectWhy ?? 'needs a reconnect') : e.health === 'expiring' ? `reconnect by ${day(e.reconnectBy)}: ${e.reconnectWhy ?? ''}` : null;
  if (o.verbose) {
    out.push(`account id ${e.accountId}${e.username ? ` (@${e.username})` : ''}`);
    if (e.accessExpiresAt && e.health !== 'needs_reconnect') out.push(`access token expires ${e.accessExpiresAt}`);
    if (e.reconnectBy && e.health !== 'needs_reconnect') out.push(`reconnect by ${e.reconnectBy}${e.reconnectByEstimated ? ' (estimated)' : ''}: ${e.reconnectWhy ?? ''}`);
    if (e.health === 'needs_reconnect' && why) out.push(why);
  } else if (why) out.push(truncate(why, room));
  if (e.fix) out.push(`run: ${e.fix}`);
  return out;
}

const day = (isoTime: string | null) => (isoTime ? isoTime.slice(0, 10) : 'soon');
