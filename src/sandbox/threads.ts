/**
 * Threads API authorization, simulated (docs/platforms/threads.md#oauth, #tokens).
 * - www   GET  /oauth/authorize        https loopback redirect only (the dashboard refuses http); comma
 *                                      scopes; no PKCE; approve -> redirect_uri?code=...&state=...#_
 * - graph POST /oauth/access_token     code (1 h, single use, identical redirect_uri, Threads app secret)
 *                                      -> short-lived (1 h) token {access_token, user_id}
 * - graph GET  /access_token           grant_type=th_exchange_token -> long-lived (60 d, expires_in)
 * - graph GET  /refresh_access_token   grant_type=th_refresh_token: long-lived, >= 24 h old, unexpired,
 *                                      threads_basic granted -> a new 60-day token
 * - graph GET  /:version/me            id, username, name
 * No revoke endpoint (none is documented). Errors: Graph envelope (code 190 for tokens, 100 for parameters).
 */
import { DAY, HOUR } from '../core/clock.js';
import { json, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import { redeemCode, type CodeCheck } from './flow.js';
import { graphError, graphToken, longLivedHandlers, metaAuth, metaLogin, pickFields } from './meta.js';

export const hosts = ['www', 'graph'] as const;
export const apps: SandboxApp[] = [{ clientId: 'sandbox-threads', clientSecret: 'sandbox-threads-secret-5c1d', name: 'Socialync Sandbox' }];

export const SCOPES = ['threads_basic', 'threads_content_publish', 'threads_manage_replies', 'threads_read_replies', 'threads_manage_insights'];
const SHORT_TTL = HOUR;
const LONG_TTL = 60 * DAY;
/** "Authorization codes are valid for 1 hour and can only be used once." */
const CODE_TTL = HOUR;
const MIN_REFRESH_AGE = 24 * HOUR;

const CODE_ERRORS: Record<Exclude<CodeCheck, { ok: true }>['error'], [string, number?]> = {
  unknown: ['Invalid verification code format.'],
  client_mismatch: ['Invalid verification code format.'],
  pkce: ['Invalid verification code format.'],
  used: ['This authorization code has been used.', 36009],
  expired: ['This authorization code has expired.', 36007],
  redirect_mismatch: ['Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', 36008],
};

export function createRoutes(ctx: PlatformContext): Route[] {
  const tokens = longLivedHandlers(ctx, { exchange: 'th_exchange_token', refresh: 'th_refresh_token', basicScope: 'threads_basic', ttlMs: LONG_TTL, minAgeMs: MIN_REFRESH_AGE });

  const login = (req: SandboxRequest): SandboxResponse => metaLogin(ctx, req, { scopes: SCOPES, codeTtlMs: CODE_TTL, denyDescription: 'Permissions error' });

  const codeExchange = (req: SandboxRequest): SandboxResponse => {
    const app = ctx.app(req.param('client_id'));
    if (!app) return graphError(400, 101, 'Error validating application. Invalid application ID.');
    if (req.param('client_secret') !== app.clientSecret) return graphError(400, 1, 'Error validating client secret.');
    if (req.param('grant_type') !== 'authorization_code') return graphError(400, 100, 'Unsupported grant_type: expected authorization_code');
    const c = redeemCode(ctx, app, req);
    if (!c.ok) {
      const [message, subcode] = CODE_ERRORS[c.error];
      return graphError(400, 100, message, subcode);
    }
    const { tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, { accessTtlMs: SHORT_TTL, rotate: false, accessPrefix: 'THAA' });
    return json(200, { access_token: tokens.accessToken, user_id: Number(c.data.account.id) });
  };

  const me = (req: SandboxRequest): SandboxResponse => {
    const a = metaAuth(ctx, graphToken(req));
    if ('response' in a) return a.response;
    const acct = a.family.account;
    const obj = { id: acct.id, username: acct.name, name: acct.displayName, threads_profile_picture_url: `https://sandbox.invalid/threads/${encodeURIComponent(acct.name)}.jpg` };
    return json(200, pickFields(obj, req.query.get('fields') ?? undefined));
  };

  return [
    { method: 'GET', path: '/oauth/authorize', handler: login },
    { method: 'POST', path: '/oauth/access_token', tokenCall: true, handler: codeExchange },
    { method: 'GET', path: '/access_token', tokenCall: true, handler: tokens.exchange },
    { method: 'GET', path: '/refresh_access_token', tokenCall: true, handler: tokens.refresh },
    { method: 'GET', path: '/:version/me', handler: me },
  ];
}
