/**
 * Mastodon, on any server ("instance"). Every rule, with its official page and the test that
 * enforces it: docs/platforms/mastodon.md.
 * - No developer portal: the app is registered on each server at connect time with
 *   POST /api/v1/apps (our loopback redirect, our scopes), one app per server, kept in the secret
 *   store and reused (#apps; src/auth/instance-app.ts). The server is the connection's own API host
 *   (descriptor.perConnectionHost; connection meta `instance`).
 * - PKCE (S256) where the server announces it in /.well-known/oauth-authorization-server
 *   (`code_challenge_methods_supported`, Mastodon 4.3+); older servers have no such document (#pkce).
 * - Redirect: a loopback IP literal, whose port the server ignores, so one registration serves
 *   every free port (#redirect).
 * - Tokens do not expire and there is no refresh grant: `refresh` (kind 'check') is a who-am-I;
 *   a 401 means the token was revoked: reconnect (#lifetimes).
 * - Errors: `{"error": "..."}`; 401 reconnect, 403 permission (outside the granted scopes), 422
 *   invalid request, 429 rate limited until X-RateLimit-Reset (an ISO 8601 time) (#errors).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError, type ErrorClass } from '../core/errors.js';
import { readJson, retryAfterMs, type Response } from '../core/http.js';
import { redactText } from '../core/redact.js';
import { challengeS256 } from '../auth/pkce.js';
import { str } from './graph.js';
import { bearerGet, formCall, parse, processTokenResponse, providerError, send, type CallContext, type Classifier, type HeaderLike, codeAuthorizeUrl } from './oauth.js';
import type { AccountInfo, AuthorizeInput, CodeInput, Provider, ProviderDeps, ProviderDescriptor, RegisteredApp, TokenSet } from './types.js';

export const descriptor: ProviderDescriptor = {
  id: 'mastodon',
  displayName: 'Mastodon',
  // The default server when `connect mastodon` gets no --instance; each connection keeps its own.
  hosts: { api: 'https://mastodon.social' },
  scopes: [
    { scope: 'read:accounts', why: 'checking which account is connected, and that the connection still works', required: true },
    { scope: 'write:statuses', why: 'publishing posts', required: true },
    { scope: 'write:media', why: 'attaching images and videos', required: true },
  ],
  scopeSeparator: ' ',
  redirect: { port: 'any', path: '/callback', https: false, host: '127.0.0.1' },
  pkce: 'S256',
  clientSecret: 'required',
  // No expiry, no refresh grant: a who-am-I every 6 hours keeps `status` honest (#lifetimes).
  refresh: { kind: 'check', rotates: false, thresholdMinutes: 0, checkEveryMinutes: 6 * 60 },
  perConnectionHost: 'api',
};

/** How the app is named on the server's "Authorized apps" page. */
const CLIENT_NAME = 'socialync';
const WEBSITE = 'https://github.com/socialync/socialync';

interface Classification {
  errorClass: ErrorClass;
  reason?: 'unknown';
  platformCode?: string;
  message: string;
}

/** Pure classification (docs/platforms/mastodon.md#errors). `status` 0 = network failure. */
export function classifyMastodonError(status: number, body: unknown, context: CallContext): Classification {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const error = str(b.error);
  // The token endpoint speaks RFC 6749 (`error` is a code); the REST API puts a sentence there.
  const oauthCode = error && /^[a-z_]+$/.test(error) ? error : undefined;
  const platformCode = oauthCode ?? (status ? `http ${status}` : undefined);
  const message = redactText(str(b.error_description) ?? error ?? (status ? `HTTP ${status}` : 'network error')).slice(0, 300);
  const out = (errorClass: ErrorClass, reason?: 'unknown'): Classification => ({ errorClass, ...(reason ? { reason } : {}), ...(platformCode ? { platformCode } : {}), message });
  if (status === 0 || status >= 500 || status === 408) return out('transient');
  if (status === 429) return out('rate_limited');
  if (oauthCode === 'invalid_client' || oauthCode === 'unauthorized_client' || oauthCode === 'invalid_scope') return out('permission');
  // The body cannot tell a revoked token from a deleted or suspended account.
  if (status === 401 && context !== 'code') return out('reconnect_needed', 'unknown');
  if (status === 403) return out('permission');
  // No code tells it apart: media the server has not finished processing is worth a later retry (#media).
  if (status === 422 && error?.startsWith('Cannot attach files that have not finished processing')) return out('transient');
  return out('invalid_request');
}

