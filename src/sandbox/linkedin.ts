/**
 * LinkedIn 3-legged OAuth + OIDC userinfo, simulated (rules and sources: docs/platforms/linkedin.md).
 * - www GET  /oauth/v2/authorization   space scopes, no PKCE; deny -> error=user_cancelled_authorize
 * - www POST /oauth/v2/accessToken     credentials in the body only; code lives 30 min, single use.
 *         App "sandbox-linkedin" has programmatic refresh: refresh_token valid 365 d from the FIRST
 *         authorization, returned unchanged with a decreasing refresh_token_expires_in.
 *         App "sandbox-linkedin-basic" has not: no refresh token (re-login every 60 d).
 *         Dead refresh token -> 400 invalid_request (not invalid_grant).
 *         Authorizing with a different scope set invalidates the member's earlier tokens for the app.
 * - www POST /oauth/v2/revoke, /oauth/v2/introspectToken
 * - api GET  /v2/userinfo              sub, name, ...; 401 serviceErrorCode 65600/65601/65602
 * Publishing routes (linkedin-publish.ts) reuse `linkedinAuth` and `linkedinVersion` (426 NONEXISTENT_VERSION).
 */
import { DAY, MINUTE } from '../core/clock.js';
import { authorize, redeemCode } from './flow.js';
import { isLoopbackRedirect, json, redirect, redirectUrl, splitScopes, type Family, type PlatformContext, type Route, type SandboxAccount, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';

export const hosts = ['www', 'api'] as const;
export const apps: SandboxApp[] = [
  { clientId: 'sandbox-linkedin', clientSecret: 'sandbox-linkedin-secret-9b2e', name: 'Socialync Sandbox', flags: { programmaticRefresh: true } },
  { clientId: 'sandbox-linkedin-basic', clientSecret: 'sandbox-linkedin-basic-secret-51d0', name: 'Socialync Sandbox (basic)', flags: { programmaticRefresh: false } },
];

/** The member URN /v2/userinfo implies (sub = li + base36 of the account id). */
export const personUrn = (a: SandboxAccount) => `urn:li:person:li${BigInt(a.id).toString(36)}`;

/** The one organization (company page) each sandbox member administers. */
export function organizationsOf(a: SandboxAccount): { id: string; urn: string; name: string }[] {
  const id = String(10_000_000 + (Number(BigInt(a.id) % 9_000_000n)));
  return [{ id, urn: `urn:li:organization:${id}`, name: `${a.displayName} Company` }];
}

/** Grantable scopes. r_member_social is not among them: it is a private permission ordinary apps never get. */
export const SCOPES = ['openid', 'profile', 'email', 'w_member_social', 'r_organization_social', 'w_organization_social', 'rw_organization_admin'];
const ACCESS_TTL = 60 * DAY;
const REFRESH_TTL = 365 * DAY;
const CODE_TTL = 30 * MINUTE;
const VERSION_LIFE_MONTHS = 12;

const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });
const DEAD_REFRESH = 'The provided authorization grant or refresh token is invalid, expired or revoked.';

