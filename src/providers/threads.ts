/**
 * Threads API (Meta). Rules: docs/platforms/threads.md.
 * - Authorize: https://threads.com/oauth/authorize (docs/platforms/threads.md#oauth); threads.net answers
 *   with a redirect that can drop the OAuth parameters, so threads.com is the default (override with
 *   SOCIALYNC_THREADS_WWW_URL or config endpoints.threads.www).
 * - Redirect: exact match of a registered URI, HTTPS only (the dashboard refuses http): a fixed port
 *   and an https listener, as for Instagram Login.
 * - No PKCE is documented; the Threads app secret is required at the token endpoints.
 * - Tokens: code -> short-lived (1 h) token at graph.threads.net/oauth/access_token, exchanged at once
 *   for a long-lived (60 d) one (grant_type=th_exchange_token). No refresh token: the long-lived token
 *   is extended with grant_type=th_refresh_token once it is >= 24 h old and not expired
 *   (docs/platforms/threads.md#tokens).
 * - Errors: Meta's Graph envelope and codes (graph.ts META_ERRORS; docs/platforms/threads.md#errors).
 * - No token-revocation endpoint is documented: `revoke` is deliberately absent.
 */
import { hostUrl } from '../core/url.js';
import { codeAuthorizeUrl } from './oauth.js';
import { DAY, HOUR } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import { formBody } from '../core/http.js';
import { rememberSecret } from '../core/redact.js';
import { extendLongLived, graphCall, longLivedTokenSet, str, stripMetaCodeSuffix } from './graph.js';
import type { AccountInfo, AuthorizeInput, CodeInput, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export const THREADS_DOCS = {
  tokens: 'https://developers.facebook.com/documentation/threads/get-started/get-access-tokens-and-permissions',
  longLived: 'https://developers.facebook.com/docs/threads/get-started/long-lived-tokens/',
} as const;

/** Threads' fixed redirect port (an exact, registered https URI: docs/platforms/threads.md#oauth). */
export const THREADS_PORT = 8744;

export const descriptor: ProviderDescriptor = {
  id: 'threads',
  displayName: 'Threads',
  hosts: {
    www: 'https://threads.com',
    graph: 'https://graph.threads.net',
  },
  scopes: [
    { scope: 'threads_basic', why: 'reading the profile and extending the token (required by every Threads endpoint)', required: true },
    { scope: 'threads_content_publish', why: 'publishing posts', required: true },
  ],
  scopeSeparator: ',',
  redirect: { port: THREADS_PORT, path: '/callback', https: true, host: '127.0.0.1', registerHint: `https://127.0.0.1:${THREADS_PORT}/callback` },
  pkce: 'none',
  clientSecret: 'required',
  refresh: { kind: 'ig_refresh', rotates: false, thresholdMinutes: 15 * 24 * 60 },
  apiVersion: 'v1.0',
};

/** A long-lived token can be extended only once it is at least this old (docs/platforms/threads.md#tokens). */
export const THREADS_MIN_REFRESH_AGE_MS = 24 * HOUR;
const LONG_LIVED_FALLBACK_MS = 60 * DAY;

function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  return codeAuthorizeUrl(hostUrl(d.hosts.www, '/oauth/authorize'), i, d.app.clientId, ',');
}

/** Pure: a long-lived token answer as a TokenSet (graph.ts longLivedTokenSet). */
export const threadsTokenSet = (body: Record<string, unknown>, now: number, scopes: string[], extra?: Record<string, string>): TokenSet =>
  longLivedTokenSet('threads', body, now, scopes, LONG_LIVED_FALLBACK_MS, extra);

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const short = await graphCall('threads', 'code exchange', d.http, hostUrl(d.hosts.graph, '/oauth/access_token'), {
    method: 'POST',
    body: formBody({
      client_id: d.app.clientId,
      client_secret: d.app.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: i.redirectUri,
      code: stripMetaCodeSuffix(i.code),
    }),
  }, d.clock.now());
  const shortToken = str(short.access_token);
  if (!shortToken) throw new ProviderError('threads: the token response has no access_token', { errorClass: 'transient' });
  rememberSecret(shortToken);
  // Short (1 h) -> long (60 d), server side (docs/platforms/threads.md#tokens).
  const u = hostUrl(d.hosts.graph, '/access_token');
  u.searchParams.set('grant_type', 'th_exchange_token');
  u.searchParams.set('client_secret', d.app.clientSecret ?? '');
  u.searchParams.set('access_token', shortToken);
  const body = await graphCall('threads', 'long-lived token exchange', d.http, u, {}, d.clock.now());
  // user_id is a JSON number; one beyond 2^53 would come back wrong, so only exact ids are kept (who-am-I gives the string).
  const userId = typeof short.user_id === 'string' ? short.user_id : Number.isSafeInteger(short.user_id) ? String(short.user_id) : undefined;
  // The Authorization Window grants what was asked or nothing (no partial consent is documented).
  return threadsTokenSet(body, d.clock.now(), descriptor.scopes.map((s) => s.scope), userId ? { userId } : undefined);
}

/**
 * th_refresh_token (docs/platforms/threads.md#tokens):
 * - expired: can no longer be refreshed -> reconnect_needed (token_expired), without a network call;
 * - younger than 24 h: not refreshable yet; only checked with who-am-I (a revoked token is still
 *   reported) and returned unchanged (the same object back means "skipped");
 * - otherwise GET refresh_access_token and a new 60-day token.
 */
function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  return extendLongLived('threads', t, d, { grant: 'th_refresh_token', minAgeMs: THREADS_MIN_REFRESH_AGE_MS, fallbackMs: LONG_LIVED_FALLBACK_MS, check: (x) => whoami(x, d) });
}

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  const u = hostUrl(d.hosts.graph, `/${d.apiVersion ?? descriptor.apiVersion}/me`);
  u.searchParams.set('fields', 'id,username,name');
  u.searchParams.set('access_token', t.accessToken);
  const b = await graphCall('threads', 'account lookup', d.http, u, {}, d.clock.now());
  const id = str(b.id);
  if (!id) throw new ProviderError('threads: the account lookup returned no user id', { errorClass: 'transient' });
  const username = str(b.username);
  return { id, ...(username ? { username } : {}), displayName: str(b.name) ?? username ?? id, meta: { threadsUserId: id } };
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami };
