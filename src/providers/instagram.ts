/**
 * Instagram API with Instagram Login (professional accounts, no Facebook Page).
 * Rules: docs/platforms/instagram.md.
 * - Authorize: https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/business-login
 *   Host DISAGREES between www.instagram.com (Business Login doc, our default) and api.instagram.com
 *   (reference page): override with SOCIALYNC_INSTAGRAM_WWW_URL or config endpoints.instagram.www.
 * - No PKCE is documented; the client secret is required at the token endpoint.
 * - Redirect: exact match and HTTPS even for loopback, so a fixed port and an https listener.
 * - Tokens: short-lived (1 h) from api.instagram.com, exchanged at once for a long-lived (60 d) one
 *   (grant_type=ig_exchange_token). No refresh token: the long-lived token itself is extended with
 *   grant_type=ig_refresh_token (GET only) once it is >= 24 h old and not yet expired.
 * - No token-revocation API exists (UNCONFIRMED): `revoke` is deliberately absent.
 */
import { hostUrl } from '../core/url.js';
import { codeAuthorizeUrl } from './oauth.js';
import { DAY, HOUR } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import { formBody } from '../core/http.js';
import { rememberSecret } from '../core/redact.js';
import { assertLogin } from './instagram-facebook.js';
import { classifyGraphError, extendLongLived, graphCall, longLivedTokenSet as metaLongLived, parseScopeList, str, stripMetaCodeSuffix, type Classification } from './graph.js';
import type { AccountInfo, AuthorizeInput, CodeInput, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export const descriptor: ProviderDescriptor = {
  id: 'instagram',
  displayName: 'Instagram',
  hosts: {
    www: 'https://www.instagram.com',
    api: 'https://api.instagram.com',
    graph: 'https://graph.instagram.com',
  },
  scopes: [
    { scope: 'instagram_business_basic', why: 'reading the account and extending the token', required: true },
    { scope: 'instagram_business_content_publish', why: 'publishing posts and reels', required: true },
  ],
  scopeSeparator: ',',
  redirect: { port: 8741, path: '/callback', https: true, host: '127.0.0.1' },
  pkce: 'none',
  clientSecret: 'required',
  refresh: { kind: 'ig_refresh', rotates: false, thresholdMinutes: 15 * 24 * 60 },
  apiVersion: 'v25.0',
};

/** A long-lived token can be extended only once it is at least this old. */
const MIN_REFRESH_AGE_MS = 24 * HOUR;
const LONG_LIVED_FALLBACK_MS = 60 * DAY;

export const classifyInstagramError = (status: number, body: unknown): Classification => classifyGraphError(status, body);

function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  return codeAuthorizeUrl(hostUrl(d.hosts.www, '/oauth/authorize'), i, d.app.clientId, ',');
}

/** The token response is flat `{access_token,user_id,permissions}` or wrapped `{data:[{...}]}` (DISAGREE). */
export function parseShortLived(body: Record<string, unknown>): { accessToken: string; userId?: string; scopes: string[] } {
  const inner = Array.isArray(body.data) && body.data[0] && typeof body.data[0] === 'object' ? (body.data[0] as Record<string, unknown>) : body;
  const accessToken = str(inner.access_token);
  if (!accessToken) throw new ProviderError('instagram: the token response has no access_token', { errorClass: 'transient' });
  const userId = str(inner.user_id);
  return { accessToken, ...(userId ? { userId } : {}), scopes: parseScopeList(inner.permissions) };
}

function longLivedTokenSet(body: Record<string, unknown>, now: number, scopes: string[], userId?: string): TokenSet {
  return metaLongLived('instagram', body, now, scopes, LONG_LIVED_FALLBACK_MS, userId ? { userId } : undefined);
}

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const short = parseShortLived(
    await graphCall('instagram', 'code exchange', d.http, hostUrl(d.hosts.api, '/oauth/access_token'), {
      method: 'POST',
      body: formBody({
        client_id: d.app.clientId,
        client_secret: d.app.clientSecret,
        grant_type: 'authorization_code',
        redirect_uri: i.redirectUri,
        code: stripMetaCodeSuffix(i.code),
      }),
    }),
  );
  rememberSecret(short.accessToken);
  // Short (1 h) -> long (60 d), server side: https://developers.facebook.com/docs/instagram-platform/reference/access_token
  const u = hostUrl(d.hosts.graph, '/access_token');
  u.searchParams.set('grant_type', 'ig_exchange_token');
  u.searchParams.set('client_secret', d.app.clientSecret ?? '');
  u.searchParams.set('access_token', short.accessToken);
  const body = await graphCall('instagram', 'long-lived token exchange', d.http, u, {}, d.clock.now());
  // Older flat responses omit `permissions`; consent is all-or-nothing, so assume what we asked for.
  const scopes = short.scopes.length ? short.scopes : descriptor.scopes.map((s) => s.scope);
  return longLivedTokenSet(body, d.clock.now(), scopes, short.userId);
}

/**
 * ig_refresh_token (https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token).
 * - expired: cannot be refreshed at all -> reconnect_needed (token_expired), without a network call;
 * - younger than 24 h: not yet refreshable. The token is only checked with who-am-I (so a revoked or
 *   invalidated one is still reported) and returned unchanged: the same object back means "skipped";
 * - otherwise GET (POST is rejected, stevenschobert/instafeed.js#654) and a new 60-day token.
 */
async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  assertLogin(t, 'instagram');
  return extendLongLived('instagram', t, d, { grant: 'ig_refresh_token', minAgeMs: MIN_REFRESH_AGE_MS, fallbackMs: LONG_LIVED_FALLBACK_MS, check: (x) => whoami(x, d) });
}

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  assertLogin(t, 'instagram');
  const u = hostUrl(d.hosts.graph, `/${d.apiVersion ?? descriptor.apiVersion}/me`);
  u.searchParams.set('fields', 'user_id,username,name,account_type,profile_picture_url');
  u.searchParams.set('access_token', t.accessToken);
  const b = await graphCall('instagram', 'account lookup', d.http, u, {}, d.clock.now());
  // `user_id` is the professional account id used by the publishing endpoints; `id` is app-scoped.
  const id = str(b.user_id) ?? str(b.id);
  if (!id) throw new ProviderError('instagram: the account lookup returned no user id', { errorClass: 'transient' });
  const username = str(b.username);
  const accountType = str(b.account_type);
  return {
    id,
    ...(username ? { username } : {}),
    displayName: str(b.name) ?? username ?? id,
    ...(accountType ? { accountType } : {}),
    meta: { igUserId: id },
  };
}

/** The API serves only professional (Business or Creator) accounts. */
function unsupportedAccount(a: AccountInfo): string | undefined {
  if (a.accountType?.toUpperCase() !== 'PERSONAL') return undefined;
  return (
    `Instagram account @${a.username ?? a.id} is a personal account, and the Instagram API only serves professional accounts. ` +
    'In the Instagram app open Settings > Account type and tools > Switch to professional account (Creator or Business; free, no Facebook Page needed), ' +
    'then reconnect.'
  );
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami, unsupportedAccount };
