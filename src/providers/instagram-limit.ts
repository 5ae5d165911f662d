/**
 * Instagram's publishing limit and container pace (docs/platforms/instagram.md#publishing-limit,
 * docs/platforms/instagram.md#container-status).
 * - An account may publish a limited number of posts (50 today) in a moving 24-hour window; the limit is
 *   enforced at media_publish. GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config tells
 *   the usage and the window (config.quota_total, config.quota_duration in seconds); we read both from the
 *   answer instead of hard-coding them.
 *   https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
 * - When the window is full, a slot frees when the oldest post in it leaves the window. The account's media
 *   list gives the post times; the oldest one still inside the window is the earliest the window can reopen
 *   (it may hold posts made outside the API, so this is a lower bound: the check runs again then).
 */
import { WaitUntilError } from './types.js';
import { num } from './graph.js';

export interface PublishingLimit {
  usage: number;
  total: number;
  /** Window length, ms. */
  windowMs: number;
}

/** Container status pace: Meta asks for one check a minute, for at most five minutes. */
export interface StatusPace {
  intervalMs: number;
  maxWaitMs: number;
}

export const STATUS_PACE: StatusPace = { intervalMs: 60_000, maxWaitMs: 5 * 60_000 };

/** Pure: the limit from a content_publishing_limit answer; undefined when the answer lacks it. */
export function parseLimit(body: Record<string, unknown>): PublishingLimit | undefined {
  const first = (Array.isArray(body.data) ? body.data[0] : undefined) as Record<string, unknown> | undefined;
  const config = (first?.config && typeof first.config === 'object' ? first.config : {}) as Record<string, unknown>;
  const usage = num(first?.quota_usage);
  const total = num(config.quota_total);
  const duration = num(config.quota_duration);
  if (usage === undefined || total === undefined) return undefined;
  return { usage, total, windowMs: (duration ?? 86_400) * 1000 };
}

/** Graph timestamps look like 2026-12-06T10:00:00+0000 (no colon in the offset). */
export function graphTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(t) ? t : undefined;
}

/** Pure: when the full window frees a slot, from the post times (ms) of the account's recent media. */
export function windowReopensAt(limit: PublishingLimit, postTimes: number[], now: number): number {
  const inWindow = postTimes.filter((t) => t > now - limit.windowMs);
  // Shortly after the oldest one leaves (a minute for the 24-hour window), so clocks that disagree a
  // little still land after it.
  const margin = Math.min(60_000, Math.ceil(limit.windowMs / 1000));
  // Graph times are whole seconds: the post may be up to a second younger than its timestamp says.
  if (inWindow.length) return Math.min(...inWindow) + 1000 + limit.windowMs + margin;
  return now + Math.min(limit.windowMs, 3_600_000);
}

export function limitReached(limit: PublishingLimit, reopensAt: number): WaitUntilError {
  const when = new Date(reopensAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return new WaitUntilError(
    `instagram: the publishing limit is reached (${limit.usage} of ${limit.total} posts in ${Math.round(limit.windowMs / 3_600_000)} hours); waiting until ${when}, when the window frees a slot`,
    reopensAt,
    'publishing_limit',
  );
}
