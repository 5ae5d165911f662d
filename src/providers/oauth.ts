/**
 * Shared OAuth 2.0 plumbing for the RFC 6749 style providers (TikTok, YouTube, X, LinkedIn).
 * Modelled on oauth4webapi: a *request* step returns the raw Response (network
 * failures become `transient` ProviderErrors), a *process* step validates the
 * parsed body into a typed value. Platform quirks stay in the platform files;
 * this file knows only the RFC.
 */
import { ProviderError, type ErrorClass, type ReconnectReason } from '../core/errors.js';
import { readJson, retryAfterMs, type Http, type HttpInit, type Response } from '../core/http.js';
import { redactText, rememberSecret } from '../core/redact.js';
import type { AuthorizeInput, PlatformId, ProviderDescriptor, TokenSet } from './types.js';
import { DAY } from '../core/clock.js';

/** Just enough of `Headers` for pure classification (tests pass `new Headers({...})`). */
export interface HeaderLike {
  get(name: string): string | null;
}

/** Which call failed: the same platform error means different things at each. */
export type CallContext = 'code' | 'refresh' | 'revoke' | 'api';

export interface ClassifyOptions {
  now: number;
  context?: CallContext;
  /** e.g. "token refresh"; used in the message. */
  what?: string;
}

export type Classifier = (status: number, body: unknown, headers: HeaderLike, o: ClassifyOptions) => ProviderError;

export interface Parsed {
  status: number;
  ok: boolean;
  body: unknown;
  headers: HeaderLike;
}

/** Request step: any fetch failure (DNS, refused, reset, timeout) is transient. */
export async function send(platform: PlatformId, what: string, http: Http, url: URL | string, init: HttpInit = {}): Promise<Response> {
  try {
    return await http.fetch(url, init);
  } catch (e) {
    const err = e as Error;
    const timeout = err?.name === 'TimeoutError' || err?.name === 'AbortError';
    throw new ProviderError(`${platform}: ${what} failed: ${timeout ? 'timed out' : redactText(String(err?.message ?? e))}`, {
      errorClass: 'transient',
      cause: e,
    });
  }
}

/** Process step, first half: a body cut off mid-read (reset, timeout) is transient too. */
export async function parse(res: Response, platform?: PlatformId, what = 'request'): Promise<Parsed> {
  try {
    return { status: res.status, ok: res.ok, body: await readJson(res), headers: res.headers };
  } catch (e) {
    throw new ProviderError(`${platform ?? 'platform'}: ${what} failed while reading the response: ${redactText(String((e as Error)?.message ?? e))}`, {
      errorClass: 'transient',
      status: res.status,
      cause: e,
    });
  }
}

/**
 * Token endpoint request (RFC 6749 §4.1.3, §6): form body; `basic` sends
 * client credentials as HTTP Basic, form-urlencoded first as §2.3.1 requires.
 */
function tokenRequest(
  platform: PlatformId,
  what: string,
  http: Http,
  url: string,
  fields: Record<string, string | undefined>,
  basic?: { id: string; secret: string },
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (basic) headers['authorization'] = basicAuthorization(basic.id, basic.secret);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body.set(k, v);
  return send(platform, what, http, url, { method: 'POST', headers, body });
}

