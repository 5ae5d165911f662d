/**
 * Facebook Login + Pages, simulated (docs/platforms/facebook.md, sandbox-spec.md).
 * - www   GET  /:version/dialog/oauth        comma scopes, partial consent; approve -> ?code&state#_
 * - graph GET|POST /:version/oauth/access_token  code -> short-lived (2 h); grant_type=fb_exchange_token
 *                                            -> long-lived (60 d), only for a live SHORT-lived token: exchanging a
 *                                            long-lived token again is not documented and is refused (400, #100)
 * - graph GET  /[:version/]debug_token       is_valid, expires_at (0 for a Page token taken with a long-lived user
 *                                            token), data_access_expires_at (90 d after login), scopes,
 *                                            granular_scopes (Page ids), user_id; invalid -> data.error 190/x
 * - graph GET  /:version/me/accounts         Pages with Page tokens ("alice" has two Pages, others one); a Page
 *                                            token from a long-lived user token never expires, from a short one
 *                                            it ends with it (docs/platforms/facebook.md#tokens);
 *                                            with fields=...instagram_business_account{id,username} the
 *                                            linked Instagram professional account (none for "carol")
 * - graph GET  /:version/{ig-user-id}         that Instagram account (Instagram API with Facebook Login;
 *                                            its publishing routes are in facebook-publish.ts)
 * - graph GET  /:version/me, /:version/{id}  user / Page objects; DELETE /:version/{user-id|me}/permissions
 * Token failures: expired 190/463, revoked 190/458, password change 190/460 (meta.ts).
 * Other objects under GET /:version/{id} (posts, videos): publishing routes register a lookup
 * function in ctx.data under OBJECT_LOOKUP.
 */
import { DAY, HOUR, MINUTE } from '../core/clock.js';
import { authorize, redeemCode } from './flow.js';
import { htmlError, isLoopbackRedirect, json, splitScopes, type Family, type PlatformContext, type Route, type SandboxAccount, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import { graphError, graphToken, metaAuth, metaTokenError, pickFields, META_REDIRECT_ERROR } from './meta.js';

export const hosts = ['www', 'graph', 'video'] as const;
/** Instagram API with Facebook Login runs on Facebook's hosts (providers/instagram-facebook.ts). */
export const alsoServes = { instagram: ['facebook_www', 'facebook_graph', 'rupload'] } as const;
export const apps: SandboxApp[] = [{ clientId: 'sandbox-facebook', clientSecret: 'sandbox-facebook-secret-4c1d', name: 'Socialync Sandbox' }];

export const SCOPES = [
  'public_profile',
  'email',
  'pages_show_list',
  'pages_manage_posts',
  'pages_read_engagement',
  'pages_manage_engagement',
  'pages_read_user_engagement',
  'publish_video',
  'business_management',
  'read_insights',
  'instagram_basic',
  'instagram_content_publish',
];
const SHORT_TTL = 2 * HOUR;
const LONG_TTL = 60 * DAY;
/** A Page token taken with a long-lived user token has no expiration date (https://developers.facebook.com/docs/pages/access-tokens). */
const NEVER = Number.POSITIVE_INFINITY;
const DATA_ACCESS_TTL = 90 * DAY;
const CODE_TTL = 10 * MINUTE;

/** ctx.data key: `(id, req) => SandboxResponse | undefined` for objects other than users and Pages. */
export const OBJECT_LOOKUP = 'facebook.objectLookup';

export interface SandboxPage {
  id: string;
  name: string;
  tasks: string[];
  /** The linked Instagram professional account (instagram_business_account). */
  instagram?: { id: string; username: string; name: string };
}

/** alice's first Page: the one `sandbox demo` connects (alice is the account demo mode approves as). */
export const DEMO_PAGE = 'Alice Bakery';

/**
 * The Pages a test account manages: "alice" has two, everyone else one. Each links an Instagram
 * professional account, except carol's (carol's Instagram account is a personal one).
 */
function pagesOf(account: SandboxAccount): SandboxPage[] {
  const tasks = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];
  const names = account.name === 'alice' ? [DEMO_PAGE, 'Alice Books'] : [`${account.displayName} Page`];
  return names.map((name, i) => {
    const id = `${account.id}0${i + 1}`;
    const username = names.length > 1 ? `${account.name}.${name.split(' ').pop()!.toLowerCase()}` : account.name;
    return { id, name, tasks, ...(account.name === 'carol' ? {} : { instagram: { id: `178414${id}`, username, name } }) };
  });
}

