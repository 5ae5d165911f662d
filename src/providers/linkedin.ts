/**
 * LinkedIn 3-legged OAuth (standard flow) and OpenID Connect userinfo. Every rule, with its
 * official page and the test that enforces it: docs/platforms/linkedin.md.
 * - Redirect: exact registered URL (host, port, path), so a fixed port (#redirect). Space-separated
 *   scopes, client credentials in the form body (not Basic), no PKCE in the standard flow (#authorize).
 * - Access tokens live 60 d. Only apps approved for programmatic refresh get a refresh token, valid
 *   365 d from the FIRST authorization (refreshing does not extend it). Without one the user must log
 *   in again in the browser before the access token ends: that expiry is the reconnect deadline (#lifetimes).
 * - Posting as an organization (company page): apps with the Community Management API
 *   (`app set linkedin --organizations`) also ask for w_organization_social and
 *   r_organization_social; `connect linkedin --page <organization id>` binds the connection to it (#organizations).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError, type ErrorClass, type ReconnectReason } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { str, type Classification } from './graph.js';
import { bearerGet, formCall, num, processTokenResponse, providerError, refreshGrant, type CallContext, type Classifier } from './oauth.js';
import type { AccountInfo, AuthorizeInput, CodeInput, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export const descriptor: ProviderDescriptor = {
  id: 'linkedin',
  displayName: 'LinkedIn',
  hosts: { www: 'https://www.linkedin.com', api: 'https://api.linkedin.com' },
  scopes: [
    { scope: 'openid', why: 'identifying your LinkedIn member account', required: true },
    { scope: 'profile', why: 'showing your name', required: true },
    { scope: 'w_member_social', why: 'publishing posts', required: true },
  ],
  scopeSeparator: ' ',
  // Whether LinkedIn accepts http loopback DISAGREES; http by default, exact port.
  redirect: { port: 8743, path: '/callback', https: false, host: '127.0.0.1' },
  pkce: 'none',
  clientSecret: 'required',
  refresh: { kind: 'refresh_token', rotates: false, thresholdMinutes: 30 * 24 * 60 },
  // LinkedIn-Version (YYYYMM) for /rest calls; each version lives about a year, then answers 426
  // (docs/platforms/linkedin.md#versions).
  apiVersion: '202609',
};

/** Where each call went, because the same `invalid_request` means different things at each. */
export type LinkedInContext = CallContext;

const API_REASON: Record<number, ReconnectReason> = {
  65600: 'unknown', // invalid access token
  65601: 'app_removed', // REVOKED_ACCESS_TOKEN: the member revoked the app
  65602: 'token_expired', // EXPIRED_ACCESS_TOKEN
};

/** Pure classification (docs/platforms/linkedin.md#errors). `status` 0 = network failure. */
export function classifyLinkedInError(status: number, body: unknown, context: LinkedInContext): Classification {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const oauthError = str(b.error);
  const service = num(b.serviceErrorCode);
  const code = str(b.code);
  const platformCode = service !== undefined ? String(service) : (code ?? oauthError ?? (status ? `http ${status}` : undefined));
  let message = redactText(str(b.error_description) ?? str(b.message) ?? (status ? `HTTP ${status}` : 'network error')).slice(0, 300);
  const out = (errorClass: ErrorClass, reason?: ReconnectReason): Classification => ({
    errorClass,
    ...(reason ? { reason } : {}),
    ...(platformCode ? { platformCode } : {}),
    message,
  });
  if (status === 0 || status >= 500) return out('transient');
  if (status === 429) return out('rate_limited');
  if (status === 426 || code === 'NONEXISTENT_VERSION') {
    // Configuration, not a reconnect (§1.3): the pinned LinkedIn-Version was sunset.
    message = `${message}; the LinkedIn-Version is no longer active. Set a current one: SOCIALYNC_LINKEDIN_API_VERSION=<YYYYMM> (or "apiVersions": {"linkedin": "<YYYYMM>"} in config.json)`;
    return out('invalid_request');
  }
  // Refresh endpoint: 400 invalid_request (not invalid_grant) = refresh token "invalid, expired or
  // revoked": the body cannot tell which (refreshGrant names an expiry we know has passed).
  if (context === 'refresh' && (status === 400 || status === 401) && (oauthError === 'invalid_request' || oauthError === 'invalid_grant')) {
    return out('reconnect_needed', 'unknown');
  }
  if (context === 'api' && status === 401) return out('reconnect_needed', (service !== undefined && API_REASON[service]) || 'unknown');
  if (status === 403) return out('permission');
  return out('invalid_request');
}

