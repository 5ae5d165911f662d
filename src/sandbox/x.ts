/**
 * X sandbox (see docs/platforms/x.md#oauth): PKCE required, no partial consent, 30-second
 * single-use codes, identical redirect_uri, confidential clients MUST use HTTP
 * Basic ("sandbox-x"; without it: unauthorized_client "Missing valid
 * authorization header"), public clients send client_id ("sandbox-x-public"),
 * refresh tokens only with offline.access, single-use rotation where reusing a
 * spent token revokes the whole family, RFC 7807 API errors, /2/oauth2/revoke.
 */
import { DAY, HOUR } from '../core/clock.js';
import { json, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import type { Family } from './families.js';
import { authorize, redeemCode } from './flow.js';

export const hosts = ['x', 'api'] as const;
export const apps: SandboxApp[] = [
  { clientId: 'sandbox-x', clientSecret: 'sandbox-x-secret', clientType: 'confidential', name: 'socialync sandbox' },
  { clientId: 'sandbox-x-public', clientSecret: '', clientType: 'public', name: 'socialync sandbox (public)' },
];

const oauthError = (status: number, error: string, description: string): SandboxResponse => json(status, { error, error_description: description });

/** RFC 7807 problem (X API v2). */
export const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}): SandboxResponse =>
  ({ ...json(status, { title, detail, type: 'about:blank', status, ...extra }), headers: { 'content-type': 'application/problem+json' } });

/** Bearer check for API routes (also used by x-publish.ts). */
export function requireToken(ctx: PlatformContext, req: SandboxRequest, scope?: string): { family: Family } | SandboxResponse {
  const c = ctx.families.checkAccess(req.bearer());
  if (!c.ok) return problem(401, 'Unauthorized', 'Unauthorized');
  if (scope && !c.family.scopes.includes(scope)) {
    return problem(403, 'Forbidden', `Missing scope ${scope}`, { type: 'https://api.twitter.com/2/problems/oauth2-scope' });
  }
  return { family: c.family };
}

/** Confidential: Basic required. Public: client_id in the body, no secret. */
function clientOf(req: SandboxRequest, ctx: PlatformContext): SandboxApp | SandboxResponse {
  const basic = req.basic();
  const missing = oauthError(401, 'unauthorized_client', 'Missing valid authorization header');
  if (basic) {
    const app = ctx.app(basic.user);
    return app && app.clientType === 'confidential' && app.clientSecret === basic.pass ? app : missing;
  }
  const app = ctx.app(req.param('client_id'));
  if (!app) return oauthError(400, 'invalid_request', 'Missing required parameter [client_id].');
  return app.clientType === 'public' ? app : missing;
}

export function createRoutes(ctx: PlatformContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/i/oauth2/authorize',
      handler: (req) => {
        if ((req.query.get('state') ?? '').length > 500) return json(400, { error: 'invalid_request' });
        return authorize(ctx, req, { clientParam: 'client_id', scopeSeparator: ' ', pkce: 'required', partialConsent: false, codeTtlMs: 30_000 });
      },
    },
    {
      method: 'POST',
      path: '/2/oauth2/token',
      tokenCall: true,
      handler: (req) => {
        const app = clientOf(req, ctx);
        if (!('clientId' in app)) return app;
        const grant = req.param('grant_type');
        if (grant === 'authorization_code') {
          const c = redeemCode(ctx, app, req);
          if (!c.ok) return oauthError(400, 'invalid_request', 'Value passed for the authorization code was invalid.');
          const offline = c.data.scopes.includes('offline.access');
          const { family, tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, {
            accessTtlMs: 2 * HOUR,
            // ~6 months per the X blog post; only with offline.access.
            ...(offline ? { refreshTtlMs: 180 * DAY } : {}),
            refreshTtlFrom: 'issue',
            rotate: true,
            revokeFamilyOnReuse: true,
            accessPrefix: 'xat',
            refreshPrefix: 'xrt',
          });
          return json(200, { token_type: 'bearer', expires_in: tokens.expiresIn, access_token: tokens.accessToken, scope: family.scopes.join(' '), ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}) });
        }
        if (grant === 'refresh_token') {
          const r = ctx.families.refresh(req.param('refresh_token'), app.clientId);
          if (!r.ok) return oauthError(400, 'invalid_request', 'Value passed for the token was invalid.');
          return json(200, { token_type: 'bearer', expires_in: r.tokens.expiresIn, access_token: r.tokens.accessToken, scope: r.family.scopes.join(' '), refresh_token: r.tokens.refreshToken });
        }
        return oauthError(400, 'invalid_request', 'Value passed for the grant type was invalid.');
      },
    },
    {
      method: 'POST',
      path: '/2/oauth2/revoke',
      tokenCall: true,
      handler: (req) => {
        const app = clientOf(req, ctx);
        if (!('clientId' in app)) return app;
        ctx.families.revokeToken(req.param('token'));
        return json(200, { revoked: true });
      },
    },
    {
      method: 'GET',
      path: '/2/users/me',
      handler: (req) => {
        const auth = requireToken(ctx, req, 'users.read');
        if (!('family' in auth)) return auth;
        const a = auth.family.account;
        const reset = String(Math.floor(ctx.now() / 1000) + 900);
        return { ...json(200, { data: { id: a.id, name: a.displayName, username: a.name } }), headers: { 'content-type': 'application/json', 'x-rate-limit-limit': '75', 'x-rate-limit-remaining': '74', 'x-rate-limit-reset': reset } };
      },
    },
  ];
}
