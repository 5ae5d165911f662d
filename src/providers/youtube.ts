/**
 * YouTube via Google OAuth for installed apps (docs/platforms/youtube.md#authorization;
 * https://developers.google.com/identity/protocols/oauth2/native-app).
 *
 * - Loopback redirect on ANY port (RFC 8252 §7.3): bind 127.0.0.1:0.
 * - PKCE S256, base64url (RFC 7636 §4.2). `client_secret` is "optional" but sent when configured.
 * - Refresh tokens do not rotate and refresh responses carry none: keep the stored one.
 * - No fixed refresh lifetime: dies after ~6 months unused (a sliding estimate), or after
 *   7 days while the project is External + "Testing". Google reports that as
 *   `refresh_token_expires_in`; when it does not, the app flag `testing` applies the 7 days.
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { DAY } from '../core/clock.js';
import { challengeS256 } from '../auth/pkce.js';
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
  type CallContext,
  type ClassifyOptions,
  type HeaderLike,
  type ProcessOptions,
} from './oauth.js';

export const descriptor: ProviderDescriptor = {
  id: 'youtube',
  displayName: 'YouTube',
  hosts: { accounts: 'https://accounts.google.com', oauth2: 'https://oauth2.googleapis.com', api: 'https://www.googleapis.com' },
  scopes: [
    { scope: 'https://www.googleapis.com/auth/youtube.upload', why: 'uploads videos', required: true },
    { scope: 'https://www.googleapis.com/auth/youtube.readonly', why: 'identifies the channel (who-am-I) and validates the token before posting', required: true },
  ],
  scopeSeparator: ' ',
  redirect: { port: 'any', path: '/', https: false, host: '127.0.0.1', registerHint: 'nothing to register: Desktop app clients accept http://127.0.0.1 on any port' },
  pkce: 'S256',
  clientSecret: 'optional',
  // ~6 months *unused*: each refresh restarts the estimate.
  refresh: { kind: 'refresh_token', rotates: false, thresholdMinutes: 65, fallbackRefreshLifetimeDays: 180, fallbackIsEstimate: true },
};

/** Refresh tokens of External apps in "Testing" status last 7 days (docs/platforms/youtube.md#tokens). */
const TESTING_REFRESH_LIFETIME_MS = 7 * DAY;

/** uploadLimitExceeded: the channel's 24-hour upload cap; the next try waits this long. */
const UPLOAD_LIMIT_WAIT_MS = DAY;

/** Reasons of Google API errors (`error.errors[].reason`). */
const RATE_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded', 'rateLimitExceeded', 'userRateLimitExceeded', 'uploadLimitExceeded']);
const PERMISSION_REASONS = new Set(['insufficientPermissions', 'forbidden', 'accessNotConfigured', 'youtubeSignupRequired', 'channelNotFound']);
/** Token-endpoint codes that are configuration or policy problems, not a user reconnect. */
const PERMISSION_CODES = new Set(['admin_policy_enforced', 'deleted_client', 'org_internal', 'disabled_client']);

/**
 * Pure classification (docs/platforms/youtube.md#errors). Token endpoint: RFC 6749
 * `{error, error_description}`; APIs: `{error:{code, message, status, errors:[{reason}]}}`.
 */
export function classify(status: number, body: unknown, headers: HeaderLike, o: ClassifyOptions): ProviderError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const err = b['error'];
  if (typeof err === 'string' && err) {
    const description = typeof b['error_description'] === 'string' ? b['error_description'] : err;
    // A 401 at the token endpoint is a wrong client id/secret (configuration), not a dead grant.
    const c = PERMISSION_CODES.has(err) || (status === 401 && o.context !== 'api') ? ({ errorClass: 'permission' } as const) : classifyOAuthCode(err, status, o.context);
    return providerError('youtube', o, status, headers, c, err, description);
  }
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const errors = Array.isArray(e['errors']) ? (e['errors'] as Record<string, unknown>[]) : [];
    const reason = String(errors[0]?.['reason'] ?? e['status'] ?? '');
    const message = typeof e['message'] === 'string' ? e['message'] : reason;
    const c =
      status === 401
        ? ({ errorClass: 'reconnect_needed', reason: 'token_expired' } as const)
        : RATE_REASONS.has(reason) || status === 429
          ? ({ errorClass: 'rate_limited' } as const)
          : PERMISSION_REASONS.has(reason)
            ? ({ errorClass: 'permission' } as const)
            : classifyStatus(status);
    const pe = providerError('youtube', o, status, headers, c, reason || undefined, message);
    // A channel's upload cap: "try again in 24 hours" (docs/platforms/youtube.md#errors).
    if (reason === 'uploadLimitExceeded' && pe.retryAfterMs === undefined) return new ProviderError(pe.message, { errorClass: pe.errorClass, status, platformCode: reason, retryAfterMs: UPLOAD_LIMIT_WAIT_MS });
    return pe;
  }
  return providerError('youtube', o, status, headers, classifyStatus(status), undefined, undefined);
}

