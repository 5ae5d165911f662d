/**
 * Bluesky (AT Protocol OAuth) through the official @atproto/oauth-client-node
 * (docs/platforms/bluesky.md#oauth; https://atproto.com/specs/oauth):
 * handle -> DID -> PDS -> authorization server, PAR, PKCE S256, DPoP-bound tokens with server
 * nonces, and the spec's localhost development client, so no app is registered anywhere.
 * - Public (localhost) clients: the whole session and each refresh token end 2 weeks after the
 *   login at most; refreshing does not extend it (docs/platforms/bluesky.md#lifetimes).
 * - Refresh tokens are single-use and rotate: src/auth/refresh.ts stores the new one before use.
 * - The DPoP private key is part of the session: it is kept in the TokenSet's `extra`, in the
 *   secret store, never in SQLite.
 */
import { systemClock, DAY } from '../core/clock.js';
import { ProviderError, UsageError, isNetworkError, type ReconnectReason } from '../core/errors.js';
import type { NodeSavedSession } from '@atproto/oauth-client-node';
import { retryAfterMs } from '../core/http.js';
import type { AccountInfo, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';
import { createClient, DEFAULT_HOSTS, loadLib, MemoryStore, savedSession, SCOPE, type AtprotoLib, type ClientStores } from './bluesky-client.js';
import { resourceCall } from './bluesky-session.js';

export const PUBLIC_SESSION_DAYS = 14;

export const descriptor: ProviderDescriptor = {
  id: 'bluesky',
  displayName: 'Bluesky',
  hosts: { ...DEFAULT_HOSTS },
  scopes: [
    { scope: 'atproto', why: 'identifies the account (required by every AT Protocol login)', required: true },
    { scope: 'transition:generic', why: 'creates posts and uploads images and videos', required: true },
  ],
  scopeSeparator: ' ',
  // The localhost client: redirect on 127.0.0.1, any port (path matched, port ignored).
  redirect: { port: 'any', path: '/callback', https: false, host: '127.0.0.1' },
  pkce: 'S256',
  clientSecret: 'optional',
  refresh: { kind: 'refresh_token', rotates: true, thresholdMinutes: 10, fallbackRefreshLifetimeDays: PUBLIC_SESSION_DAYS },
  defaultClientId: 'http://localhost',
};

const stores = (onSession?: (s: NodeSavedSession) => void): ClientStores => ({ state: new MemoryStore(), session: new MemoryStore((_k, v) => onSession?.(v)) });

/** The library's session -> our TokenSet (secret store), with the public-client session deadline. */
export function toTokenSet(s: NodeSavedSession, d: ProviderDeps, sessionStartedAt: number): TokenSet {
  const t = s.tokenSet;
  const now = d.clock.now();
  // The library stamps expires_at from the wall clock; keep the lifetime, on our clock.
  const expiresAt = t.expires_at ? now + (Date.parse(t.expires_at) - systemClock.now()) : undefined;
  return {
    accessToken: t.access_token,
    ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
    tokenType: 'DPoP',
    ...(expiresAt ? { expiresAt } : {}),
    refreshExpiresAt: sessionStartedAt + PUBLIC_SESSION_DAYS * DAY,
    refreshExpiresEstimated: false,
    scopes: t.scope.split(' ').filter(Boolean),
    obtainedAt: now,
    extra: { dpopJwk: JSON.stringify(s.dpopJwk), authMethod: JSON.stringify(s.authMethod), iss: t.iss, sub: t.sub, aud: t.aud, sessionStartedAt: String(sessionStartedAt) },
  };
}

const REFRESH_DEAD: Record<string, ReconnectReason> = { 'session expired': 'refresh_token_expired' };

/** The first HTTP status (and headers) along an error's cause chain. */
function httpStatusOf(e: unknown): { status?: number; headers?: Headers } {
  for (let x = e as { statusCode?: number; status?: number; response?: { status?: number; headers?: Headers }; cause?: unknown } | undefined, n = 0; x && n < 8; x = x.cause as typeof x, n++) {
    const status = x.response?.status ?? x.status ?? x.statusCode;
    if (typeof status === 'number' && status >= 400) return { status, ...(x.response?.headers ? { headers: x.response.headers } : {}) };
  }
  return {};
}

/**
 * The library's errors -> our classes (docs/platforms/bluesky.md#errors): `invalid_grant` at
 * refresh (expired session, replayed or revoked token) is a reconnect; network trouble and 5xx
 * are transient; 429 is rate limited; an unresolvable handle or a wrong callback is the request.
 */
export function classifyLibraryError(lib: AtprotoLib, e: unknown, what: string, d?: ProviderDeps): ProviderError {
  if (e instanceof ProviderError) return e;
  const { FetchRequestError, FetchResponseError, OAuthCallbackError, OAuthResolverError, OAuthResponseError, TokenInvalidError, TokenRefreshError, TokenRevokedError } = lib;
  const msg = (e as Error)?.message ?? String(e);
  if (e instanceof TokenRefreshError || e instanceof TokenRevokedError || e instanceof TokenInvalidError) {
    const cause = e.cause instanceof OAuthResponseError ? e.cause : undefined;
    const desc = cause?.errorDescription ?? msg;
    const reason = REFRESH_DEAD[desc] ?? (/expired/i.test(desc) ? 'refresh_token_expired' : 'unknown');
    return new ProviderError(`bluesky: ${what}: ${desc}`, { errorClass: 'reconnect_needed', reason, ...(cause ? { status: cause.status } : {}), platformCode: cause?.error ?? 'invalid_grant', cause: e });
  }
  const { status, headers } = httpStatusOf(e);
  if (status === 429) {
    const ms = retryAfterMs(headers?.get('retry-after') ?? null, d?.clock.now() ?? 0);
    return new ProviderError(`bluesky: ${what}: rate limited`, { errorClass: 'rate_limited', status, ...(ms !== undefined ? { retryAfterMs: ms } : {}), cause: e });
  }
  if (isNetworkError(e) || (status !== undefined && status >= 500) || e instanceof FetchRequestError) {
    return new ProviderError(`bluesky: ${what}: the server did not answer (${msg})`, { errorClass: 'transient', ...(status ? { status } : {}), cause: e });
  }
  if (e instanceof OAuthResponseError) return new ProviderError(`bluesky: ${what}: ${e.error ?? 'error'}: ${e.errorDescription ?? ''}`, { errorClass: 'invalid_request', status: e.status, ...(e.error ? { platformCode: e.error } : {}), cause: e });
  // A wrong callback (unknown or spent state, denied consent, another issuer), an unknown handle.
  if (e instanceof OAuthCallbackError || e instanceof OAuthResolverError) return new ProviderError(`bluesky: ${what}: ${msg}`, { errorClass: 'invalid_request', cause: e });
  if (e instanceof FetchResponseError) return new ProviderError(`bluesky: ${what}: ${msg}`, { errorClass: 'transient', ...(status ? { status } : {}), cause: e });
  throw e;
}

/**
 * Why the login could not start. Off the network, the handle lookup fails two ways: through the
 * `handles` host (XRPC resolveHandle) the library keeps the network error, but its DNS and
 * HTTPS well-known lookups (docs/platforms/bluesky.md#oauth) swallow network errors and report a
 * handle that "does not resolve". So before blaming the handle we ask whether Bluesky's entryway
 * answers at all: if it does not, the network is down (transient, exit 6), not the handle.
 */
async function loginStartError(lib: AtprotoLib, e: unknown, start: string, handle: string | undefined, d: ProviderDeps): Promise<Error> {
  const pe = classifyLibraryError(lib, e, `cannot start the login for ${start}`, d);
  const offline = (why: string) => new ProviderError(`bluesky: cannot look up the handle ${handle}: no answer over the network (${why})`, { errorClass: 'transient', cause: e });
  if (!handle) return pe;
  if (pe.errorClass === 'transient') return isNetworkError(e) ? offline(rootCause(e)) : pe;
  if (pe.errorClass !== 'invalid_request') return pe;
  const down = httpStatusOf(e).status === undefined ? await unreachable(d.hosts['entryway']!, d) : undefined;
  if (down) return offline(down);
  // A handle that resolves to no account is the user's input to fix, not the platform's failure.
  return new UsageError(pe.message, 'check the handle (e.g. alice.bsky.social, or your own domain), then run: socialync connect bluesky --handle <your-handle>');
}

/** The innermost message of an error's cause chain ("connect ECONNREFUSED 127.0.0.1:4321"). */
function rootCause(e: unknown): string {
  let x = e as { message?: unknown; cause?: unknown } | undefined;
  for (let n = 0; x?.cause && typeof x.cause === 'object' && n < 8; n++) x = x.cause as typeof x;
  return String(x?.message ?? e);
}

/** Why `origin` gives no HTTP answer (a network error), or undefined when it answers at all. */
async function unreachable(origin: string, d: ProviderDeps): Promise<string | undefined> {
  try {
    const res = await d.http.fetch(origin, { method: 'HEAD', redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return undefined;
  } catch (e) {
    if (!isNetworkError(e)) throw e;
    return `${new URL(origin).host}: ${rootCause(e)}`;
  }
}

async function login(i: { redirectUri: string; loginHint?: string }, d: ProviderDeps) {
  const s = stores();
  const lib = await loadLib();
  const client = createClient(lib, d, i.redirectUri, s);
  // Without a handle the login starts at the entryway (bsky.social), which asks who you are.
  const start = i.loginHint?.trim() || d.hosts['entryway']!;
  const url = await client.authorize(start, { scope: SCOPE }).catch(async (e: unknown) => {
    throw await loginStartError(lib, e, start, i.loginHint?.trim(), d);
  });
  const state = [...s.state.map.keys()][0]!;
  return {
    url,
    state,
    async exchange(params: Record<string, string>): Promise<TokenSet> {
      const startedAt = d.clock.now();
      const { session } = await client.callback(new URLSearchParams(params)).catch((e: unknown) => {
        throw classifyLibraryError(lib, e instanceof lib.OAuthCallbackError && e.cause ? e.cause : e, 'code exchange', d);
      });
      const saved = s.session.map.get(session.sub)!;
      return toTokenSet(saved, d, startedAt);
    },
  };
}

const bug = (what: string) => {
  throw new ProviderError(`bluesky: ${what} is not used: AT Protocol logins go through startLogin`, { errorClass: 'bug' });
};

export const provider: Provider = {
  descriptor,
  buildAuthorizeUrl: () => bug('buildAuthorizeUrl'),
  exchangeCode: async () => bug('exchangeCode'),
  startLogin: login,

  /** A forced refresh through the library (DPoP key and nonce of the session); the new token set replaces the old. */
  async refresh(t, d) {
    let latest: NodeSavedSession | undefined;
    const s = stores((v) => (latest = v));
    const sub = t.extra?.['sub'];
    if (!sub || !t.refreshToken) throw new ProviderError('bluesky: this connection has no refresh token', { errorClass: 'reconnect_needed', reason: 'unknown' });
    await s.session.set(sub, savedSession(t, true));
    latest = undefined;
    const lib = await loadLib();
    const client = createClient(lib, d, 'http://127.0.0.1/callback', s);
    await client.restore(sub, true).catch((e: unknown) => {
      if (latest) return; // refreshed, but a later metadata fetch failed: the new tokens count
      throw classifyLibraryError(lib, e, 'token refresh', d);
    });
    if (!latest) throw new ProviderError('bluesky: token refresh returned no session', { errorClass: 'transient' });
    return toTokenSet(latest, d, Number(t.extra?.['sessionStartedAt'] ?? d.clock.now()));
  },

  async whoami(t, d): Promise<AccountInfo> {
    const body = (await resourceCall(t, d, 'GET', 'com.atproto.server.getSession', 'who-am-I')) as { did?: string; handle?: string };
    if (!body.did) throw new ProviderError('bluesky: who-am-I returned no DID', { errorClass: 'transient' });
    return { id: body.did, ...(body.handle ? { username: body.handle } : {}), displayName: body.handle ?? body.did, meta: { pds: t.extra?.['aud'] ?? '' } };
  },

  /** The authorization server's revocation endpoint (RFC 7009) with the session's DPoP key. */
  async revoke(t, d) {
    const sub = t.extra?.['sub'];
    if (!sub) return;
    const s = stores();
    await s.session.set(sub, savedSession(t, true));
    const lib = await loadLib();
    const client = createClient(lib, d, 'http://127.0.0.1/callback', s);
    await client.revoke(sub).catch((e: unknown) => {
      throw classifyLibraryError(lib, e, 'revoke', d);
    });
  },
};