/** 401 bodies with serviceErrorCode, as LinkedIn's REST and OIDC endpoints send them. */
export function linkedinAuth(ctx: PlatformContext, req: SandboxRequest): { family: Family } | { response: SandboxResponse } {
  const c = ctx.families.checkAccess(req.bearer());
  if (c.ok) return { family: c.family };
  const body =
    c.error === 'expired'
      ? { serviceErrorCode: 65602, code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired', status: 401 }
      : c.error === 'revoked'
        ? { serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'The token used in the request has been revoked by the user', status: 401 }
        : { serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token', status: 401 };
  return { response: json(401, body) };
}

/**
 * LinkedIn-Version (YYYYMM) on /rest calls: each version is active for about a year, then 426.
 * Returns the error response, or undefined when the version is active at sandbox time.
 */
export function linkedinVersion(ctx: PlatformContext, req: SandboxRequest): SandboxResponse | undefined {
  const v = String(req.headers['linkedin-version'] ?? '');
  const m = /^(\d{4})(\d{2})$/.exec(v);
  const now = new Date(ctx.now());
  const monthsNow = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const monthsV = m ? Number(m[1]) * 12 + Number(m[2]) - 1 : NaN;
  if (!m || monthsV > monthsNow || monthsNow - monthsV >= VERSION_LIFE_MONTHS) {
    return json(426, { status: 426, code: 'NONEXISTENT_VERSION', message: `Requested version ${v || '(none)'} is not active` });
  }
  return undefined;
}

export function createRoutes(ctx: PlatformContext): Route[] {
  /** (client, member) -> the scope set of their grants and its families. */
  const grants = (): Map<string, { scopes: string; families: Family[] }> => {
    let m = ctx.data.get('linkedin.grants') as Map<string, { scopes: string; families: Family[] }> | undefined;
    if (!m) ctx.data.set('linkedin.grants', (m = new Map()));
    return m;
  };
  /** Body credentials only (not Basic). */
  const client = (req: SandboxRequest): SandboxApp | undefined => {
    const app = ctx.app(req.form.get('client_id') ?? undefined);
    return app && req.form.get('client_secret') === app.clientSecret ? app : undefined;
  };

  const login = (req: SandboxRequest): SandboxResponse => {
    const q = req.query;
    const redirectUri = q.get('redirect_uri') ?? '';
    const bad = splitScopes(q.get('scope') ?? '', ' ').filter((s) => !SCOPES.includes(s));
    // An unknown scope comes back to the app as an error redirect, not as an error page.
    if (ctx.app(q.get('client_id') ?? undefined) && isLoopbackRedirect(redirectUri) && bad.length) {
      return redirect(redirectUrl(redirectUri, { error: 'unauthorized_scope_error', error_description: `Scope "${bad[0]}" is not authorized for your application`, state: q.get('state') ?? undefined }));
    }
    return authorize(ctx, req, {
      clientParam: 'client_id',
      scopeSeparator: ' ',
      pkce: 'none',
      partialConsent: false,
      codeTtlMs: CODE_TTL,
      denyParams: { error: 'user_cancelled_authorize', error_description: 'The user cancelled the authorization' },
    });
  };

  const codeGrant = (req: SandboxRequest, app: SandboxApp): SandboxResponse => {
    const c = redeemCode(ctx, app, req);
    if (!c.ok && c.error === 'unknown') return oauthError(400, 'invalid_request', 'Unable to retrieve access token: authorization code not found');
    if (!c.ok) {
      return oauthError(400, 'invalid_request', 'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists');
    }
    const { account, scopes } = c.data;
    // "Requesting a different scope invalidates all earlier access tokens" (docs/platforms/linkedin.md#scopes).
    const key = `${app.clientId}:${account.name}`;
    const scopeKey = [...scopes].sort().join(' ');
    const g = grants().get(key);
    if (g && g.scopes !== scopeKey) for (const f of g.families) ctx.families.revokeFamily(f, 'revoked');
    const programmatic = Boolean(app.flags?.programmaticRefresh);
    const { family, tokens } = ctx.families.start(account, app.clientId, scopes, {
      accessTtlMs: ACCESS_TTL,
      ...(programmatic ? { refreshTtlMs: REFRESH_TTL, refreshTtlFrom: 'family' as const } : {}),
      rotate: false,
      accessPrefix: 'AQV',
      refreshPrefix: 'AQX',
    });
    grants().set(key, { scopes: scopeKey, families: g && g.scopes === scopeKey ? [...g.families, family] : [family] });
    return json(200, {
      access_token: tokens.accessToken,
      expires_in: tokens.expiresIn,
      ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken, refresh_token_expires_in: tokens.refreshExpiresIn } : {}),
      scope: scopes.join(','),
      token_type: 'Bearer',
    });
  };

  const accessToken = (req: SandboxRequest): SandboxResponse => {
    const app = client(req);
    if (!app) return oauthError(401, 'invalid_client', 'Client authentication failed');
    const grant = req.form.get('grant_type');
    if (grant === 'authorization_code') return codeGrant(req, app);
    if (grant !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'The grant type is not supported');
    const r = ctx.families.refresh(req.form.get('refresh_token') ?? undefined, app.clientId);
    if (!r.ok) return oauthError(400, 'invalid_request', DEAD_REFRESH);
    return json(200, {
      access_token: r.tokens.accessToken,
      expires_in: r.tokens.expiresIn,
      refresh_token: r.tokens.refreshToken,
      refresh_token_expires_in: r.tokens.refreshExpiresIn,
      scope: r.family.scopes.join(','),
      token_type: 'Bearer',
    });
  };

  const revoke = (req: SandboxRequest): SandboxResponse => {
    const app = client(req);
    if (!app) return oauthError(401, 'invalid_client', 'Client authentication failed');
    const token = req.form.get('token') ?? '';
    const f = ctx.families.familyOf(token);
    if (f && f.clientId === app.clientId) ctx.families.revokeFamily(f, 'revoked');
    return { status: 200, body: '' };
  };

  const introspect = (req: SandboxRequest): SandboxResponse => {
    const app = client(req);
    if (!app) return oauthError(401, 'invalid_client', 'Client authentication failed');
    const token = req.form.get('token') ?? '';
    const f = ctx.families.familyOf(token);
    if (!f || f.clientId !== app.clientId) return json(200, { active: false });
    const v = ctx.families.validate(token);
    const c = ctx.families.checkAccess(token);
    const status = v.valid ? 'active' : v.reason === 'expired' ? 'expired' : 'revoked';
    return json(200, {
      active: v.valid,
      client_id: app.clientId,
      authorized_at: Math.floor(f.createdAt / 1000),
      created_at: Math.floor(f.createdAt / 1000),
      status,
      ...(c.ok ? { expires_at: Math.floor(c.expiresAt / 1000) } : {}),
      scope: f.scopes.join(','),
      auth_type: '3L',
    });
  };

  const userinfo = (req: SandboxRequest): SandboxResponse => {
    const a = linkedinAuth(ctx, req);
    if ('response' in a) return a.response;
    const { account, scopes } = a.family;
    if (!scopes.includes('openid')) {
      return json(403, { serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions to access: userinfo.GET.NO_VERSION', status: 403 });
    }
    const [given, ...rest] = account.displayName.split(' ');
    return json(200, {
      sub: personUrn(account).slice('urn:li:person:'.length),
      ...(scopes.includes('profile')
        ? { name: account.displayName, given_name: given, family_name: rest.join(' ') || 'Sandbox', picture: `https://sandbox.invalid/linkedin/${encodeURIComponent(account.name)}.jpg`, locale: { country: 'US', language: 'en' } }
        : {}),
      ...(scopes.includes('email') ? { email: `${account.name}@sandbox.invalid`, email_verified: true } : {}),
    });
  };

  return [
    { method: 'GET', path: '/oauth/v2/authorization', handler: login },
    { method: 'POST', path: '/oauth/v2/accessToken', tokenCall: true, handler: accessToken },
    { method: 'POST', path: '/oauth/v2/revoke', handler: revoke },
    { method: 'POST', path: '/oauth/v2/introspectToken', handler: introspect },
    { method: 'GET', path: '/v2/userinfo', handler: userinfo },
  ];
}
