/**
 * YouTube / Google sandbox (docs/platforms/youtube.md#authorization, #tokens): any loopback port, base64url
 * S256 PKCE (optional, checked when sent), partial consent (granted `scope` on
 * the callback), client_id (+ optional secret) in the body, no rotation (refresh
 * answers carry no refresh_token), `invalid_grant` "Token has been expired or
 * revoked.", the Google API error envelope, and `/revoke`.
 * App "sandbox-youtube-testing" behaves like an External app in "Testing" status:
 * refresh tokens last 7 days and responses carry refresh_token_expires_in.
 * Account "nochannel" has no YouTube channel.
 */
import { DAY } from '../core/clock.js';
import { json, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import type { Family } from './families.js';
import { authorize, redeemCode } from './flow.js';

export const hosts = ['accounts', 'oauth2', 'api'] as const;
export const apps: SandboxApp[] = [
  { clientId: 'sandbox-youtube.apps.googleusercontent.com', clientSecret: 'GOCSPX-sandbox-youtube', name: 'socialync sandbox' },
  { clientId: 'sandbox-youtube-testing.apps.googleusercontent.com', clientSecret: 'GOCSPX-sandbox-testing', name: 'socialync sandbox (Testing)', flags: { testing: true } },
];

const oauthError = (status: number, error: string, description: string): SandboxResponse => json(status, { error, error_description: description });

/** Google JSON API error envelope. */
export function apiError(status: number, reason: string, message: string, statusText: string): SandboxResponse {
  return json(status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statusText } });
}

/** Bearer check for API routes (also used by youtube-publish.ts). */
export function requireToken(ctx: PlatformContext, req: SandboxRequest, anyOf?: string[]): { family: Family } | SandboxResponse {
  const c = ctx.families.checkAccess(req.bearer());
  if (!c.ok) {
    return apiError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'UNAUTHENTICATED');
  }
  if (anyOf && !anyOf.some((s) => c.family.scopes.includes(s))) return apiError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED');
  return { family: c.family };
}

function clientOf(ctx: PlatformContext, req: SandboxRequest): SandboxApp | undefined {
  const app = ctx.app(req.param('client_id'));
  const secret = req.param('client_secret');
  // The secret is "optional" for installed apps, but a wrong one is refused.
  return app && (secret === undefined || secret === app.clientSecret) ? app : undefined;
}

const READ_SCOPES = ['https://www.googleapis.com/auth/youtube.readonly', 'https://www.googleapis.com/auth/youtube', 'https://www.googleapis.com/auth/youtube.force-ssl'];

export function createRoutes(ctx: PlatformContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/o/oauth2/v2/auth',
      handler: (req) =>
        authorize(ctx, req, {
          clientParam: 'client_id',
          scopeSeparator: ' ',
          pkce: 'optional',
          partialConsent: true,
          codeTtlMs: 10 * 60_000,
          approveExtras: (granted) => ({ scope: granted.join(' ') }),
        }),
    },
    {
      method: 'POST',
      path: '/token',
      tokenCall: true,
      handler: (req) => {
        const app = clientOf(ctx, req);
        if (!app) return oauthError(401, 'invalid_client', 'Unauthorized');
        const testing = Boolean(app.flags?.['testing']);
        const grant = req.param('grant_type');
        if (grant === 'authorization_code') {
          const c = redeemCode(ctx, app, req);
          if (!c.ok) {
            if (c.error === 'redirect_mismatch') return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
            if (c.error === 'pkce') return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
            return oauthError(400, 'invalid_grant', 'Bad Request');
          }
          // No rotation; production tokens have no fixed lifetime (180 d here), Testing apps 7 d.
          const { family, tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, {
            accessTtlMs: 3599_000,
            refreshTtlMs: testing ? 7 * DAY : 180 * DAY,
            refreshTtlFrom: 'family',
            rotate: false,
            accessPrefix: 'ya29',
            refreshPrefix: '1/',
          });
          return json(200, {
            access_token: tokens.accessToken,
            expires_in: tokens.expiresIn,
            refresh_token: tokens.refreshToken,
            ...(testing ? { refresh_token_expires_in: tokens.refreshExpiresIn } : {}),
            scope: family.scopes.join(' '),
            token_type: 'Bearer',
          });
        }
        if (grant === 'refresh_token') {
          const r = ctx.families.refresh(req.param('refresh_token'), app.clientId);
          if (!r.ok) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
          // Google never returns a refresh_token on refresh: clients must keep theirs.
          return json(200, {
            access_token: r.tokens.accessToken,
            expires_in: r.tokens.expiresIn,
            ...(testing ? { refresh_token_expires_in: r.tokens.refreshExpiresIn } : {}),
            scope: r.family.scopes.join(' '),
            token_type: 'Bearer',
          });
        }
        return oauthError(400, 'unsupported_grant_type', 'Invalid grant_type: ' + (grant ?? ''));
      },
    },
    {
      method: 'POST',
      path: '/revoke',
      tokenCall: true,
      handler: (req) => {
        const token = req.param('token');
        const f = ctx.families.familyOf(token);
        if (!f || f.revoked) return oauthError(400, 'invalid_token', 'Token expired or revoked');
        ctx.families.revokeFamily(f, 'revoked');
        return json(200, {});
      },
    },
    {
      method: 'GET',
      path: '/youtube/v3/channels',
      handler: (req) => {
        const auth = requireToken(ctx, req, READ_SCOPES);
        if (!('family' in auth)) return auth;
        const a = auth.family.account;
        const items = a.name === 'nochannel' ? [] : [{ kind: 'youtube#channel', id: `UC${a.id.padStart(22, '0').slice(-22)}`, snippet: { title: a.displayName, customUrl: `@${a.name}` } }];
        return json(200, { kind: 'youtube#channelListResponse', pageInfo: { totalResults: items.length, resultsPerPage: 5 }, items });
      },
    },
  ];
}