const classify: Classifier = (status, body, headers, o) => {
  const c = classifyLinkedInError(status, body, o.context ?? 'api');
  return providerError('linkedin', o, status, headers, c, c.platformCode, c.message);
};

/** Token-style endpoints take the client credentials in the form body, never Basic. */
function tokenCall(d: ProviderDeps, path: string, fields: Record<string, string | undefined>, what: string, context: CallContext) {
  return formCall('linkedin', d, hostUrl(d.hosts.www, path).toString(), { ...fields, client_id: d.app.clientId, client_secret: d.app.clientSecret }, classify, { what, context });
}

/**
 * When a LinkedIn-Version (YYYYMM) stops working: each version is supported for at least a year
 * (docs/platforms/linkedin.md#versions). For doctor/status warnings and the sunset test.
 */
export function versionSunset(version: string): number | undefined {
  const m = /^(\d{4})(\d{2})$/.exec(version);
  return m ? Date.UTC(Number(m[1]) + 1, Number(m[2]) - 1, 15) : undefined;
}

/** Headers every /rest call needs (publishing). */
export function restHeaders(t: TokenSet, d: ProviderDeps): Record<string, string> {
  return {
    authorization: `Bearer ${t.accessToken}`,
    'linkedin-version': d.apiVersion ?? (descriptor.apiVersion as string),
    'x-restli-protocol-version': '2.0.0',
  };
}

/** Asked for only by apps with the Community Management API (docs/platforms/linkedin.md#organizations). */
const ORGANIZATION_SCOPES = ['w_organization_social', 'r_organization_social'];

function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  const u = hostUrl(d.hosts.www, '/oauth/v2/authorization');
  const scopes = d.app.flags?.organizations ? [...new Set([...i.scopes, ...ORGANIZATION_SCOPES])] : i.scopes;
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', d.app.clientId);
  u.searchParams.set('redirect_uri', i.redirectUri);
  u.searchParams.set('state', i.state);
  u.searchParams.set('scope', scopes.join(' '));
  return u;
}

/**
 * `connect linkedin --page <organization id | urn:li:organization:id>`: post as that organization.
 * Without --page the connection posts as the member. The member must hold a posting role on the
 * page; LinkedIn refuses the first post with 403 otherwise (classified as permission).
 */
function chooseTarget(t: TokenSet, _d: ProviderDeps, choice: string | undefined): Promise<TokenSet> {
  if (choice === undefined) return Promise.resolve(t);
  const id = /^(?:urn:li:organization:)?(\d+)$/.exec(choice.trim())?.[1];
  if (!id) {
    return Promise.reject(new ProviderError(`linkedin: --page takes an organization id (the number in linkedin.com/company/<id>/admin) or urn:li:organization:<id>, got "${choice}"`, { errorClass: 'invalid_request' }));
  }
  if (!ORGANIZATION_SCOPES.every((s) => t.scopes.includes(s))) {
    return Promise.reject(
      new ProviderError(`linkedin: posting as an organization needs ${ORGANIZATION_SCOPES.join(' and ')}, which this login did not grant. Run: socialync app set linkedin --organizations (the app needs the Community Management API), then connect again`, { errorClass: 'permission' }),
    );
  }
  return Promise.resolve({ ...t, extra: { ...(t.extra ?? {}), organizationId: id } });
}

