/**
 * When will a connection need a manual reconnect in the browser, and why?
 * Pure functions over the stored (non-secret) connection metadata, used by
 * `refresh` (two-week warnings), `status` and the CLI banner.
 *
 * Sources (docs/platforms/README.md#warning and each platform's page):
 * - TikTok: `refresh_expires_in` from each response (365 d or 180 d: the docs disagree).
 * - LinkedIn: `refresh_token_expires_in`, 365 d fixed from the first login; apps without
 *   programmatic refresh get no refresh token, so the 60-day access token is the deadline
 *   (https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens).
 * - X: no lifetime in the docs; ~6 months from an X Developers blog post, so an estimate.
 * - Meta, Facebook Login (Facebook Pages, Instagram with Facebook Login): no refresh token and no
 *   documented renewal of a long-lived user token; the provider records what debug_token reports:
 *   the user token's `expires_at` (accessExpiresAt) and `data_access_expires_at` (refreshExpiresAt),
 *   90 days after the person's last login (docs/platforms/facebook.md#tokens,
 *   https://developers.facebook.com/docs/facebook-login/auth-vs-data).
 * - Instagram Login: the token is refreshed (ig_refresh_token) before it lapses.
 * - Threads: the same in-place extension (th_refresh_token, docs/platforms/threads.md#tokens).
 * - Google: refresh tokens of apps in "Testing" status last 7 days
 *   (https://developers.google.com/identity/protocols/oauth2#expiration).
 */
import { DAY } from '../core/clock.js';
import { reconnectReasonText } from '../core/errors.js';
import type { Connection } from '../store/types.js';

export interface ReconnectDeadline {
  /** ms since epoch; null when no deadline is known. */
  at: number | null;
  /** True when `at` is an estimate (X's ~6 months). */
  estimated: boolean;
  why: string;
  /**
   * The full lifetime of what runs out at `at` (a 365-day refresh token, a 60-day user token):
   * `status` draws the time left against it. Null when neither the platform nor the token says.
   */
  lifetimeMs: number | null;
  /** A platform whose whole grant is short (Bluesky's 2-week session) warns only this many days ahead. */
  warnDays?: number;
}

/** X documents no refresh-token lifetime; the only source says ~6 months. */
export const X_REFRESH_ESTIMATE_DAYS = 182;
/** Bluesky sessions last 2 weeks in all: flagged in their last 3 days (docs/platforms/bluesky.md#lifetimes). */
const BLUESKY_WARN_DAYS = 3;
/** A Google refresh token living ≤ 8 days means the app is in "Testing" status (7-day tokens). */
const GOOGLE_TESTING_MAX_LIFETIME = 8 * DAY;

export function reconnectDeadline(conn: Connection, now: number): ReconnectDeadline {
  if (conn.health === 'needs_reconnect') {
    const why = conn.reason ? reconnectReasonText[conn.reason] : 'token no longer valid';
    return { at: Math.min(now, conn.updatedAt), estimated: false, why: `needs reconnect: ${why}`, lifetimeMs: null };
  }
  const candidates: ReconnectDeadline[] = [];
  const add: Add = (at, why, estimated = false, lifetimeDays) => {
    if (at === null || at === undefined || !Number.isFinite(at)) return;
    candidates.push({ at, estimated, why, lifetimeMs: lifetimeDays !== undefined ? lifetimeDays * DAY : recordedLifetime(conn, at) });
  };
  switch (conn.platform) {
    case 'instagram':
    case 'facebook':
      if (conn.platform === 'facebook' || conn.meta.login === 'facebook') metaFacebookLogin(conn, add);
      else instagramLogin(conn, add);
      break;
    case 'linkedin': {
      // Without programmatic refresh the provider records the access-token expiry as the reconnect deadline.
      const noRefresh = conn.refreshExpiresAt === null || (conn.accessExpiresAt !== null && Math.abs(conn.refreshExpiresAt - conn.accessExpiresAt) < 60_000);
      if (noRefresh) add(conn.accessExpiresAt ?? conn.refreshExpiresAt, 'the app has no programmatic refresh: the 60-day token cannot be renewed without a browser login', false, 60);
      else add(conn.refreshExpiresAt, 'the refresh token expires (365 days from the first login)', false, 365);
      break;
    }
    case 'threads':
      // Extended in place (th_refresh_token) while unexpired: the token's own expiry is the deadline (docs/platforms/threads.md#tokens).
      add(conn.accessExpiresAt ?? conn.refreshExpiresAt, 'the token expires unless it is refreshed before then (Threads extends 60-day tokens that are at least 24 hours old)');
      break;
    case 'youtube': {
      const lifetime = conn.refreshExpiresAt !== null ? conn.refreshExpiresAt - conn.createdAt : null;
      if (conn.meta.googleTesting === 'true' || (lifetime !== null && lifetime <= GOOGLE_TESTING_MAX_LIFETIME)) {
        add(conn.refreshExpiresAt ?? conn.createdAt + 7 * DAY, 'the Google app is in "Testing" status: refresh tokens last 7 days (publish the app, then reconnect)', false, 7);
      } else {
        add(conn.refreshExpiresAt, 'the refresh token expires', conn.refreshExpiresEstimated);
      }
      break;
    }
    case 'x': {
      const base = conn.lastRefreshAt ?? conn.tokenObtainedAt;
      if (conn.refreshExpiresAt !== null) add(conn.refreshExpiresAt, 'the refresh token expires (about 6 months; X does not document it)', conn.refreshExpiresEstimated, X_REFRESH_ESTIMATE_DAYS);
      else if (base !== null) add(base + X_REFRESH_ESTIMATE_DAYS * DAY, 'the refresh token expires (about 6 months; X does not document it)', true, X_REFRESH_ESTIMATE_DAYS);
      break;
    }
    case 'bluesky':
      // docs/platforms/bluesky.md#lifetimes: a public client's session ends 2 weeks after the login
      // whatever the refreshes; warned about in its last days only, or it would always be "expiring".
      add(conn.refreshExpiresAt, 'the Bluesky session ends 2 weeks after the login (AT Protocol public clients); refreshing cannot extend it', conn.refreshExpiresEstimated, 14);
      if (candidates[0]) candidates[0].warnDays = BLUESKY_WARN_DAYS;
      break;
    default:
      add(conn.refreshExpiresAt, 'the refresh token expires', conn.refreshExpiresEstimated);
  }
  if (!candidates.length) return { at: null, estimated: false, why: 'no known deadline', lifetimeMs: null };
  candidates.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  return candidates[0]!;
}

