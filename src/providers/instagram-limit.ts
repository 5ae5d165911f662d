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
import { ProviderError } from '../core/errors.js';
import { WaitUntilError, type ProviderDeps, type PublishResult } from './types.js';
import { num, str } from './graph.js';

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

/** How a platform words and cleans up the ends of a container poll other than FINISHED. */
export interface ContainerEnds {
  platform: 'instagram' | 'threads';
  /** ERROR: the error to throw (after any clean-up), from the status answer. */
  error(answer: Record<string, unknown>): Promise<ProviderError>;
  /** EXPIRED: what is said after `drop` forgets the container (a new one is made next time). */
  expired: string;
  drop(): Promise<void>;
}

/**
 * Polls a media container (Instagram, Threads) at `pace` until FINISHED. PUBLISHED is refused;
 * still in progress after `pace.maxWaitMs` is transient and keeps the container, so the next
 * attempt resumes polling it (docs/platforms/instagram.md#container-status).
 */
export async function pollContainer(read: () => Promise<{ status: string | undefined; answer: Record<string, unknown> }>, d: ProviderDeps, pace: StatusPace, ends: ContainerEnds): Promise<void> {
  for (let waited = 0; ; waited += pace.intervalMs) {
    const { status: s, answer } = await read();
    if (s === 'FINISHED') return;
    if (s === 'ERROR') throw await ends.error(answer);
    if (s === 'EXPIRED') {
      await ends.drop();
      throw new ProviderError(`${ends.platform}: ${ends.expired}`, { errorClass: 'transient', platformCode: s });
    }
    if (s === 'PUBLISHED') throw new ProviderError(`${ends.platform}: the container was already published`, { errorClass: 'invalid_request', platformCode: s });
    if (waited + pace.intervalMs > pace.maxWaitMs) {
      throw new ProviderError(`${ends.platform}: media still processing after ${Math.round(pace.maxWaitMs / 60_000)} minutes; checked again at the next attempt`, { errorClass: 'transient', platformCode: s ?? 'IN_PROGRESS' });
    }
    await d.clock.sleep(pace.intervalMs);
  }
}

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

export function limitReached(limit: PublishingLimit, reopensAt: number, platform: 'instagram' | 'threads' = 'instagram'): WaitUntilError {
  const when = new Date(reopensAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return new WaitUntilError(
    `${platform}: the publishing limit is reached (${limit.usage} of ${limit.total} posts in ${Math.round(limit.windowMs / 3_600_000)} hours); waiting until ${when}, when the window frees a slot`,
    reopensAt,
    'publishing_limit',
  );
}

/** A Graph call of a publish (Instagram, Threads): POST with `fields`, else GET with `query`. */
export type GraphApi = (path: string, what: string, fields?: Record<string, string | undefined>, query?: Record<string, string>) => Promise<Record<string, unknown>>;

/**
 * Before publishing: a full window waits for it to reopen (instagram.md#publishing-limit,
 * threads.md#publishing-limit). `limitPath` answers {data:[{quota_usage, config}]}; `listPath` lists
 * the account's posts with their timestamps.
 */
export async function checkPublishingLimit(api: GraphApi, o: { platform: 'instagram' | 'threads'; limitPath: string; listPath: string }, now: () => number): Promise<void> {
  const limit = parseLimit(await api(o.limitPath, 'publishing limit', undefined, { fields: 'quota_usage,config' }));
  if (!limit || limit.usage < limit.total) return;
  const list = await api(o.listPath, 'post list', undefined, { fields: 'id,timestamp', limit: '100' }).catch(() => ({}) as Record<string, unknown>);
  const times = (Array.isArray(list.data) ? (list.data as { timestamp?: unknown }[]) : []).map((m) => graphTime(m.timestamp)).filter((x): x is number => x !== undefined);
  throw limitReached(limit, windowReopensAt(limit, times, now()), o.platform);
}

/** The published id with its permalink when the platform tells it (a failed lookup keeps the id). */
export async function withPermalink(id: string, api: GraphApi): Promise<PublishResult> {
  const r = await api(`/${id}`, 'permalink', undefined, { fields: 'id,permalink' }).catch(() => ({}) as Record<string, unknown>);
  const link = str(r.permalink);
  return { remoteId: id, ...(link ? { url: link } : {}) };
}