/** Retry-After, else X-RateLimit-Reset: an ISO 8601 time, not seconds (#rate-limits). */
export function mastodonRetryMs(headers: HeaderLike, now: number): number | undefined {
  const ra = retryAfterMs(headers.get('retry-after'), now);
  if (ra !== undefined) return ra;
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  return Number.isFinite(reset) ? Math.max(0, reset - now) : undefined;
}

export const classify: Classifier = (status, body, headers, o) => {
  const c = classifyMastodonError(status, body, o.context ?? 'api');
  const e = providerError('mastodon', o, status, headers, c, c.platformCode, c.message);
  if (c.errorClass !== 'rate_limited' || e.retryAfterMs !== undefined) return e;
  const wait = mastodonRetryMs(headers, o.now);
  return wait === undefined ? e : new ProviderError(e.message, { errorClass: 'rate_limited', status, ...(c.platformCode ? { platformCode: c.platformCode } : {}), retryAfterMs: wait });
};

function oauthCall(d: ProviderDeps, path: string, fields: Record<string, string | undefined>, what: string, context: CallContext) {
  return formCall('mastodon', d, hostUrl(d.hosts.api!, path).toString(), { ...fields, client_id: d.app.clientId, client_secret: d.app.clientSecret }, classify, { what, context });
}

/** Whether the server announces S256 PKCE (Mastodon 4.3+); a missing document means no (#pkce). */
async function discoverPkce(d: ProviderDeps): Promise<boolean> {
  const p = await parse(await send('mastodon', 'authorization server discovery', d.http, hostUrl(d.hosts.api!, '/.well-known/oauth-authorization-server')), 'mastodon');
  if (p.status === 404 || p.status === 410) return false;
  if (!p.ok) throw classify(p.status, p.body, p.headers, { now: d.clock.now(), context: 'api', what: 'authorization server discovery' });
  const methods = (p.body as { code_challenge_methods_supported?: unknown } | undefined)?.code_challenge_methods_supported;
  return Array.isArray(methods) && methods.includes('S256');
}

/** POST /api/v1/apps: a confidential client with our loopback redirect and scopes (#apps). */
async function registerApp(i: { redirectUri: string; scopes: string[] }, d: ProviderDeps): Promise<RegisteredApp> {
  const res = await send('mastodon', 'app registration', d.http, hostUrl(d.hosts.api!, '/api/v1/apps'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_name: CLIENT_NAME, redirect_uris: i.redirectUri, scopes: i.scopes.join(' '), website: WEBSITE }),
  });
  const p = await parse(res, 'mastodon', 'app registration');
  if (!p.ok) throw classify(p.status, p.body, p.headers, { now: d.clock.now(), context: 'api', what: 'app registration' });
  const b = (p.body ?? {}) as Record<string, unknown>;
  const clientId = str(b.client_id);
  const clientSecret = str(b.client_secret);
  if (!clientId || !clientSecret) throw new ProviderError('mastodon: app registration returned no client_id/client_secret', { errorClass: 'transient' });
  const pkce = await discoverPkce({ ...d, app: { clientId, clientSecret } });
  return { clientId, clientSecret, clientType: 'confidential', redirectUri: i.redirectUri, scopes: i.scopes, flags: { pkce } };
}