/** Instagram accounts the token's person may act as (through their Pages). */
export const igAccountsOf = (account: SandboxAccount) => pagesOf(account).flatMap((p) => (p.instagram ? [p.instagram] : []));

const secs = (ms: number) => Math.floor(ms / 1000);

export function createRoutes(ctx: PlatformContext): Route[] {
  const set = (key: string): Map<string, string> => {
    let m = ctx.data.get(key) as Map<string, string> | undefined;
    if (!m) ctx.data.set(key, (m = new Map()));
    return m;
  };
  /** long-lived user tokens -> '1'; Page tokens -> Page id */
  const longLived = () => set('facebook.longLived');
  const pageTokens = () => set('facebook.pageTokens');
  const appOf = (req: SandboxRequest) => ctx.app(req.param('client_id'));

  const login = (req: SandboxRequest): SandboxResponse => {
    if (!ctx.app(req.query.get('client_id') ?? undefined)) return htmlError(400, 'Invalid App ID', 'The provided app ID does not look like a valid app ID.');
    if (!isLoopbackRedirect(req.query.get('redirect_uri') ?? undefined)) return htmlError(400, 'URL blocked', META_REDIRECT_ERROR);
    const bad = splitScopes(req.query.get('scope') ?? '', ',').filter((s) => !SCOPES.includes(s));
    if (bad.length) return htmlError(400, 'Invalid Scopes', `Invalid Scopes: ${bad.join(', ')}`);
    // response_type defaults to code on Facebook.
    if (!req.query.get('response_type')) req.query.set('response_type', 'code');
    return authorize(ctx, req, {
      clientParam: 'client_id',
      scopeSeparator: ',',
      pkce: 'none',
      partialConsent: true,
      codeTtlMs: CODE_TTL,
      fragment: '_',
      denyParams: { error: 'access_denied', error_code: '200', error_description: 'Permissions error', error_reason: 'user_denied' },
    });
  };

  const codeExchange = (req: SandboxRequest, app: SandboxApp): SandboxResponse => {
    const c = redeemCode(ctx, app, req);
    if (!c.ok) {
      if (c.error === 'used') return graphError(400, 100, 'This authorization code has been used.', 36009);
      if (c.error === 'expired') return graphError(400, 100, 'This authorization code has expired.', 36007);
      if (c.error === 'unknown') return graphError(400, 100, 'Invalid verification code format.', 36010);
      return graphError(400, 100, 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', 36008);
    }
    const scopes = [...new Set([...c.data.scopes, 'public_profile'])];
    const { tokens } = ctx.families.start(c.data.account, app.clientId, scopes, { accessTtlMs: SHORT_TTL, rotate: false, accessPrefix: 'EAAG' }, {
      dataAccessExpiresAt: ctx.now() + DATA_ACCESS_TTL,
    });
    return json(200, { access_token: tokens.accessToken, token_type: 'bearer', expires_in: tokens.expiresIn });
  };

  const accessToken = (req: SandboxRequest): SandboxResponse => {
    const app = appOf(req);
    if (!app) return graphError(400, 101, 'Error validating application. Invalid application ID.');
    if (req.param('client_secret') !== app.clientSecret) return graphError(400, 1, 'Error validating client secret.');
    if (req.param('grant_type') !== 'fb_exchange_token') return codeExchange(req, app);
    // Short -> long only while the presented token is still valid (an expired one cannot be exchanged).
    const presented = req.param('fb_exchange_token');
    const a = metaAuth(ctx, presented);
    if ('response' in a) {
      ctx.families.counters.rejectedRefreshes++;
      return a.response;
    }
    if (a.family.clientId !== app.clientId) return graphError(400, 190, 'Error validating access token: the token was issued to another app');
    // The docs describe only short-lived -> long-lived; a long-lived (or Page) token is refused here,
    // so a client that "refreshes" this way fails (docs/platforms/facebook.md#tokens).
    if (longLived().has(presented as string) || pageTokens().has(presented as string)) {
      ctx.stats['refusedReexchanges'] = (ctx.stats['refusedReexchanges'] ?? 0) + 1;
      return graphError(400, 100, '(#100) fb_exchange_token takes a short-lived User access token; this token is already long-lived');
    }
    const t = ctx.families.issueAccess(a.family, LONG_TTL);
    longLived().set(t.accessToken, '1');
    return json(200, { access_token: t.accessToken, token_type: 'bearer', expires_in: t.expiresIn });
  };

  const debugToken = (req: SandboxRequest): SandboxResponse => {
    const [appId, secret] = (graphToken(req) ?? '').split('|');
    const app = ctx.app(appId);
    if (!app || secret !== app.clientSecret) return graphError(400, 100, 'Invalid OAuth access token signature. An app access token (app_id|app_secret) is required.');
    const input = req.param('input_token');
    const fam = ctx.families.familyOf(input);
    const err = metaTokenError(ctx, input);
    if (err || !fam) {
      const e = err ?? { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' };
      return json(200, {
        data: { app_id: app.clientId, type: 'USER', is_valid: false, error: { code: e.code, message: e.message, ...(e.subcode ? { subcode: e.subcode } : {}) }, scopes: [], ...(fam ? { user_id: fam.account.id } : {}) },
      });
    }
    const check = ctx.families.checkAccess(input);
    const pageId = pageTokens().get(input as string);
    const isLong = longLived().has(input as string);
    const pageIds = pagesOf(fam.account).map((p) => p.id);
    const expiresAt = check.ok && check.expiresAt !== NEVER ? secs(check.expiresAt) : 0;
    return json(200, {
      data: {
        app_id: app.clientId,
        type: pageId ? 'PAGE' : 'USER',
        application: app.name ?? app.clientId,
        data_access_expires_at: secs(Number(fam.data.dataAccessExpiresAt ?? 0)),
        expires_at: expiresAt,
        is_valid: true,
        ...(isLong && check.ok ? { issued_at: secs(check.issuedAt) } : {}),
        ...(pageId ? { profile_id: pageId } : {}),
        scopes: fam.scopes,
        granular_scopes: fam.scopes.filter((s) => s.startsWith('pages_')).map((scope) => ({ scope, target_ids: pageIds })),
        user_id: fam.account.id,
      },
    });
  };

  /** A live user token (not a Page token), or the Graph error response. */
  const userAuth = (req: SandboxRequest): { family: Family; token: string } | { response: SandboxResponse } => {
    const token = graphToken(req);
    const a = metaAuth(ctx, token);
    if ('response' in a) return a;
    if (pageTokens().has(token as string)) return { response: graphError(400, 100, '(#100) This endpoint requires a user access token') };
    return { family: a.family, token: token as string };
  };

  const accounts = (req: SandboxRequest): SandboxResponse => {
    const a = userAuth(req);
    if ('response' in a) return a.response;
    if (!a.family.scopes.includes('pages_show_list')) return json(200, { data: [] });
    const c = ctx.families.checkAccess(a.token);
    const ttl = longLived().has(a.token) ? NEVER : c.ok ? c.expiresAt - ctx.now() : 0;
    const withIg = (req.query.get('fields') ?? '').includes('instagram_business_account');
    const data = pagesOf(a.family.account).map((p) => {
      const t = ctx.families.issueAccess(a.family, ttl);
      pageTokens().set(t.accessToken, p.id);
      const ig = p.instagram && withIg ? { instagram_business_account: { id: p.instagram.id, username: p.instagram.username } } : {};
      return { access_token: t.accessToken, category: 'Local business', category_list: [{ id: '2500', name: 'Local business' }], name: p.name, id: p.id, tasks: p.tasks, ...ig };
    });
    return json(200, { data, paging: { cursors: { before: 'QVFIUmFz', after: 'QVFIUmJ6' } } });
  };

  const me = (req: SandboxRequest): SandboxResponse => {
    const token = graphToken(req);
    const a = metaAuth(ctx, token);
    if ('response' in a) return a.response;
    const pageId = pageTokens().get(token as string);
    const page = pageId ? pagesOf(a.family.account).find((p) => p.id === pageId) : undefined;
    const obj = page ? { id: page.id, name: page.name } : { id: a.family.account.id, name: a.family.account.displayName, email: `${a.family.account.name}@sandbox.invalid` };
    return json(200, pickFields(obj, req.query.get('fields') ?? undefined));
  };

  const permissions = (req: SandboxRequest): SandboxResponse => {
    const a = userAuth(req);
    if ('response' in a) return a.response;
    return json(200, { data: a.family.scopes.map((permission) => ({ permission, status: 'granted' })) });
  };

  const deauthorize = (req: SandboxRequest): SandboxResponse => {
    const a = userAuth(req);
    if ('response' in a) return a.response;
    const who = req.params['id'] ?? 'me';
    if (who !== 'me' && who !== a.family.account.id) return graphError(400, 100, `(#100) Cannot remove permissions of user ${who}`);
    ctx.families.revokeFamily(a.family, 'revoked');
    return json(200, { success: true });
  };

  const object = (req: SandboxRequest): SandboxResponse => {
    const id = req.params['id'] ?? '';
    const token = graphToken(req);
    const a = metaAuth(ctx, token);
    if ('response' in a) return a.response;
    const page = pagesOf(a.family.account).find((p) => p.id === id);
    const tokenPage = pageTokens().get(token as string);
    if (page && (!tokenPage || tokenPage === page.id)) return json(200, pickFields({ id: page.id, name: page.name, category: 'Local business' }, req.query.get('fields') ?? undefined));
    const ig = igAccountsOf(a.family.account).find((x) => x.id === id);
    if (ig && !a.family.scopes.includes('instagram_basic')) return graphError(403, 10, '(#10) Application does not have permission for this action');
    if (ig) return json(200, pickFields({ ...ig }, req.query.get('fields') ?? undefined));
    const lookup = ctx.data.get(OBJECT_LOOKUP) as ((id: string, req: SandboxRequest) => SandboxResponse | undefined) | undefined;
    return (
      lookup?.(id, req) ??
      graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33)
    );
  };

  return [
    { method: 'GET', path: '/:version/dialog/oauth', handler: login },
    { method: 'GET', path: '/:version/oauth/access_token', tokenCall: true, handler: accessToken },
    { method: 'POST', path: '/:version/oauth/access_token', tokenCall: true, handler: accessToken },
    { method: 'GET', path: '/debug_token', handler: debugToken },
    { method: 'GET', path: '/:version/debug_token', handler: debugToken },
    { method: 'GET', path: '/:version/me/accounts', handler: accounts },
    { method: 'GET', path: '/:version/me/permissions', handler: permissions },
    { method: 'DELETE', path: '/:version/me/permissions', handler: deauthorize },
    { method: 'DELETE', path: '/:version/:id/permissions', handler: deauthorize },
    { method: 'GET', path: '/:version/me', handler: me },
    { method: 'GET', path: '/:version/:id', handler: object },
  ];
}
