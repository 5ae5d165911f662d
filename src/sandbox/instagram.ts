/**
 * Instagram API with Instagram Login, simulated (docs/platforms/instagram.md, sandbox-spec.md).
 * - www  GET  /oauth/authorize           https loopback redirect only; comma scopes; no PKCE
 *                                         approve -> redirect_uri?code=...&state=...#_  (Meta's `#_` suffix)
 * - api  POST /oauth/access_token         code -> short-lived (1 h) token; flat {access_token,user_id,permissions},
 *                                         or wrapped {data:[...]} for account "bob" (the docs DISAGREE: both exist)
 * - graph GET /access_token               grant_type=ig_exchange_token -> long-lived (60 d)
 * - graph GET /refresh_access_token       grant_type=ig_refresh_token: long-lived, >= 24 h old, unexpired; GET only
 * - graph GET /me, /:version/me           user_id, username, name, account_type ("carol" is PERSONAL)
 * No revoke endpoint (none exists). Errors: flat OAuthException at api., Graph envelope at graph.
 */
import { DAY, HOUR, MINUTE } from '../core/clock.js';
import { json, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import { redeemCode, type CodeCheck } from './flow.js';
import { graphError, graphToken, longLivedHandlers, metaAuth, metaLogin, pickFields } from './meta.js';

export const hosts = ['www', 'api', 'graph'] as const;
export const apps: SandboxApp[] = [{ clientId: 'sandbox-instagram', clientSecret: 'sandbox-instagram-secret-7f3a', name: 'Socialync Sandbox' }];

export const SCOPES = [
  'instagram_business_basic',
  'instagram_business_content_publish',
  'instagram_business_manage_comments',
  'instagram_business_manage_messages',
  'instagram_business_manage_insights',
];
const SHORT_TTL = HOUR;
const LONG_TTL = 60 * DAY;
const CODE_TTL = 10 * MINUTE;
const MIN_REFRESH_AGE = 24 * HOUR;

const CODE_ERRORS: Record<Exclude<CodeCheck, { ok: true }>['error'], string> = {
  unknown: 'Invalid authorization code',
  client_mismatch: 'Invalid authorization code',
  pkce: 'Invalid authorization code',
  used: 'This authorization code has been used',
  expired: 'This authorization code has expired',
  redirect_mismatch: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
};

/** api.instagram.com's older flat error shape. */
const flatError = (message: string, status = 400): SandboxResponse => json(status, { error_type: 'OAuthException', code: status, error_message: message });

export function createRoutes(ctx: PlatformContext): Route[] {
  // Test account "carol" is a personal account: the API does not serve it for publishing.
  ctx.account('carol').type = 'PERSONAL';
  const tokens = longLivedHandlers(ctx, { exchange: 'ig_exchange_token', refresh: 'ig_refresh_token', basicScope: 'instagram_business_basic', ttlMs: LONG_TTL, minAgeMs: MIN_REFRESH_AGE });

  const login = (req: SandboxRequest): SandboxResponse => metaLogin(ctx, req, { scopes: SCOPES, codeTtlMs: CODE_TTL, denyDescription: 'The user denied your request.' });

  const codeExchange = (req: SandboxRequest): SandboxResponse => {
    const app = ctx.app(req.param('client_id'));
    if (!app) return flatError('Invalid platform app');
    if (req.param('client_secret') !== app.clientSecret) return flatError('Error validating client secret.');
    if (req.param('grant_type') !== 'authorization_code') return flatError('Invalid grant_type: expected authorization_code');
    const c = redeemCode(ctx, app, req);
    if (!c.ok) return flatError(CODE_ERRORS[c.error]);
    const { tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, { accessTtlMs: SHORT_TTL, rotate: false, accessPrefix: 'IGAA' });
    const entry = { access_token: tokens.accessToken, user_id: c.data.account.id, permissions: c.data.scopes.join(',') };
    return json(200, c.data.account.name === 'bob' ? { data: [entry] } : entry);
  };

  const me = (req: SandboxRequest): SandboxResponse => {
    const a = metaAuth(ctx, graphToken(req));
    if ('response' in a) return a.response;
    const acct = a.family.account;
    const obj = {
      id: `app-scoped-${acct.id}`,
      user_id: acct.id,
      username: acct.name,
      name: acct.displayName,
      account_type: acct.type === 'PERSONAL' ? 'PERSONAL' : acct.type === 'MEDIA_CREATOR' ? 'MEDIA_CREATOR' : 'BUSINESS',
      profile_picture_url: `https://sandbox.invalid/instagram/${encodeURIComponent(acct.name)}.jpg`,
    };
    return json(200, pickFields(obj, req.query.get('fields') ?? undefined));
  };

  return [
    { method: 'GET', path: '/oauth/authorize', handler: login },
    { method: 'POST', path: '/oauth/access_token', tokenCall: true, handler: codeExchange },
    { method: 'GET', path: '/access_token', tokenCall: true, handler: tokens.exchange },
    { method: 'GET', path: '/refresh_access_token', tokenCall: true, handler: tokens.refresh },
    // Only GET works (stevenschobert/instafeed.js#654): POST gets Graph's "unsupported post request".
    {
      method: 'POST',
      path: '/refresh_access_token',
      tokenCall: true,
      handler: () => graphError(400, 100, "Unsupported post request. Object with ID 'refresh_access_token' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", 33),
    },
    { method: 'GET', path: '/me', handler: me },
    { method: 'GET', path: '/:version/me', handler: me },
  ];
}
