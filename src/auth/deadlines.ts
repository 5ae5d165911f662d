/**
 * When will a connection need a manual reconnect in the browser, and why?
 * Pure functions over the stored (non-secret) connection metadata, used by
 * `refresh` (two-week warnings), `status` and the CLI banner.
 *
 * Sources (shared/platforms.md §1.2, §4 items 10–15):
 * - TikTok: `refresh_expires_in` from each response (365 d or 180 d: the docs disagree).
 * - LinkedIn: `refresh_token_expires_in`, 365 d fixed from the first login; apps without
 *   programmatic refresh get no refresh token, so the 60-day access token is the deadline
 *   (https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens).
 * - X: no lifetime in the docs; ~6 months from an X Developers blog post, so an estimate.
 * - Meta: no refresh token; the long-lived token must be re-exchanged before it lapses, and
 *   data access expires 90 days after the user's last activity (`data_access_expires_at`,
 *   https://developers.facebook.com/docs/facebook-login/auth-vs-data).
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
}

/** X documents no refresh-token lifetime; the only source says ~6 months. */
export const X_REFRESH_ESTIMATE_DAYS = 182;
/** A Google refresh token living ≤ 8 days means the app is in "Testing" status (7-day tokens). */
const GOOGLE_TESTING_MAX_LIFETIME = 8 * DAY;

export function reconnectDeadline(conn: Connection, now: number): ReconnectDeadline {
  if (conn.health === 'needs_reconnect') {
    const why = conn.reason ? reconnectReasonText[conn.reason] : 'token no longer valid';
    return { at: Math.min(now, conn.updatedAt), estimated: false, why: `needs reconnect: ${why}` };
  }
  const candidates: ReconnectDeadline[] = [];
  const add = (at: number | null | undefined, why: string, estimated = false) => {
    if (at !== null && at !== undefined && Number.isFinite(at)) candidates.push({ at, estimated, why });
  };
  switch (conn.platform) {
    case 'instagram':
    case 'facebook':
      // A lapsed Meta token cannot be revived: if it is not re-exchanged in time, it is a reconnect.
    {
      const dataWhy = 'data access expires (90 days after your last activity on the platform)';
      add(conn.accessExpiresAt, 'the token expires unless it is refreshed before then');
      // The provider keeps min(token expiry, data_access_expires_at) from each debug_token in
      // refreshExpiresAt; the dataAccessExpiresAt column is from connect time, current only until the first refresh.
      if (conn.refreshExpiresAt !== null && conn.refreshExpiresAt !== conn.accessExpiresAt) add(conn.refreshExpiresAt, dataWhy);
      if (conn.lastRefreshAt === null || conn.refreshExpiresAt === null) add(conn.dataAccessExpiresAt, dataWhy);
      break;
    }
    case 'linkedin': {
      // Without programmatic refresh the provider records the access-token expiry as the reconnect deadline.
      const noRefresh = conn.refreshExpiresAt === null || (conn.accessExpiresAt !== null && Math.abs(conn.refreshExpiresAt - conn.accessExpiresAt) < 60_000);
      if (noRefresh) add(conn.accessExpiresAt ?? conn.refreshExpiresAt, 'the app has no programmatic refresh: the 60-day token cannot be renewed without a browser login');
      else add(conn.refreshExpiresAt, 'the refresh token expires (365 days from the first login)');
      break;
    }
    case 'youtube': {
      const lifetime = conn.refreshExpiresAt !== null ? conn.refreshExpiresAt - conn.createdAt : null;
      if (conn.meta.googleTesting === 'true' || (lifetime !== null && lifetime <= GOOGLE_TESTING_MAX_LIFETIME)) {
        add(conn.refreshExpiresAt ?? conn.createdAt + 7 * DAY, 'the Google app is in "Testing" status: refresh tokens last 7 days (publish the app, then reconnect)');
      } else {
        add(conn.refreshExpiresAt, 'the refresh token expires', conn.refreshExpiresEstimated);
      }
      break;
    }
    case 'x': {
      const base = conn.lastRefreshAt ?? conn.tokenObtainedAt;
      if (conn.refreshExpiresAt !== null) add(conn.refreshExpiresAt, 'the refresh token expires (about 6 months; X does not document it)', conn.refreshExpiresEstimated);
      else if (base !== null) add(base + X_REFRESH_ESTIMATE_DAYS * DAY, 'the refresh token expires (about 6 months; X does not document it)', true);
      break;
    }
    default:
      add(conn.refreshExpiresAt, 'the refresh token expires', conn.refreshExpiresEstimated);
  }
  if (!candidates.length) return { at: null, estimated: false, why: 'no known deadline' };
  candidates.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  return candidates[0]!;
}

/** Whether the deadline falls within the warning window (default 14 days). */
export function deadlineSoon(d: ReconnectDeadline, now: number, warnDays: number): boolean {
  return d.at !== null && d.at - now <= warnDays * DAY;
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