/** `lifetimeDays`: the documented full lifetime; without it, the time since the deadline was recorded. */
type Add = (at: number | null | undefined, why: string, estimated?: boolean, lifetimeDays?: number) => void;

/** Long-lived Meta user tokens and Instagram tokens last 60 days; data access 90 (docs/platforms/facebook.md#tokens). */
const META_TOKEN_DAYS = 60;
const DATA_ACCESS_DAYS = 90;

/**
 * A deadline the platform sent with a token (TikTok's refresh_expires_in, say) runs from when
 * that token was stored: the last refresh, else the login.
 */
function recordedLifetime(conn: Connection, at: number): number | null {
  const from = conn.lastRefreshAt ?? conn.tokenObtainedAt ?? conn.createdAt;
  return at > from ? at - from : null;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Facebook Login: both deadlines come from debug_token. Page posts use a Page token without expiry,
 * but local video uploads (and Instagram publishing) need the user token, which cannot be renewed
 * without a login: its expiry is a reconnect deadline too. Connections stored before the provider
 * recorded data access in refreshExpiresAt have min(token, data access) there: then the column from connect time.
 */
function metaFacebookLogin(conn: Connection, add: Add): void {
  const recorded = conn.refreshExpiresAt !== null && conn.refreshExpiresAt !== conn.accessExpiresAt ? conn.refreshExpiresAt : null;
  const dataAccess = recorded ?? conn.dataAccessExpiresAt ?? conn.refreshExpiresAt;
  const userWhy =
    conn.platform === 'facebook'
      ? `the Facebook user token expires and cannot be renewed without a login: local video uploads need it${dataAccess !== null ? ` (text, photo and link posts keep working until data access ends on ${day(dataAccess)})` : ''}`
      : 'the Facebook user token expires and cannot be renewed without a login: publishing to Instagram through Facebook Login needs it';
  add(conn.accessExpiresAt, userWhy, false, META_TOKEN_DAYS);
  add(dataAccess, 'data access ends (90 days after your last Facebook login): nothing can be published after it', false, DATA_ACCESS_DAYS);
}

/** Instagram Login: refreshed before it lapses; the data-access expiry from connect time until the first refresh. */
function instagramLogin(conn: Connection, add: Add): void {
  const dataWhy = 'data access expires (90 days after your last activity on the platform)';
  add(conn.accessExpiresAt, 'the token expires unless it is refreshed before then', false, META_TOKEN_DAYS);
  if (conn.refreshExpiresAt !== null && conn.refreshExpiresAt !== conn.accessExpiresAt) add(conn.refreshExpiresAt, dataWhy, false, DATA_ACCESS_DAYS);
  if (conn.lastRefreshAt === null || conn.refreshExpiresAt === null) add(conn.dataAccessExpiresAt, dataWhy, false, DATA_ACCESS_DAYS);
}

/** Whether the deadline falls within the warning window (default 14 days). */
export function deadlineSoon(d: ReconnectDeadline, now: number, warnDays: number): boolean {
  return d.at !== null && d.at - now <= Math.min(warnDays, d.warnDays ?? Infinity) * DAY;
}


export const DEFAULT_WARN_DAYS = 14;

export function warnDaysFrom(config: { get<T>(p: string): T | undefined }): number {
  const v = config.get<number>('warnDays');
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_WARN_DAYS;
}

/** "in 3 days", "in 5 hours", "2 days ago" for warnings and banners. */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  const [n, unit] = abs >= 2 * DAY ? [Math.round(abs / DAY), 'days'] : abs >= 2 * 3_600_000 ? [Math.round(abs / 3_600_000), 'hours'] : [Math.max(1, Math.round(abs / 60_000)), 'minutes'];
  const u = n === 1 ? unit.slice(0, -1) : unit;
  return diff >= 0 ? `in ${n} ${u}` : `${n} ${u} ago`;
}
