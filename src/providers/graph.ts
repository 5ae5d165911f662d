/**
 * Meta Graph API helpers shared by instagram.ts (Instagram API with Instagram
 * Login, graph.instagram.com) and facebook.ts (graph.facebook.com): the error
 * envelope, its classification, and the JSON request/processing step.
 *
 * Envelope: https://developers.facebook.com/docs/graph-api/guides/error-handling
 *   { "error": { "message", "type", "code", "error_subcode", "error_user_title",
 *                "error_user_msg", "fbtrace_id", "is_transient" } }
 * Classify by code/subcode, never by message text (docs/platforms/facebook.md#errors).
 */
import { ProviderError, type ErrorClass, type ReconnectReason } from '../core/errors.js';
import type { Http } from '../core/http.js';
import { redactText, rememberSecret } from '../core/redact.js';
import { callJson, num, providerError, splitScopeList, type Classifier, type HeaderLike } from './oauth.js';
import type { PlatformId, ProviderDeps, TokenSet } from './types.js';
import { hostUrl } from '../core/url.js';

export { num };

export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

export interface Classification {
  errorClass: ErrorClass;
  reason?: ReconnectReason;
  /** "190/460" style, for logs and tests. */
  platformCode?: string;
  message: string;
}

/** Where each row of META_ERRORS comes from (read 2026-12-06; docs/platforms/instagram.md#errors, facebook.md#errors). */
export const META_DOCS = {
  graphErrors: 'https://developers.facebook.com/docs/graph-api/guides/error-handling',
  rateLimits: 'https://developers.facebook.com/docs/graph-api/overview/rate-limiting',
  igErrors: 'https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes',
} as const;

/** What the publisher does beyond the class: start over with a new Instagram container. */
export type MetaAction = 'new_container';

export interface MetaErrorRow {
  code: number;
  /** Absent: the row matches the code with any subcode no other row claims. */
  subcode?: number;
  errorClass: ErrorClass;
  reason?: ReconnectReason;
  action?: MetaAction;
  /** The documentation page the row comes from (META_DOCS). */
  doc: string;
  /** Meta's meaning, in our words. */
  why: string;
}

const G = META_DOCS.graphErrors;
const R = META_DOCS.rateLimits;
const I = META_DOCS.igErrors;
const row = (code: number, subcode: number | undefined, errorClass: ErrorClass, doc: string, why: string, more: Partial<MetaErrorRow> = {}): MetaErrorRow => ({
  code,
  ...(subcode !== undefined ? { subcode } : {}),
  errorClass,
  doc,
  why,
  ...more,
});

/**
 * Every Meta error code/subcode the code depends on, with its class (docs/platforms/instagram.md#errors,
 * docs/platforms/facebook.md#errors). One table: classifyGraphError reads it, graph.test.ts tests every row.
 * Instagram rows that say "try again" are `transient`; those that say "generate a new container" also drop
 * the saved container (action new_container).
 */
