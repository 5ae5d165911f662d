/**
 * Calls to the account's PDS (the resource server) with the session's DPoP-bound access token,
 * through the official library's session (DPoP proofs, `ath`, nonce retries). The library sees
 * the session WITHOUT its refresh token here, so it can never rotate the token behind the back
 * of socialync's refresh lock (docs/platforms/bluesky.md#refresh); a 401 comes back to us.
 */
import { ProviderError, isNetworkError } from '../core/errors.js';
import { retryAfterMs } from '../core/http.js';
import type { OAuthSession } from '@atproto/oauth-client-node';
import type { ProviderDeps, TokenSet } from './types.js';
import { createClient, loadLib, type AtprotoLib, MemoryStore, savedSession } from './bluesky-client.js';
import { classifyLibraryError } from './bluesky.js';

export async function resourceSession(t: TokenSet, d: ProviderDeps): Promise<OAuthSession> {
  const sub = t.extra?.['sub'];
  if (!sub) throw new ProviderError('bluesky: the stored session has no DID', { errorClass: 'reconnect_needed', reason: 'unknown' });
  const s = { state: new MemoryStore<never>(), session: new MemoryStore() };
  await s.session.set(sub, savedSession(t, false));
  const lib = await loadLib();
  const client = createClient(lib, d, 'http://127.0.0.1/callback', s as never);
  return client.restore(sub, false).catch((e: unknown) => {
    throw classifyXrpcFailure(lib, e, 'session', d);
  });
}

/** Failures before any XRPC answer (metadata, network). */
function classifyXrpcFailure(lib: AtprotoLib, e: unknown, what: string, d: ProviderDeps): ProviderError {
  if (e instanceof ProviderError) return e;
  if (isNetworkError(e)) return new ProviderError(`bluesky: ${what}: the server did not answer`, { errorClass: 'transient', cause: e });
  return classifyLibraryError(lib, e, what, d);
}

function retryIn(headers: Headers | undefined, d: ProviderDeps): { retryAfterMs: number } | undefined {
  const ms = retryAfterMs(headers?.get('retry-after') ?? null, d.clock.now());
  if (ms !== undefined) return { retryAfterMs: ms };
  // RateLimit-Reset (docs/platforms/bluesky.md#errors): the header draft the docs link defines
  // delta-seconds; Bluesky's PDS sends a Unix time in seconds. A value past 10^9 is a time.
  const reset = Number(headers?.get('ratelimit-reset'));
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return { retryAfterMs: reset > 1e9 ? Math.max(0, reset * 1000 - d.clock.now()) : reset * 1000 };
}

/**
 * XRPC error bodies are `{error, message}` (docs/platforms/bluesky.md#errors): 401 with
 * `invalid_token`/`ExpiredToken`/`InvalidToken` means the token is dead (reconnect, or renew);
 * 429 rate limited; 5xx transient; the rest is the request.
 */
export async function xrpcError(res: Pick<Response, 'status' | 'json' | 'headers'>, what: string, d: ProviderDeps): Promise<ProviderError> {
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  const code = body.error ?? `HTTP ${res.status}`;
  const msg = `bluesky: ${what}: ${code}${body.message ? `: ${body.message}` : ''}`;
  const base = { status: res.status, platformCode: code };
  if (res.status === 401) return new ProviderError(msg, { ...base, errorClass: 'reconnect_needed', reason: code === 'ExpiredToken' ? 'token_expired' : 'platform_revoked' });
  if (res.status === 429) return new ProviderError(msg, { ...base, errorClass: 'rate_limited', ...(retryIn(res.headers, d) ?? {}) });
  if (res.status >= 500) return new ProviderError(msg, { ...base, errorClass: 'transient' });
  if (res.status === 403) return new ProviderError(msg, { ...base, errorClass: 'permission' });
  return new ProviderError(msg, { ...base, errorClass: 'invalid_request' });
}

export interface XrpcInit {
  query?: Record<string, string>;
  json?: unknown;
  bytes?: { data: Uint8Array; mime: string };
}

/** One XRPC call on the account's PDS; the parsed JSON answer, or a classified ProviderError. */
export async function resourceCall(t: TokenSet, d: ProviderDeps, method: 'GET' | 'POST', nsid: string, what: string, init: XrpcInit = {}, session?: OAuthSession): Promise<unknown> {
  const s = session ?? (await resourceSession(t, d));
  const q = init.query ? `?${new URLSearchParams(init.query)}` : '';
  const headers: Record<string, string> = {};
  let body: BodyInit | undefined;
  if (init.json !== undefined) ((headers['content-type'] = 'application/json'), (body = JSON.stringify(init.json)));
  if (init.bytes) ((headers['content-type'] = init.bytes.mime), (body = init.bytes.data as BodyInit));
  let res: Response;
  try {
    res = await s.fetchHandler(`/xrpc/${nsid}${q}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  } catch (e) {
    throw classifyXrpcFailure(await loadLib(), e, what, d);
  }
  if (!res.ok) throw await xrpcError(res, what, d);
  return res.json().catch(() => ({}));
}
