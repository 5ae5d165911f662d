/**
 * TikTok Login Kit v2 for desktop; every rule here is in docs/platforms/tiktok.md#authorize.
 *
 * Quirks, each with its source:
 * - `client_key`, not `client_id`; scopes comma-separated (see docs/platforms/tiktok.md#authorize).
 * - PKCE is required and the S256 challenge is the HEX SHA-256 of the verifier, not base64url
 *   (see docs/platforms/tiktok.md#pkce).
 * - The token endpoint wants `client_secret` in the form body even for desktop apps
 *   (see docs/platforms/tiktok.md#tokens).
 * - Refresh tokens rotate: the old one stops working once a new one is issued
 *   (see docs/platforms/tiktok.md#rotation).
 * - Lifetimes changed (24 h/365 d -> 2 h/180 d): always use `expires_in` and
 *   `refresh_expires_in` from the response, never a constant (see docs/platforms/tiktok.md#lifetimes).
 * - Some failures arrive as HTTP 200 with `error.code != "ok"`: always check it
 *   (see docs/platforms/tiktok.md#errors).
 */
import { hostUrl } from '../core/url.js';
import type { ProviderError } from '../core/errors.js';
import { challengeS256Hex } from '../auth/pkce.js';
import type { AccountInfo, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';
import {
  bearerGet,
  classifyOAuthCode,
  classifyStatus,
  fallbackLifetime,
  formCall,
  processTokenResponse,
  providerError,
  refreshGrant,
  splitScopeList,
  type CallContext,
  type ClassifyOptions,
  type HeaderLike,
} from './oauth.js';

export const descriptor: ProviderDescriptor = {
  id: 'tiktok',
  displayName: 'TikTok',
  hosts: { www: 'https://www.tiktok.com', api: 'https://open.tiktokapis.com' },
  scopes: [
    { scope: 'user.info.basic', why: 'identifies the account (who-am-I) and validates the token before posting', required: true },
    { scope: 'video.publish', why: 'posts videos directly (Direct Post)', required: true },
    { scope: 'video.upload', why: 'uploads drafts to the TikTok inbox', required: false },
  ],
  scopeSeparator: ',',
  // TikTok accepts a `*` wildcard port for loopback redirects, so any free port works.
  redirect: { port: 'any', path: '/callback/', https: false, host: '127.0.0.1', registerHint: 'http://127.0.0.1:*/callback/' },
  pkce: 'S256-hex',
  clientSecret: 'required',
  // 180 d is the Nov 2026 figure, used only if a response lacks refresh_expires_in.
  refresh: { kind: 'refresh_token', rotates: true, thresholdMinutes: 12 * 60, fallbackRefreshLifetimeDays: 180, fallbackIsEstimate: true },
};

const TOKEN_PATH = '/v2/oauth/token/';
const RECONNECT = new Set(['access_token_invalid']);
const PERMISSION = new Set([
  'scope_not_authorized',
  'scope_permission_missed',
  'unaudited_client_can_only_post_to_private_accounts',
  'url_ownership_unverified',
  'privacy_level_option_mismatch',
  'spam_risk_user_banned_from_posting',
]);
const RATE = new Set(['rate_limit_exceeded', 'spam_risk_too_many_posts', 'reached_active_user_cap', 'spam_risk_too_many_pending_share']);
const INVALID = new Set(['invalid_param', 'invalid_params']);
const TRANSIENT = new Set(['internal_error', 'server_error', 'temporarily_unavailable']);

/** True when a body is an error in either TikTok shape, whatever the HTTP status. */
export function isTikTokError(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const e = (body as Record<string, unknown>)['error'];
  if (typeof e === 'string') return e !== '';
  if (e && typeof e === 'object') return String((e as Record<string, unknown>)['code'] ?? 'ok') !== 'ok';
  return false;
}

/**
 * Pure classification (see docs/platforms/tiktok.md#errors and #oauth-errors). Two body shapes:
 * OAuth `{error, error_description, log_id}` and API `{data, error:{code, message, log_id}}`.
 */
export function classify(status: number, body: unknown, headers: HeaderLike, o: ClassifyOptions): ProviderError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const err = b['error'];
  if (typeof err === 'string' && err) {
    const description = typeof b['error_description'] === 'string' ? b['error_description'] : err;
    return providerError('tiktok', o, status, headers, classifyOAuthCode(err, status, o.context), err, description);
  }
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const code = String(e['code'] ?? '');
    const message = typeof e['message'] === 'string' && e['message'] ? e['message'] : code;
    const c = RECONNECT.has(code)
      ? ({ errorClass: 'reconnect_needed', reason: 'token_expired' } as const)
      : PERMISSION.has(code)
        ? ({ errorClass: 'permission' } as const)
        : RATE.has(code)
          ? ({ errorClass: 'rate_limited' } as const)
          : INVALID.has(code)
            ? ({ errorClass: 'invalid_request' } as const)
            : TRANSIENT.has(code)
              ? ({ errorClass: 'transient' } as const)
              : status >= 200 && status < 300
                ? ({ errorClass: 'invalid_request' } as const)
                : classifyStatus(status);
    return providerError('tiktok', o, status, headers, c, code || undefined, message);
  }
  return providerError('tiktok', o, status, headers, classifyStatus(status), undefined, undefined);
}