export const META_ERRORS: readonly MetaErrorRow[] = [
  // Graph API error handling: tokens. Every code 190 subcode means "log in again".
  row(190, undefined, 'reconnect_needed', G, 'access token expired, revoked or invalid', { reason: 'unknown' }),
  row(102, undefined, 'reconnect_needed', G, 'API session: login status or token no longer valid', { reason: 'unknown' }),
  row(190, 458, 'reconnect_needed', G, 'app not installed: the user removed it', { reason: 'app_removed' }),
  row(190, 459, 'reconnect_needed', G, 'user checkpointed: log in at Facebook to fix it', { reason: 'platform_revoked' }),
  row(190, 460, 'reconnect_needed', G, 'password changed', { reason: 'password_changed' }),
  row(190, 463, 'reconnect_needed', G, 'token expired', { reason: 'token_expired' }),
  row(190, 464, 'reconnect_needed', G, 'unconfirmed user', { reason: 'unknown' }),
  row(190, 466, 'reconnect_needed', G, 'session invalidated through the API (older list)', { reason: 'platform_revoked' }),
  row(190, 467, 'reconnect_needed', G, 'invalid access token', { reason: 'unknown' }),
  row(190, 468, 'reconnect_needed', G, 'the user has not used the app for too long (older list)', { reason: 'inactive' }),
  // Graph API error handling: downtime, permissions, content.
  row(2, undefined, 'transient', G, 'API service: temporary downtime, wait and retry'),
  row(10, undefined, 'permission', G, 'permission not granted or removed'),
  // Meta says "wait and retry", but a policy block does not lift by retrying: a person looks at it first.
  row(368, undefined, 'permission', G, 'temporarily blocked for policy violations'),
  row(368, 1390008, 'rate_limited', G, 'posting too fast: wait and retry'),
  row(506, undefined, 'invalid_request', G, 'duplicate post'),
  row(1609005, undefined, 'invalid_request', G, 'the link could not be scraped'),
  // Throttling: Platform and Business Use Case codes (Rate Limits page; 341 from error handling).
  row(4, undefined, 'rate_limited', R, 'app-level throttling'),
  row(17, undefined, 'rate_limited', R, 'user-level throttling'),
  row(32, undefined, 'rate_limited', R, 'Page-level throttling'),
  row(341, undefined, 'rate_limited', G, 'application limit reached: wait and retry'),
  row(613, undefined, 'rate_limited', R, 'custom-level throttling'),
  row(80001, undefined, 'rate_limited', R, 'Business Use Case throttling: Pages'),
  row(80002, undefined, 'rate_limited', R, 'Business Use Case throttling: Instagram'),
  row(80006, undefined, 'rate_limited', R, 'Business Use Case throttling: Messenger'),
  // Instagram error codes (content publishing).
  row(-2, 2207003, 'transient', I, 'Meta timed out downloading the media: try again'),
  row(-2, 2207020, 'transient', I, 'the uploaded media expired: new container, try again', { action: 'new_container' }),
  row(-1, 2207001, 'transient', I, 'Instagram server error: try again'),
  row(-1, 2207032, 'transient', I, 'creating the container failed: try again', { action: 'new_container' }),
  row(-1, 2207053, 'transient', I, 'unknown upload error: new container, try again', { action: 'new_container' }),
  row(1, 2207057, 'invalid_request', I, 'thumbnail offset outside the video'),
  row(4, 2207051, 'permission', I, 'restricted as suspected spam: not a rate limit; the account owner must appeal'),
  row(9, 2207042, 'rate_limited', I, 'daily publishing limit reached: wait for the 24-hour window'),
  row(24, 2207006, 'transient', I, 'media not found (missing permission or expired token): new container, try again', { action: 'new_container' }),
  row(24, 2207008, 'transient', I, 'temporary error publishing the container: try again 1-2 times, then a new container'),
  row(25, 2207050, 'permission', I, 'the Instagram account is inactive, checkpointed or restricted: sign in to the app'),
  row(100, 2207023, 'invalid_request', I, 'unknown media type'),
  row(100, 2207028, 'invalid_request', I, 'a carousel needs 2 to 10 items'),
  row(100, 2207035, 'invalid_request', I, 'product tag positions on a video'),
  row(100, 2207036, 'invalid_request', I, 'product tag positions missing on a photo'),
  row(100, 2207037, 'invalid_request', I, 'product tags could not be added'),
  row(100, 2207040, 'invalid_request', I, 'more than 20 @ tags'),
  row(352, 2207026, 'invalid_request', I, 'unsupported video format (MOV or MP4 only)'),
  row(9004, 2207052, 'invalid_request', I, 'the media URL could not be fetched (not public?)'),
  row(9007, 2207027, 'transient', I, 'the media is not ready: check the container status, then publish'),
  row(36000, 2207004, 'invalid_request', I, 'image larger than 8 MiB'),
  row(36001, 2207005, 'invalid_request', I, 'unsupported image format'),
  row(36003, 2207009, 'invalid_request', I, 'image aspect ratio outside 4:5 to 1.91:1'),
  row(36004, 2207010, 'invalid_request', I, 'caption too long (2,200 characters, 30 hashtags, 20 @ tags)'),
];

