/**
 * Pinterest API v5 OAuth, simulated (docs/platforms/pinterest.md#oauth, #tokens, #errors).
 * - www GET  /oauth/              client_id, redirect_uri (registered loopback), response_type=code, comma
 *                                 scopes, state; no PKCE
 * - api POST /v5/oauth/token      HTTP Basic client_id:client_secret only (credentials in the body are
 *                                 refused); grant_type=authorization_code (code single use, 10 min,
 *                                 identical redirect_uri) or refresh_token. Access tokens 30 days; the
 *                                 continuous refresh token lasts 60 days and every refresh returns a new
 *                                 one (the old one is spent). Without continuous_refresh=true the sandbox
 *                                 answers as an app made before 2025-09-25 would: no continuous token, an
 *                                 error (the legacy 365-day token is no longer issued).
 * - api GET  /v5/user_account     id, username, account_type
 * Errors: `{code, message}`; 401 code 2 "Authentication failed." for a dead token.
 */
import { DAY, MINUTE } from '../core/clock.js';
import { json, type Family, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import { authorize, redeemCode } from './flow.js';

export const hosts = ['www', 'api'] as const;
export const apps: SandboxApp[] = [{ clientId: 'sandbox-pinterest', clientSecret: 'sandbox-pinterest-secret-2a7f', name: 'Socialync Sandbox' }];

export const SCOPES = ['user_accounts:read', 'boards:read', 'boards:write', 'pins:read', 'pins:write', 'boards:read_secret', 'pins:read_secret'];
const ACCESS_TTL = 30 * DAY;
const REFRESH_TTL = 60 * DAY;
const CODE_TTL = 10 * MINUTE;

export const pinError = (status: number, code: number, message: string): SandboxResponse => json(status, { code, message });

/** The account behind a Bearer token, or Pinterest's 401 (code 2). */
export function pinterestAuth(ctx: PlatformContext, req: SandboxRequest): { family: Family } | { response: SandboxResponse } {
  const c = ctx.families.checkAccess(req.bearer());
  return c.ok ? { family: c.family } : { response: pinError(401, 2, 'Authentication failed.') };
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const token = (req: SandboxRequest): SandboxResponse => {
    const basic = req.basic();
    const app = ctx.app(basic?.user);
    if (!basic || !app || basic.pass !== app.clientSecret) return pinError(401, 2, 'Authentication failed.');
    if (req.param('continuous_refresh') !== 'true') return pinError(400, 1, 'continuous_refresh=true is required: the legacy refresh token is no longer supported');
    const grant = req.param('grant_type');
    if (grant === 'authorization_code') {
      const c = redeemCode(ctx, app, req);
      if (!c.ok) return pinError(400, 1, `Invalid authorization code (${c.error})`);
      const { tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, { accessTtlMs: ACCESS_TTL, refreshTtlMs: REFRESH_TTL, rotate: true, accessPrefix: 'pina', refreshPrefix: 'pinr' });
      return tokenBody(tokens, c.data.scopes, 'authorization_code');
    }
    if (grant === 'refresh_token') {
      const r = ctx.families.refresh(req.param('refresh_token'), app.clientId);
      if (!r.ok) return pinError(400, 1, 'Invalid refresh token.');
      return tokenBody(r.tokens, r.family.scopes, 'refresh_token');
    }
    return pinError(400, 1, 'grant_type must be authorization_code or refresh_token');
  };

  const me = (req: SandboxRequest): SandboxResponse => {
    const a = pinterestAuth(ctx, req);
    if ('response' in a) return a.response;
    const acct = a.family.account;
    return json(200, { id: acct.id, username: acct.name, account_type: 'BUSINESS', business_name: acct.displayName, board_count: 2 });
  };

  return [
    {
      method: 'GET',
      path: '/oauth/',
      handler: (req) =>
        authorize(ctx, req, { clientParam: 'client_id', scopeSeparator: ',', pkce: 'none', partialConsent: false, codeTtlMs: CODE_TTL, denyParams: { error: 'access_denied', error_description: 'The user denied the request' } }),
    },
    { method: 'POST', path: '/v5/oauth/token', tokenCall: true, handler: token },
    { method: 'GET', path: '/v5/user_account', handler: me },
  ];
}

function tokenBody(t: { accessToken: string; expiresIn: number; refreshToken?: string; refreshExpiresIn?: number; refreshExpiresAt?: number }, scopes: string[], responseType: string): SandboxResponse {
  return json(200, {
    access_token: t.accessToken,
    token_type: 'bearer',
    expires_in: t.expiresIn,
    scope: scopes.join(','),
    response_type: responseType,
    ...(t.refreshToken ? { refresh_token: t.refreshToken, refresh_token_expires_in: t.refreshExpiresIn, refresh_token_expires_at: Math.floor((t.refreshExpiresAt ?? 0) / 1000) } : {}),
  });
}