function buildAuthorizeUrl(i: { redirectUri: string; state: string; codeVerifier: string; scopes: string[] }, d: ProviderDeps): URL {
  const u = hostUrl(d.hosts['www'], '/v2/auth/authorize/');
  u.searchParams.set('client_key', d.app.clientId);
  u.searchParams.set('scope', i.scopes.join(','));
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('redirect_uri', i.redirectUri);
  u.searchParams.set('state', i.state);
  u.searchParams.set('code_challenge', challengeS256Hex(i.codeVerifier));
  u.searchParams.set('code_challenge_method', 'S256');
  return u;
}

/** Token and revoke calls: client_key + client_secret in the form body, even for desktop apps. */
function tokenCall(d: ProviderDeps, path: string, what: string, context: CallContext, fields: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const url = hostUrl(d.hosts['api'], path).toString();
  return formCall('tiktok', d, url, { client_key: d.app.clientId, client_secret: d.app.clientSecret, ...fields }, classify, { what, context, isError: isTikTokError });
}

export const provider: Provider = {
  descriptor,
  buildAuthorizeUrl,

  async exchangeCode(i, d) {
    const body = await tokenCall(d, TOKEN_PATH, 'code exchange', 'code', {
      code: i.code,
      grant_type: 'authorization_code',
      redirect_uri: i.redirectUri,
      code_verifier: i.codeVerifier,
    });
    // The callback's `scopes` lists what the user granted when the response omits `scope`.
    const fromCallback = i.callbackParams['scopes'];
    return processTokenResponse(body, {
      now: d.clock.now(),
      descriptor,
      fallbackScopes: fromCallback ? splitScopeList(fromCallback) : [],
      refreshLifetime: fallbackLifetime(descriptor),
    });
  },

  refresh(t: TokenSet, d) {
    return refreshGrant(t, d, {
      descriptor,
      call: (fields) => tokenCall(d, TOKEN_PATH, 'token refresh', 'refresh', fields),
      refreshLifetime: fallbackLifetime(descriptor),
    });
  },

  async whoami(t, d): Promise<AccountInfo> {
    const url = hostUrl(d.hosts['api'], '/v2/user/info/');
    url.searchParams.set('fields', 'open_id,union_id,avatar_url,display_name');
    const body = await bearerGet('tiktok', d, url, t.accessToken, classify, isTikTokError);
    const user = ((body['data'] as Record<string, unknown> | undefined)?.['user'] ?? {}) as Record<string, unknown>;
    const id = typeof user['open_id'] === 'string' ? user['open_id'] : '';
    const displayName = typeof user['display_name'] === 'string' && user['display_name'] ? user['display_name'] : id;
    return { id, displayName, ...(typeof user['union_id'] === 'string' ? { meta: { unionId: user['union_id'] } } : {}) };
  },

  /** Revokes by access token (see docs/platforms/tiktok.md#revoke). */
  async revoke(t, d) {
    await tokenCall(d, '/v2/oauth/revoke/', 'revoke', 'revoke', { token: t.accessToken });
  },
};