/** The row for a code/subcode: an exact code+subcode row first, else the code's own row. */
export function metaErrorRow(code: number | undefined, subcode: number | undefined): MetaErrorRow | undefined {
  if (code === undefined) return undefined;
  const exact = subcode !== undefined ? META_ERRORS.find((r) => r.code === code && r.subcode === subcode) : undefined;
  return exact ?? META_ERRORS.find((r) => r.code === code && r.subcode === undefined);
}

/** 200–299: a permission not granted (Graph error handling); 1404078: Page publishing authorization missing. */
const isPermission = (code: number) => (code >= 200 && code <= 299) || code === 1404078;

/** The `error` object of a Graph envelope, or the older flat Instagram OAuth shape. */
export function graphError(body: unknown): GraphErrorBody | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (b.error && typeof b.error === 'object') return b.error as GraphErrorBody;
  // api.instagram.com/oauth/access_token answers {"error_type":"OAuthException","code":400,"error_message":"..."}
  if (typeof b.error_type === 'string' || typeof b.error_message === 'string') {
    return { type: String(b.error_type ?? ''), message: String(b.error_message ?? ''), ...(typeof b.code === 'number' ? { code: b.code } : {}) };
  }
  return undefined;
}

/**
 * Pure classification of a Graph failure by META_ERRORS (docs/platforms/instagram.md#errors).
 * `status` is the HTTP status (0 for a network failure).
 */
export function classifyGraphError(status: number, body: unknown): Classification {
  const e = graphError(body);
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const sub = typeof e?.error_subcode === 'number' ? e.error_subcode : undefined;
  const platformCode = code === undefined ? (status ? `http ${status}` : undefined) : sub === undefined ? String(code) : `${code}/${sub}`;
  const message = redactText(e?.message || (status ? `HTTP ${status}` : 'network error')).slice(0, 300);
  const out = (errorClass: ErrorClass, reason?: ReconnectReason): Classification => ({
    errorClass,
    ...(reason ? { reason } : {}),
    ...(platformCode ? { platformCode } : {}),
    message,
  });
  const r = metaErrorRow(code, sub);
  if (r) return out(r.errorClass, r.errorClass === 'reconnect_needed' ? (r.reason ?? 'unknown') : undefined);
  if (status === 429) return out('rate_limited');
  if (code !== undefined && isPermission(code)) return out('permission');
  // Code 1 ("API unknown", possibly temporary) is retried only with a 5xx: under HTTP 400 it is also how
  // the token endpoint says "Error validating client secret" (docs/platforms/facebook.md#errors).
  if (e?.is_transient === true || status >= 500 || status === 0) return out('transient');
  return out('invalid_request');
}

/**
 * Meta's throttling headers instead of Retry-After: X-Business-Use-Case-Usage (Pages, Instagram)
 * carries `estimated_time_to_regain_access` in minutes per business id
 * (https://developers.facebook.com/docs/graph-api/overview/rate-limiting). Returns ms, or undefined.
 */
function metaRegainMs(headers: HeaderLike): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  try {
    const minutes = Object.values(JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: number }[]>)
      .flat()
      .map((u) => num(u?.estimated_time_to_regain_access))
      .filter((m): m is number => m !== undefined);
    return minutes.length ? Math.max(...minutes) * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

/** The Graph classifier in oauth.ts's Classifier shape (one-line redacted error, Retry-After or Meta's usage headers). */
export function graphClassifier(platform: PlatformId): Classifier {
  return (status, body, headers, o) => {
    const c = classifyGraphError(status, body);
    const regain = headers.get('retry-after') === null ? metaRegainMs(headers) : undefined;
    const h: HeaderLike = regain === undefined ? headers : { get: (n) => (n.toLowerCase() === 'retry-after' ? String(Math.ceil(regain / 1000)) : headers.get(n)) };
    return providerError(platform, o, status, h, c, c.platformCode, c.message);
  };
}