/** Token response -> TokenSet. Without a refresh token the access expiry is the reconnect deadline. */
function parseTokenResponse(b: Record<string, unknown>, now: number, prev?: TokenSet): TokenSet {
  // LinkedIn consent is all-or-nothing: without a `scope` field, the requested scopes were granted.
  const fallbackScopes = prev?.scopes ?? descriptor.scopes.map((s) => s.scope);
  const t = processTokenResponse(b, { now, descriptor, ...(prev ? { prev } : {}), fallbackScopes });
  return t.refreshToken ? t : { ...t, ...(t.expiresAt !== undefined ? { refreshExpiresAt: t.expiresAt } : {}) };
}

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const b = await tokenCall(d, '/oauth/v2/accessToken', { grant_type: 'authorization_code', code: i.code, redirect_uri: i.redirectUri }, 'code exchange', 'code');
  return parseTokenResponse(b, d.clock.now());
}

/**
 * Programmatic refresh (approved apps only). Without a refresh token nothing can be done until the
 * access token ends: the token is checked with who-am-I and returned unchanged (the same object back
 * means "skipped"), or reconnect_needed once it has expired.
 */
async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  const now = d.clock.now();
  if (!t.refreshToken) {
    if (t.expiresAt !== undefined && t.expiresAt <= now) {
      throw new ProviderError('linkedin: the access token has expired and this app has no programmatic refresh', {
        errorClass: 'reconnect_needed',
        reason: 'token_expired',
      });
    }
    await whoami(t, d);
    return t;
  }
  if (t.refreshExpiresAt !== undefined && t.refreshExpiresAt <= now) {
    throw new ProviderError('linkedin: the refresh token has expired (365 days after the first login)', {
      errorClass: 'reconnect_needed',
      reason: 'refresh_token_expired',
    });
  }
  // The response repeats the refresh token with a decreasing refresh_token_expires_in (fixed deadline).
  return refreshGrant(t, d, {
    descriptor,
    call: (fields) => tokenCall(d, '/oauth/v2/accessToken', fields, 'token refresh', 'refresh'),
    refreshLifetime: undefined,
  });
}

/** A 65601 right after login is reported as spurious (propagation delay): retry briefly (docs/platforms/linkedin.md#errors). */
const FRESH_LOGIN_MS = 120_000;
const SPURIOUS_RETRIES = 2;

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  for (let attempt = 0; ; attempt++) {
    try {
      const b = await bearerGet('linkedin', d, hostUrl(d.hosts.api, '/v2/userinfo'), t.accessToken, classify);
      const sub = str(b.sub);
      if (!sub) throw new ProviderError('linkedin: userinfo returned no member id', { errorClass: 'transient' });
      const name = str(b.name) ?? ([str(b.given_name), str(b.family_name)].filter(Boolean).join(' ') || sub);
      const email = str(b.email);
      const org = t.extra?.organizationId;
      const member = `urn:li:person:${sub}`;
      if (org) return { id: sub, displayName: `${name} as organization ${org}`, ...(email ? { username: email } : {}), meta: { authorUrn: `urn:li:organization:${org}`, memberUrn: member, pageId: org } };
      return { id: sub, displayName: name, ...(email ? { username: email } : {}), meta: { authorUrn: member } };
    } catch (e) {
      const fresh = d.clock.now() - t.obtainedAt < FRESH_LOGIN_MS;
      if (!(e instanceof ProviderError) || e.platformCode !== '65601' || !fresh || attempt >= SPURIOUS_RETRIES) throw e;
      await d.clock.sleep(1500);
    }
  }
}

/** POST /oauth/v2/revoke (docs/platforms/linkedin.md#revoke: community reports, not in LinkedIn's docs). */
async function revoke(t: TokenSet, d: ProviderDeps): Promise<void> {
  await tokenCall(d, '/oauth/v2/revoke', { token: t.accessToken }, 'revoke', 'revoke');
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami, revoke, chooseTarget };