/**
 * Is the stored app still known to the server? A client_credentials grant answers 401
 * invalid_client for an app the server deleted (older servers purge apps never used) (#apps).
 * The app token it returns is revoked at once.
 */
async function checkApp(d: ProviderDeps, redirectUri: string): Promise<RegisteredApp | undefined> {
  let body: Record<string, unknown>;
  try {
    body = await oauthCall(d, '/oauth/token', { grant_type: 'client_credentials', redirect_uri: redirectUri, scope: 'read:accounts' }, 'app check', 'code');
  } catch (e) {
    if (e instanceof ProviderError && e.platformCode === 'invalid_client') return undefined;
    throw e;
  }
  const appToken = str(body.access_token);
  if (appToken) await oauthCall(d, '/oauth/revoke', { token: appToken }, 'app token revoke', 'revoke').catch(() => undefined);
  const pkce = await discoverPkce(d);
  return { ...(d.app as RegisteredApp), flags: { ...(d.app.flags ?? {}), pkce } };
}

function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  const u = codeAuthorizeUrl(hostUrl(d.hosts.api!, '/oauth/authorize'), i, d.app.clientId, ' ');
  if (d.app.flags?.pkce) {
    u.searchParams.set('code_challenge', challengeS256(i.codeVerifier));
    u.searchParams.set('code_challenge_method', 'S256');
  }
  return u;
}

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const b = await oauthCall(d, '/oauth/token', {
    grant_type: 'authorization_code',
    code: i.code,
    redirect_uri: i.redirectUri,
    ...(d.app.flags?.pkce ? { code_verifier: i.codeVerifier } : {}),
  }, 'code exchange', 'code');
  // No expires_in and no refresh_token: the token lives until revoked (#lifetimes).
  return processTokenResponse(b, { now: d.clock.now(), descriptor, fallbackScopes: descriptor.scopes.map((s) => s.scope) });
}

/**
 * The server's name: accounts are `user@host` across the fediverse. A server behind a path (only
 * the sandbox's second instance) keeps its path, so two servers never share a name.
 */
const instanceHost = (d: ProviderDeps): string => {
  const u = new URL(d.hosts.api!);
  return `${u.host}${u.pathname.replace(/\/+$/, '')}`;
};

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  const b = await bearerGet('mastodon', d, hostUrl(d.hosts.api!, '/api/v1/accounts/verify_credentials'), t.accessToken, classify);
  const id = str(b.id);
  const username = str(b.username);
  if (!id || !username) throw new ProviderError('mastodon: verify_credentials returned no account id', { errorClass: 'transient' });
  const host = instanceHost(d);
  // Account ids are per server: the same number on two servers is two people.
  return { id: `${id}@${host}`, username: `${username}@${host}`, displayName: str(b.display_name) || username, meta: { instance: d.hosts.api!, accountId: id, ...(str(b.url) ? { profileUrl: str(b.url)! } : {}) } };
}

/** No refresh grant: check the token (who-am-I) and hand it back unchanged, or reconnect_needed. */
async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  await whoami(t, d);
  return { ...t };
}

/** POST /oauth/revoke: 200 `{}` even for a token already revoked (#revoke). */
async function revoke(t: TokenSet, d: ProviderDeps): Promise<void> {
  if (!d.app.clientId) throw new ProviderError(`mastodon: no app is registered on ${d.hosts.api} any more; revoke socialync under Preferences > Account > Authorized apps`, { errorClass: 'invalid_request' });
  await oauthCall(d, '/oauth/revoke', { token: t.accessToken }, 'revoke', 'revoke');
}

/** The body of an error answer as a ProviderError (publishing calls that are not JSON-only). */
export async function mastodonFailure(res: Response, now: number, what: string): Promise<ProviderError> {
  const body = await readJson(res).catch(() => undefined);
  return classify(res.status, body, res.headers, { now, context: 'api', what });
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami, revoke, registerApp, checkApp };