export function basicAuthorization(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** Retry delay from Retry-After (RFC 9110 §10.2.3) or X's x-rate-limit-reset (epoch seconds). */
export function rateLimitDelayMs(headers: HeaderLike, now: number): number | undefined {
  const ra = retryAfterMs(headers.get('retry-after'), now);
  if (ra !== undefined) return ra;
  const reset = Number(headers.get('x-rate-limit-reset'));
  if (headers.get('x-rate-limit-reset') && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/**
 * RFC 6749 §5.2 error codes -> class. `invalid_grant` is a dead refresh token at
 * the refresh endpoint (reconnect) but a used/expired code at the code exchange
 * (restart the login: invalid_request).
 */
export function classifyOAuthCode(code: string | undefined, status: number, context: CallContext | undefined): { errorClass: ErrorClass; reason?: ReconnectReason } {
  switch (code) {
    case 'invalid_grant':
      return context === 'refresh' ? { errorClass: 'reconnect_needed', reason: 'unknown' } : { errorClass: 'invalid_request' };
    case 'invalid_client':
    case 'unauthorized_client':
    case 'invalid_scope':
    case 'access_denied':
      return { errorClass: 'permission' };
    case 'server_error':
    case 'temporarily_unavailable':
      return { errorClass: 'transient' };
    case 'slow_down':
      return { errorClass: 'rate_limited' };
    case undefined:
      return classifyStatus(status);
    default:
      // Unknown code: trust the status for 429/5xx, otherwise the request itself was wrong.
      return { errorClass: status === 429 ? 'rate_limited' : status >= 500 ? 'transient' : 'invalid_request' };
  }
}

/** Fallback by HTTP status alone (no recognizable body). */
export function classifyStatus(status: number): { errorClass: ErrorClass; reason?: ReconnectReason } {
  if (status === 0 || status >= 500 || status === 408) return { errorClass: 'transient' };
  if (status === 429) return { errorClass: 'rate_limited' };
  if (status === 401) return { errorClass: 'reconnect_needed', reason: 'token_expired' };
  if (status === 403) return { errorClass: 'permission' };
  return { errorClass: 'invalid_request' };
}

/** Builds the ProviderError: one line, redacted, with the retry delay when rate limited. */
export function providerError(
  platform: PlatformId,
  o: ClassifyOptions,
  status: number,
  headers: HeaderLike,
  c: { errorClass: ErrorClass; reason?: ReconnectReason },
  platformCode: string | undefined,
  detail: string | undefined,
): ProviderError {
  const retry = c.errorClass === 'rate_limited' || status === 503 ? rateLimitDelayMs(headers, o.now) : undefined;
  const text = redactText(detail || (status ? `HTTP ${status}` : 'network error')).slice(0, 300);
  return new ProviderError(`${platform}: ${o.what ?? 'request'} failed: ${text}${platformCode ? ` (${platformCode})` : ''}`, {
    errorClass: c.errorClass,
    ...(c.reason ? { reason: c.reason } : {}),
    status,
    ...(platformCode ? { platformCode } : {}),
    ...(retry !== undefined ? { retryAfterMs: retry } : {}),
  });
}

export interface ProcessOptions {
  now: number;
  descriptor: ProviderDescriptor;
  /** Previous tokens on refresh: their refresh token is kept when the response has none. */
  prev?: TokenSet;
  /** Scopes to assume when the response does not list them (callback scopes, or the requested ones). */
  fallbackScopes: string[];
  /** Refresh-token lifetime when the response does not give one. */
  refreshLifetime?: { ms: number; estimate: boolean; from: 'issue' | 'fixed-on-first' };
}

/**
 * Process step of a token response (RFC 6749 §5.1). Computes expiries from
 * what the platform returned (docs/platforms/README.md#merge) and never drops a held
 * refresh token (§4.9; RFC 6749 §6 lets the server omit it).
 */
export function processTokenResponse(body: unknown, o: ProcessOptions): TokenSet {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const platform = o.descriptor.id;
  const accessToken = typeof b['access_token'] === 'string' ? b['access_token'] : '';
  if (!accessToken) {
    throw new ProviderError(`${platform}: token response has no access_token`, { errorClass: 'transient' });
  }
  rememberSecret(accessToken);
  const expiresIn = num(b['expires_in']);
  const newRefresh = typeof b['refresh_token'] === 'string' && b['refresh_token'] ? b['refresh_token'] : undefined;
  const refreshToken = newRefresh ?? o.prev?.refreshToken;
  rememberSecret(newRefresh);
  const refreshIn = num(b['refresh_expires_in']) ?? num(b['refresh_token_expires_in']);
  let refreshExpiresAt: number | undefined;
  let estimated = false;
  if (refreshToken && refreshIn !== undefined) {
    refreshExpiresAt = o.now + refreshIn * 1000;
  } else if (refreshToken && o.refreshLifetime) {
    const keepFixed = !newRefresh && o.refreshLifetime.from === 'fixed-on-first' && o.prev?.refreshExpiresAt !== undefined;
    refreshExpiresAt = keepFixed ? o.prev!.refreshExpiresAt : o.now + o.refreshLifetime.ms;
    estimated = keepFixed ? Boolean(o.prev!.refreshExpiresEstimated) : o.refreshLifetime.estimate;
  } else if (refreshToken && !newRefresh) {
    refreshExpiresAt = o.prev?.refreshExpiresAt;
    estimated = Boolean(o.prev?.refreshExpiresEstimated);
  }
  const scopeText = typeof b['scope'] === 'string' ? b['scope'] : undefined;
  const scopes = scopeText !== undefined ? splitScopeList(scopeText) : o.fallbackScopes;
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(typeof b['token_type'] === 'string' ? { tokenType: b['token_type'] } : {}),
    ...(expiresIn !== undefined ? { expiresAt: o.now + expiresIn * 1000 } : {}),
    ...(refreshExpiresAt !== undefined ? { refreshExpiresAt } : {}),
    ...(refreshExpiresAt !== undefined && estimated ? { refreshExpiresEstimated: true } : {}),
    scopes,
    obtainedAt: o.now,
    ...(o.prev?.extra ? { extra: o.prev.extra } : {}),
  };
}

/** Default refresh lifetime from the descriptor's fallback days. */
export function fallbackLifetime(d: ProviderDescriptor, from: 'issue' | 'fixed-on-first' = 'issue'): ProcessOptions['refreshLifetime'] {
  const days = d.refresh.fallbackRefreshLifetimeDays;
  return days === undefined ? undefined : { ms: days * DAY, estimate: Boolean(d.refresh.fallbackIsEstimate), from };
}

/** Scopes from a space- or comma-separated list (responses vary by platform). */
export function splitScopeList(s: string): string[] {
  return s.split(/[,\s]+/).filter(Boolean);
}

export function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Throws when a 2xx body is not JSON (captive portal, proxy page). */
function requireJsonObject(platform: PlatformId, what: string, p: Parsed): Record<string, unknown> {
  if (!p.body || typeof p.body !== 'object') {
    throw new ProviderError(`${platform}: ${what} returned a response that is not JSON (HTTP ${p.status})`, { errorClass: 'transient', status: p.status });
  }
  return p.body as Record<string, unknown>;
}

/**
 * Request + process for JSON calls: network errors are transient; a non-2xx
 * status, or a 2xx body the platform marks as an error (`isError`, e.g. TikTok's
 * errors under HTTP 200), goes through the platform's classifier.
 */
export async function callJson(
  platform: PlatformId,
  http: Http,
  url: URL | string,
  init: HttpInit,
  classify: Classifier,
  o: ClassifyOptions & { what: string },
  isError: (body: unknown) => boolean = () => false,
): Promise<Record<string, unknown>> {
  const p = await parse(await send(platform, o.what, http, url, init), platform, o.what);
  if (!p.ok || isError(p.body)) throw classify(p.status, p.body, p.headers, o);
  return requireJsonObject(platform, o.what, p);
}

/**
 * A rejected refresh of a token we know is past its refresh deadline gets the
 * precise reason; the platforms' bodies cannot tell expired from revoked.
 */
function withExpiryReason(e: unknown, t: TokenSet, now: number): unknown {
  if (!(e instanceof ProviderError) || e.errorClass !== 'reconnect_needed' || e.reason !== 'unknown') return e;
  if (t.refreshExpiresAt === undefined || t.refreshExpiresAt > now) return e;
  return new ProviderError(e.message, {
    errorClass: 'reconnect_needed',
    reason: 'refresh_token_expired',
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.platformCode !== undefined ? { platformCode: e.platformCode } : {}),
    cause: e,
  });
}

/** A held refresh token is required for the refresh_token grant. */
function requireRefreshToken(platform: PlatformId, t: TokenSet, reason: ReconnectReason = 'unknown'): string {
  if (!t.refreshToken) {
    throw new ProviderError(`${platform}: no refresh token is stored for this connection`, { errorClass: 'reconnect_needed', reason });
  }
  return t.refreshToken;
}

/**
 * Request + process at a token-style endpoint (token, refresh, revoke): form POST,
 * then any non-2xx or platform-flagged error body goes through the classifier.
 */
export async function formCall(
  platform: PlatformId,
  d: { http: Http; clock: { now(): number } },
  url: string,
  fields: Record<string, string | undefined>,
  classify: Classifier,
  o: { what: string; context: CallContext; basic?: { id: string; secret: string }; isError?: (body: unknown) => boolean },
): Promise<Record<string, unknown>> {
  const p = await parse(await tokenRequest(platform, o.what, d.http, url, fields, o.basic), platform, o.what);
  if (!p.ok || o.isError?.(p.body)) throw classify(p.status, p.body, p.headers, { now: d.clock.now(), context: o.context, what: o.what });
  return (p.body && typeof p.body === 'object' ? p.body : {}) as Record<string, unknown>;
}

/**
 * RFC 6749 §6 refresh_token grant around a platform's token call: requires a
 * held refresh token, keeps it when the answer has none, and names an expired
 * deadline as the reason when the platform rejects it.
 */
export async function refreshGrant(
  t: TokenSet,
  d: { clock: { now(): number } },
  o: {
    descriptor: ProviderDescriptor;
    call: (fields: Record<string, string>) => Promise<Record<string, unknown>>;
    refreshLifetime: ProcessOptions['refreshLifetime'];
    reasonIfNone?: ReconnectReason;
  },
): Promise<TokenSet> {
  const refreshToken = requireRefreshToken(o.descriptor.id, t, o.reasonIfNone);
  try {
    const body = await o.call({ grant_type: 'refresh_token', refresh_token: refreshToken });
    return processTokenResponse(body, { now: d.clock.now(), descriptor: o.descriptor, prev: t, fallbackScopes: t.scopes, refreshLifetime: o.refreshLifetime });
  } catch (e) {
    throw withExpiryReason(e, t, d.clock.now());
  }
}

/** GET with a Bearer token (RFC 6750 §2.1), through the platform's classifier. */
export function bearerGet(
  platform: PlatformId,
  d: { http: Http; clock: { now(): number } },
  url: URL,
  accessToken: string,
  classify: Classifier,
  isError?: (body: unknown) => boolean,
): Promise<Record<string, unknown>> {
  return callJson(platform, d.http, url, { headers: { authorization: `Bearer ${accessToken}` } }, classify, { now: d.clock.now(), context: 'api', what: 'who-am-I' }, isError);
}

/**
 * The authorization-code request's parameters on the platform's authorize URL (RFC 6749 §4.1.1):
 * client id, redirect URI, response type, scopes joined by the platform's separator, state.
 * Platforms add their own (PKCE, prompts) after it.
 */
export function codeAuthorizeUrl(u: URL, i: AuthorizeInput, clientId: string, scopeSeparator: string): URL {
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('redirect_uri', i.redirectUri);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', i.scopes.join(scopeSeparator));
  u.searchParams.set('state', i.state);
  return u;
}