/** Testing apps: 7 days fixed from the code exchange; otherwise the sliding ~6-month estimate. */
function lifetime(d: ProviderDeps): ProcessOptions['refreshLifetime'] {
  return d.app.flags?.['testing'] ? { ms: TESTING_REFRESH_LIFETIME_MS, estimate: false, from: 'fixed-on-first' } : fallbackLifetime(descriptor, 'issue');
}

/** Google takes client_id (and the "optional" secret) in the form body. */
function tokenCall(d: ProviderDeps, what: string, context: CallContext, fields: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const url = hostUrl(d.hosts['oauth2'], '/token').toString();
  return formCall('youtube', d, url, { client_id: d.app.clientId, client_secret: d.app.clientSecret || undefined, ...fields }, classify, { what, context });
}

export const provider: Provider = {
  descriptor,

  buildAuthorizeUrl(i, d) {
    const u = hostUrl(d.hosts['accounts'], '/o/oauth2/v2/auth');
    u.searchParams.set('client_id', d.app.clientId);
    u.searchParams.set('redirect_uri', i.redirectUri);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('scope', i.scopes.join(' '));
    u.searchParams.set('state', i.state);
    u.searchParams.set('code_challenge', challengeS256(i.codeVerifier));
    u.searchParams.set('code_challenge_method', 'S256');
    return u;
  },

  async exchangeCode(i, d) {
    const body = await tokenCall(d, 'code exchange', 'code', {
      code: i.code,
      code_verifier: i.codeVerifier,
      grant_type: 'authorization_code',
      redirect_uri: i.redirectUri,
    });
    const scope = i.callbackParams['scope'];
    return processTokenResponse(body, { now: d.clock.now(), descriptor, fallbackScopes: scope ? scope.split(' ') : [], refreshLifetime: lifetime(d) });
  },

  refresh(t: TokenSet, d) {
    // Google sends no refresh_token on refresh: refreshGrant keeps the stored one (docs/platforms/youtube.md#tokens).
    return refreshGrant(t, d, {
      descriptor,
      call: (fields) => tokenCall(d, 'token refresh', 'refresh', fields),
      refreshLifetime: lifetime(d),
    });
  },

  async whoami(t, d): Promise<AccountInfo> {
    const url = hostUrl(d.hosts['api'], '/youtube/v3/channels');
    url.searchParams.set('part', 'snippet');
    url.searchParams.set('mine', 'true');
    const body = await bearerGet('youtube', d, url, t.accessToken, classify);
    const item = (Array.isArray(body['items']) ? body['items'][0] : undefined) as Record<string, unknown> | undefined;
    if (!item) return { id: '', displayName: '(no YouTube channel)', accountType: 'NO_CHANNEL' };
    const snippet = (item['snippet'] ?? {}) as Record<string, unknown>;
    const title = typeof snippet['title'] === 'string' ? snippet['title'] : String(item['id']);
    return {
      id: String(item['id']),
      displayName: title,
      // customUrl is the channel handle, "@name"; usernames are kept without the @.
      ...(typeof snippet['customUrl'] === 'string' ? { username: snippet['customUrl'].replace(/^@/, '') } : {}),
      accountType: 'CHANNEL',
    };
  },

  /** Revoking the refresh token revokes the whole grant (docs/platforms/youtube.md#revocation). */
  async revoke(t, d) {
    const url = hostUrl(d.hosts['oauth2'], '/revoke').toString();
    await formCall('youtube', d, url, { token: t.refreshToken || t.accessToken }, classify, { what: 'revoke', context: 'revoke' });
  },

  unsupportedAccount(a) {
    return a.accountType === 'NO_CHANNEL'
      ? 'this Google account has no YouTube channel; create one at https://www.youtube.com/create_channel, then connect again'
      : undefined;
  },
};