export function graphProviderError(platform: PlatformId, what: string, status: number, body: unknown, now = 0): ProviderError {
  return graphClassifier(platform)(status, body, new Headers(), { now, what });
}

/**
 * Request + process in one step (oauth.ts callJson): network errors and non-JSON bodies are
 * `transient`, any Graph error envelope (even under HTTP 200) is classified, else the JSON body.
 */
export function graphCall(
  platform: PlatformId,
  what: string,
  http: Http,
  url: URL | string,
  init: { method?: string; body?: URLSearchParams } = {},
  now = 0,
): Promise<Record<string, unknown>> {
  return callJson(platform, http, url, { method: init.method ?? 'GET', ...(init.body ? { body: init.body } : {}) }, graphClassifier(platform), { now, what }, (b) => graphError(b) !== undefined);
}

/** Meta appends `#_` to the redirect; a pasted-back URL keeps it in the code (docs/platforms/instagram.md#oauth). */
export function stripMetaCodeSuffix(code: string): string {
  return code.replace(/#_?$/, '');
}

/** Comma- or space-separated scopes (Meta accepts both on input; responses vary). */
export function parseScopeList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).filter(Boolean);
  return typeof v === 'string' ? splitScopeList(v) : [];
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/**
 * A Meta long-lived token answer ({access_token, token_type, expires_in}: Instagram Login's
 * ig_exchange_token/ig_refresh_token, Threads' th_exchange_token/th_refresh_token) as a TokenSet.
 * No refresh token: the reconnect deadline is the token's own expiry, which each refresh moves.
 */
export function longLivedTokenSet(platform: PlatformId, body: Record<string, unknown>, now: number, scopes: string[], fallbackMs: number, extra?: Record<string, string>): TokenSet {
  const accessToken = str(body.access_token);
  if (!accessToken) throw new ProviderError(`${platform}: the long-lived token response has no access_token`, { errorClass: 'transient' });
  rememberSecret(accessToken);
  const expiresIn = num(body.expires_in);
  const expiresAt = now + (expiresIn !== undefined ? expiresIn * 1000 : fallbackMs);
  return {
    accessToken,
    tokenType: str(body.token_type) ?? 'bearer',
    expiresAt,
    refreshExpiresAt: expiresAt,
    scopes,
    obtainedAt: now,
    ...(extra && Object.keys(extra).length ? { extra: { ...extra } } : {}),
  };
}

/**
 * Extends a Meta long-lived token in place (Instagram Login ig_refresh_token, Threads th_refresh_token:
 * docs/platforms/instagram.md#tokens, threads.md#tokens):
 * - expired: cannot be extended at all -> reconnect_needed (token_expired), without a network call;
 * - younger than `minAgeMs`: not yet extendable; only checked with `check` (so a revoked token is still
 *   reported) and returned unchanged: the same object back means "skipped";
 * - otherwise GET {graph}/refresh_access_token?grant_type=<grant> (GET only) and a new long-lived token.
 */
export async function extendLongLived(platform: PlatformId, t: TokenSet, d: ProviderDeps, o: { grant: string; minAgeMs: number; fallbackMs: number; check(t: TokenSet): Promise<unknown> }): Promise<TokenSet> {
  const now = d.clock.now();
  if (t.expiresAt !== undefined && t.expiresAt <= now) {
    throw new ProviderError(`${platform}: the long-lived token has expired and cannot be extended`, { errorClass: 'reconnect_needed', reason: 'token_expired' });
  }
  if (now - t.obtainedAt < o.minAgeMs) {
    await o.check(t);
    return t;
  }
  const u = hostUrl(d.hosts.graph as string, '/refresh_access_token');
  u.searchParams.set('grant_type', o.grant);
  u.searchParams.set('access_token', t.accessToken);
  const body = await graphCall(platform, 'token refresh', d.http, u, {}, now);
  return longLivedTokenSet(platform, body, d.clock.now(), t.scopes, o.fallbackMs, t.extra);
}
