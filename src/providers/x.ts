/**
 * X API v2, OAuth 2.0 Authorization Code with PKCE (see docs/platforms/x.md#oauth;
 * https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code).
 *
 * - Redirect URIs match EXACTLY, port and trailing slash included; no wildcard.
 *   We use http://127.0.0.1:8976/callback (X's developer-apps page recommends 127.0.0.1 over
 *   localhost; 8976 avoids the crowded 8080 of X's own samples). Users register
 *   exactly that; `--port` / config can change it, and then they register that.
 * - PKCE S256 (base64url) is required. The code lives 30 s: exchange at once.
 * - Public clients (Native App) send client_id in the body and no secret.
 *   Confidential clients (Web App, bots) MUST use HTTP Basic; otherwise X says
 *   `unauthorized_client` "Missing valid authorization header".
 * - Refresh tokens need `offline.access`, are single-use and rotate; reusing a
 *   spent one may kill the whole family (community reports), so persist first.
 * - Refresh lifetime ~6 months comes only from an X blog post: an ESTIMATE.
 */
import { hostUrl } from '../core/url.js';
import type { ProviderError } from '../core/errors.js';
import { challengeS256 } from '../auth/pkce.js';
import type { AccountInfo, AppCredentials, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';
import {
  bearerGet,
  classifyOAuthCode,
  classifyStatus,
  fallbackLifetime,
  formCall,
  processTokenResponse,
  providerError,
  refreshGrant,
  type CallContext,
  type ClassifyOptions,
  type HeaderLike,
} from './oauth.js';

const DEFAULT_X_PORT = 8976;

export const descriptor: ProviderDescriptor = {
  id: 'x',
  displayName: 'X',
  hosts: { x: 'https://x.com', api: 'https://api.x.com' },
  scopes: [
    { scope: 'tweet.read', why: 'reads your posts (needed by who-am-I)', required: true },
    { scope: 'users.read', why: 'identifies the account (who-am-I) and validates the token before posting', required: true },
    { scope: 'tweet.write', why: 'publishes posts', required: true },
    { scope: 'offline.access', why: 'gets a refresh token, so the connection survives the 2-hour access token', required: true },
    { scope: 'media.write', why: 'uploads images and videos', required: true },
  ],
  scopeSeparator: ' ',
  redirect: { port: DEFAULT_X_PORT, path: '/callback', https: false, host: '127.0.0.1', registerHint: `http://127.0.0.1:${DEFAULT_X_PORT}/callback` },
  pkce: 'S256',
  clientSecret: 'confidential-only',
  refresh: { kind: 'refresh_token', rotates: true, thresholdMinutes: 30, fallbackRefreshLifetimeDays: 180, fallbackIsEstimate: true },
};

/** Configuration problems (the app's access package), not something a reconnect fixes. */
const CONFIG_REASONS = new Set(['client-forbidden', 'client-not-enrolled']);

/**
 * Pure classification (see docs/platforms/x.md#errors). Token endpoint: RFC 6749
 * `{error, error_description}`, where a dead refresh token is `invalid_request`
 * (sometimes `invalid_grant`); APIs: RFC 7807 problem details, and v1.1-style
 * `{errors:[{code, message}]}` (code 88 = rate limit).
 */
export function classify(status: number, body: unknown, headers: HeaderLike, o: ClassifyOptions): ProviderError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const err = b['error'];
  if (typeof err === 'string' && err) {
    const description = typeof b['error_description'] === 'string' ? b['error_description'] : err;
    const dead = o.context === 'refresh' && (err === 'invalid_request' || err === 'invalid_grant');
    const c = dead ? ({ errorClass: 'reconnect_needed', reason: 'unknown' } as const) : classifyOAuthCode(err, status, o.context);
    return providerError('x', o, status, headers, c, err, description);
  }
  const reason = typeof b['reason'] === 'string' ? b['reason'] : undefined;
  const problemType = typeof b['type'] === 'string' ? b['type'] : undefined;
  const firstError = Array.isArray(b['errors']) ? (b['errors'][0] as Record<string, unknown> | undefined) : undefined;
  const legacyCode = typeof firstError?.['code'] === 'number' ? firstError['code'] : undefined;
  const detail = [b['title'], b['detail']].filter((s) => typeof s === 'string' && s).join(': ') || (typeof firstError?.['message'] === 'string' ? firstError['message'] : undefined);
  let c: ReturnType<typeof classifyStatus>;
  if (status === 429 || legacyCode === 88) c = { errorClass: 'rate_limited' };
  else if ((reason && CONFIG_REASONS.has(reason)) || problemType?.endsWith('/client-forbidden')) c = { errorClass: 'permission' };
  else if (status === 401) c = { errorClass: 'reconnect_needed', reason: 'token_expired' };
  else c = classifyStatus(status);
  const code = reason ?? (legacyCode !== undefined ? String(legacyCode) : undefined);
  return providerError('x', o, status, headers, c, code, detail);
}

