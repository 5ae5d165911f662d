/**
 * TikTok sandbox (see docs/platforms/tiktok.md#authorize to #revoke): client_key, comma scopes, hex S256 PKCE,
 * partial consent with `scopes` on the callback, client_secret in the token body,
 * token-endpoint errors under HTTP 200, rotating refresh tokens (a spent one is
 * rejected with invalid_grant), and the `{data, error:{code,message,log_id}}` API envelope.
 * Lifetimes: '2026' (2 h / 180 d, default) or 'legacy' (24 h / 365 d), from SandboxOptions.
 */
import { DAY, HOUR } from '../core/clock.js';
import { json, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import type { Family, IssuedTokens, TokenPolicy } from './families.js';
import { authorize, redeemCode } from './flow.js';

export const hosts = ['www', 'api'] as const;
export const apps: SandboxApp[] = [{ clientId: 'sandbox-tiktok', clientSecret: 'sandbox-tiktok-secret', name: 'socialync sandbox' }];

const logId = (ctx: PlatformContext) => `${new Date(ctx.now()).toISOString().replace(/\D/g, '').slice(0, 14)}${ctx.random(6)}`;

/** OAuth errors: TikTok answers them with HTTP 200 (check the body, not the status). */
export const oauthError = (ctx: PlatformContext, error: string, description: string): SandboxResponse =>
  json(200, { error, error_description: description, log_id: logId(ctx) });

/** API envelope errors. */
export const apiError = (ctx: PlatformContext, status: number, code: string, message: string): SandboxResponse =>
  json(status, { data: {}, error: { code, message, log_id: logId(ctx) } });

export function policy(ctx: PlatformContext): TokenPolicy {
  const legacy = ctx.options.tiktokLifetimes === 'legacy';
  // "365 days after the initial issuance": the refresh deadline is fixed from the first login.
  return { accessTtlMs: legacy ? 24 * HOUR : 2 * HOUR, refreshTtlMs: (legacy ? 365 : 180) * DAY, refreshTtlFrom: 'family', rotate: true, accessPrefix: 'act', refreshPrefix: 'rft' };
}

function tokenBody(f: Family, t: IssuedTokens) {
  return { open_id: f.account.id, scope: f.scopes.join(','), access_token: t.accessToken, expires_in: t.expiresIn, refresh_token: t.refreshToken, refresh_expires_in: t.refreshExpiresIn, token_type: 'Bearer' };
}

function clientOf(ctx: PlatformContext, req: SandboxRequest) {
  const app = ctx.app(req.param('client_key'));
  return app && req.param('client_secret') === app.clientSecret ? app : undefined;
}

/** Bearer check for API routes (also used by tiktok-publish.ts). */
export function requireToken(ctx: PlatformContext, req: SandboxRequest, scope?: string): { family: Family } | SandboxResponse {
  const c = ctx.families.checkAccess(req.bearer());
  if (!c.ok) return apiError(ctx, 401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
  if (scope && !c.family.scopes.includes(scope)) return apiError(ctx, 401, 'scope_not_authorized', 'The user did not authorize the scope required for completing this request.');
  return { family: c.family };
}

export function createRoutes(ctx: PlatformContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v2/auth/authorize/',
      handler: (req) =>
        authorize(ctx, req, {
          clientParam: 'client_key',
          scopeSeparator: ',',
          pkce: 'hex',
          partialConsent: true,
          codeTtlMs: 10 * 60_000,
          approveExtras: (granted) => ({ scopes: granted.join(',') }),
        }),
    },
    {
      method: 'POST',
      path: '/v2/oauth/token/',
      tokenCall: true,
      handler: (req) => {
        const app = clientOf(ctx, req);
        if (!app) return json(401, { error: 'invalid_client', error_description: 'Client key or secret is incorrect.', log_id: logId(ctx) });
        const grant = req.param('grant_type');
        if (grant === 'authorization_code') {
          const c = redeemCode(ctx, app, req);
          if (!c.ok) {
            if (c.error === 'pkce') return oauthError(ctx, 'invalid_request', 'Code verifier or code challenge is invalid.');
            if (c.error === 'redirect_mismatch') return oauthError(ctx, 'invalid_request', 'Redirect URI mismatch.');
            return oauthError(ctx, 'invalid_grant', c.error === 'expired' ? 'Authorization code is expired.' : 'Authorization code is invalid or has been used.');
          }
          const { family, tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, policy(ctx));
          return json(200, tokenBody(family, tokens));
        }
        if (grant === 'refresh_token') {
          const r = ctx.families.refresh(req.param('refresh_token'), app.clientId);
          if (!r.ok) return oauthError(ctx, 'invalid_grant', 'Refresh token is invalid or expired.');
          return json(200, tokenBody(r.family, r.tokens));
        }
        return oauthError(ctx, 'unsupported_grant_type', 'Grant type is not supported.');
      },
    },
    {
      method: 'POST',
      path: '/v2/oauth/revoke/',
      tokenCall: true,
      handler: (req) => {
        if (!clientOf(ctx, req)) return json(401, { error: 'invalid_client', error_description: 'Client key or secret is incorrect.', log_id: logId(ctx) });
        ctx.families.revokeToken(req.param('token'));
        return json(200, {});
      },
    },
    {
      method: 'GET',
      path: '/v2/user/info/',
      handler: (req) => {
        const auth = requireToken(ctx, req, 'user.info.basic');
        if (!('family' in auth)) return auth;
        const a = auth.family.account;
        const fields = (req.query.get('fields') ?? 'open_id').split(',');
        const all: Record<string, string> = { open_id: a.id, union_id: `u${a.id}`, display_name: a.displayName, avatar_url: `https://example.invalid/avatar/${a.id}.jpg` };
        const user = Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]));
        return json(200, { data: { user }, error: { code: 'ok', message: '', log_id: logId(ctx) } });
      },
    },
  ];
}
