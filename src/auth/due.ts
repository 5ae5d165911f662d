/**
 * Is a connection due for a refresh? Pure; thresholds are the product defaults
 * from the provider descriptors, overridable with config refreshThresholdMinutes.<platform>
 * (docs/platforms/README.md#thresholds).
 */
import { HOUR, MINUTE } from '../core/clock.js';
import type { Connection } from '../store/types.js';
import type { ProviderDescriptor } from '../providers/types.js';

export type DueDecision =
  | { due: true; why: string }
  | { due: false; kind: 'not_due' | 'recent' | 'no_expiry' | 'too_young' | 'reconnect_soon'; why: string };

/**
 * A connection refreshed this recently (and still valid for a while) is not refreshed again,
 * even when its lifetime is shorter than the threshold (TikTok 2 h tokens vs a 12 h threshold,
 * YouTube 1 h vs 65 min): two cron runs a minute apart must not rotate the token twice.
 */
const RECENT_REFRESH_MS = 10 * MINUTE;
/** Instagram Login and Threads: tokens can be extended only once 24 h old (docs/platforms/instagram.md, threads.md#tokens). */
const IG_MIN_AGE_MS = 24 * HOUR;

export interface DueInput {
  conn: Pick<Connection, 'accessExpiresAt' | 'tokenObtainedAt' | 'lastRefreshAt'>;
  descriptor: Pick<ProviderDescriptor, 'refresh'>;
  thresholdMs: number;
  now: number;
  force?: boolean;
  /** Skip the recently-refreshed guard (a previous refresh was interrupted: find out whether its token still works). */
  ignoreRecent?: boolean;
  /** Undefined when not yet known (checked after the time test, to avoid reading secrets needlessly). */
  hasRefreshToken?: boolean;
}

export function refreshDue(i: DueInput): DueDecision {
  const { conn, now } = i;
  const kind = i.descriptor.refresh.kind;
  const exp = conn.accessExpiresAt;
  const left = exp === null ? Infinity : exp - now;
  // Forced (e.g. the publisher after a rejected token): the provider checks a young token instead.
  if (kind === 'ig_refresh' && !i.force && conn.tokenObtainedAt !== null && now - conn.tokenObtainedAt < IG_MIN_AGE_MS && left > 0) {
    return { due: false, kind: 'too_young', why: 'Instagram and Threads tokens can be refreshed only once they are 24 hours old' };
  }
  const byTime = i.force || left < i.thresholdMs;
  const check = i.descriptor.refresh.checkEveryMinutes;
  if (!byTime && exp === null && check !== undefined) return periodicCheck(conn, now, check * MINUTE);
  if (!byTime) {
    return exp === null
      ? { due: false, kind: 'no_expiry', why: 'the token does not expire' }
      : { due: false, kind: 'not_due', why: `access token valid for ${duration(left)} more` };
  }
  if (kind === 'refresh_token' && i.hasRefreshToken === false) {
    return { due: false, kind: 'reconnect_soon', why: 'no refresh token (the app has no programmatic refresh): reconnect in the browser before the token expires' };
  }
  if (!i.force && !i.ignoreRecent && conn.lastRefreshAt !== null && now - conn.lastRefreshAt < RECENT_REFRESH_MS && left > RECENT_REFRESH_MS) {
    return { due: false, kind: 'recent', why: 'refreshed less than 10 minutes ago' };
  }
  if (i.force) return { due: true, why: 'forced' };
  return { due: true, why: left <= 0 ? 'access token expired' : `access token expires in ${duration(left)}` };
}

/**
 * Tokens that never expire (Mastodon, docs/platforms/mastodon.md#lifetimes): a who-am-I every
 * `everyMs` since the last check (or the login), so a revoked token shows in `status` before a post fails.
 */
function periodicCheck(conn: DueInput['conn'], now: number, everyMs: number): DueDecision {
  const last = conn.lastRefreshAt ?? conn.tokenObtainedAt;
  if (last !== null && now - last < everyMs) return { due: false, kind: 'no_expiry', why: `the token does not expire; checked ${duration(now - last)} ago` };
  return { due: true, why: 'the token does not expire: periodic check that it still works' };
}

/** "45 minutes", "5 hours", "12 days". */
export function duration(ms: number): string {
  if (ms >= 2 * 24 * HOUR) return `${Math.round(ms / (24 * HOUR))} days`;
  if (ms >= 2 * HOUR) return `${Math.round(ms / HOUR)} hours`;
  return `${Math.max(0, Math.round(ms / MINUTE))} minutes`;
}