/** Confidential when declared so, or when a secret is configured. */
export function clientType(app: AppCredentials): 'public' | 'confidential' {
  return app.clientType ?? (app.clientSecret ? 'confidential' : 'public');
}

/** X client authentication: Basic for confidential clients, client_id in the body for public ones. */
function clientAuth(d: ProviderDeps): { fields: Record<string, string>; basic?: { id: string; secret: string } } {
  if (clientType(d.app) === 'confidential') {
    return { fields: {}, basic: { id: d.app.clientId, secret: d.app.clientSecret ?? '' } };
  }
  return { fields: { client_id: d.app.clientId } };
}

function tokenCall(d: ProviderDeps, path: string, what: string, context: CallContext, fields: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const auth = clientAuth(d);
  const url = hostUrl(d.hosts['api'], path).toString();
  return formCall('x', d, url, { ...auth.fields, ...fields }, classify, { what, context, ...(auth.basic ? { basic: auth.basic } : {}) });
}

export const provider: Provider = {
  descriptor,

  buildAuthorizeUrl(i, d) {
    const u = hostUrl(d.hosts['x'], '/i/oauth2/authorize');
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', d.app.clientId);
    u.searchParams.set('redirect_uri', i.redirectUri);
    u.searchParams.set('scope', i.scopes.join(' '));
    u.searchParams.set('state', i.state);
    u.searchParams.set('code_challenge', challengeS256(i.codeVerifier));
    u.searchParams.set('code_challenge_method', 'S256');
    return u;
  },

  async exchangeCode(i, d) {
    const body = await tokenCall(d, '/2/oauth2/token', 'code exchange', 'code', {
      code: i.code,
      grant_type: 'authorization_code',
      redirect_uri: i.redirectUri,
      code_verifier: i.codeVerifier,
    });
    return processTokenResponse(body, { now: d.clock.now(), descriptor, fallbackScopes: [], refreshLifetime: fallbackLifetime(descriptor) });
  },

  refresh(t: TokenSet, d) {
    // Each rotation starts a new ~6-month estimate.
    return refreshGrant(t, d, {
      descriptor,
      call: (fields) => tokenCall(d, '/2/oauth2/token', 'token refresh', 'refresh', fields),
      refreshLifetime: fallbackLifetime(descriptor),
      // Without offline.access X issues no refresh token: only a new login helps.
      reasonIfNone: t.scopes.includes('offline.access') ? 'unknown' : 'scope_missing',
    });
  },

  async whoami(t, d): Promise<AccountInfo> {
    const url = hostUrl(d.hosts['api'], '/2/users/me');
    const body = await bearerGet('x', d, url, t.accessToken, classify);
    const u = (body['data'] ?? {}) as Record<string, unknown>;
    const username = typeof u['username'] === 'string' ? u['username'] : undefined;
    return { id: String(u['id'] ?? ''), displayName: typeof u['name'] === 'string' ? u['name'] : (username ?? ''), ...(username ? { username } : {}) };
  },

  /** POST /2/oauth2/revoke (docs/platforms/x.md#oauth); revoking the refresh token ends the grant. */
  async revoke(t, d) {
    const token = t.refreshToken || t.accessToken;
    await tokenCall(d, '/2/oauth2/revoke', 'revoke', 'revoke', { token, token_type_hint: t.refreshToken ? 'refresh_token' : 'access_token' });
  },
};
