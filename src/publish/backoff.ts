/**
 * The publisher's automatic retry policy (issue 5 item 3).
 *
 * - Only `transient` (network, 5xx) and `rate_limited` (429, platform caps) failures retry by
 *   themselves; `reconnect_needed`, `permission` and `invalid_request` never do (a person has to
 *   act: reconnect, grant a permission, edit the post), they become `failed` at once.
 * - The wait is exponential (base × 2^(attempt-1)) and bounded by backoffMaxMs; a platform's
 *   Retry-After / x-rate-limit-reset (ProviderError.retryAfterMs) is honoured even when longer.
 * - A daily publishing cap is not worth hammering: the next attempt waits for the cap's reset
 *   (docs/platforms/README.md#backoff: TikTok daily windows, YouTube at midnight Pacific,
 *   Instagram's moving 24 h window), stored as the target's next_attempt_at.
 */
import { ProviderError, type ErrorClass } from '../core/errors.js';
import { backoffDelay } from '../core/backoff.js';

export interface BackoffOptions {
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export function retriesAutomatically(c: ErrorClass | string | null | undefined): boolean {
  return c === 'transient' || c === 'rate_limited';
}

type CapReset = 'utc-midnight' | 'pacific-midnight' | 'moving-24h';

/**
 * Platform codes (ProviderError.platformCode) that mean "the daily publishing cap is reached".
 * TikTok: spam_risk_too_many_posts / reached_active_user_cap / spam_risk_too_many_pending_share
 * (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post#error_codes);
 * YouTube: quota reasons, reset at midnight Pacific (https://developers.google.com/youtube/v3/getting-started#quota);
 * Instagram: subcode 2207042, a moving 24 h window (https://developers.facebook.com/docs/instagram-platform/content-publishing#rate-limit).
 */
const DAILY_CAPS: Record<string, CapReset> = {
  spam_risk_too_many_posts: 'utc-midnight',
  reached_active_user_cap: 'utc-midnight',
  spam_risk_too_many_pending_share: 'moving-24h',
  uploadLimitExceeded: 'pacific-midnight',
  dailyLimitExceeded: 'pacific-midnight',
  quotaExceeded: 'pacific-midnight',
};

function capOf(code: string | undefined): CapReset | undefined {
  if (!code) return undefined;
  if (/(^|\/)2207042$/.test(code)) return 'moving-24h';
  return Object.hasOwn(DAILY_CAPS, code) ? DAILY_CAPS[code] : undefined;
}

/** Milliseconds from `now` to the next local midnight in `tz` (within an hour on DST days). */
export function untilMidnight(now: number, tz: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const sinceMidnight = ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 + (now % 1000);
  return 86_400_000 - sinceMidnight;
}

/** When a daily cap lifts, as a delay from now; undefined when the error is not a daily cap. */
function dailyCapDelayMs(e: unknown, now: number, o: BackoffOptions): number | undefined {
  if (!(e instanceof ProviderError) || e.errorClass !== 'rate_limited') return undefined;
  const cap = capOf(e.platformCode);
  if (!cap) return undefined;
  // A minute past the reset, so clocks that disagree a little still land after it.
  if (cap === 'utc-midnight') return untilMidnight(now, 'UTC') + 60_000;
  if (cap === 'pacific-midnight') return untilMidnight(now, 'America/Los_Angeles') + 60_000;
  return Math.max(o.backoffMaxMs, 3_600_000);
}

/** Delay before automatic attempt number `attempts + 1` after error `e`. */
export function retryDelayMs(o: BackoffOptions, attempts: number, e: unknown, now: number): number {
  const exp = backoffDelay(attempts, { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs });
  const ra = e instanceof ProviderError ? e.retryAfterMs : undefined;
  if (ra !== undefined) return Math.max(ra, Math.min(exp, o.backoffBaseMs));
  const cap = dailyCapDelayMs(e, now, o);
  return cap !== undefined ? Math.max(exp, cap) : exp;
}

/**
 * Codes whose limit is the app's (the client's or the Google Cloud project's), not one account's:
 * the whole platform waits. YouTube's quota belongs to the project
 * (https://developers.google.com/youtube/v3/determine_quota_cost); TikTok's reached_active_user_cap
 * is the client's daily cap of posting users (docs/platforms/tiktok.md#errors).
 */
const APP_WIDE = new Set(['quotaExceeded', 'dailyLimitExceeded', 'uploadLimitExceeded', 'reached_active_user_cap']);

/** Which the publishing pool pauses after this rate limit: the account, or every account of the platform. */
export function rateLimitScope(e: unknown): 'account' | 'platform' {
  const code = e instanceof ProviderError ? e.platformCode : undefined;
  return code && APP_WIDE.has(code) ? 'platform' : 'account';
}
