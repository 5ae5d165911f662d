/**
 * Mastodon, simulated from docs.joinmastodon.org (rules and sources: docs/platforms/mastodon.md).
 * One server plays two instances, so the differences between servers are tested:
 * - at the root: a current server (PKCE metadata, 500 characters, 16 MB images, 99 MB videos);
 * - under /classic: an older one (no /.well-known/oauth-authorization-server, so no PKCE; 1000
 *   characters, 8 MB images, 40 MB videos).
 * Per instance:
 * - POST /api/v1/apps                 registers an app (client_id/secret; 422 on a bad redirect or scope)
 * - GET  /oauth/authorize             consent; the port of a 127.0.0.1 redirect is ignored, not localhost's
 * - POST /oauth/token                 authorization_code (PKCE S256 where announced), client_credentials;
 *                                     tokens never expire; 401 invalid_client for an unknown app
 * - POST /oauth/revoke                200 {} (also for a token already revoked)
 * - GET  /api/v1/accounts/verify_credentials   401 {"error":"The access token is invalid"}
 * - GET  /api/v2/instance             configuration.statuses / media_attachments
 * Sandbox control: POST /__mastodon/purge-apps forgets every registered app (a server that
 * purged unused apps); GET /__mastodon/apps lists them.
 * Publishing routes: ./mastodon-publish.ts.
 */
import { MINUTE } from '../core/clock.js';
import { json, redirect, redirectUrl, splitScopes, verifyPkce, htmlError, type Family, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import { stateOf } from './publish-common.js';

export const hosts = ['api'] as const;

export interface SandboxInstance {
  /** Path prefix under which this instance is served ('' = the root). */
  prefix: string;
  version: string;
  pkce: boolean;
  maxCharacters: number;
  reservedPerUrl: number;
  maxAttachments: number;
  imageSizeLimit: number;
  videoSizeLimit: number;
}

const MB = 1024 * 1024;
export const INSTANCES: readonly SandboxInstance[] = [
  { prefix: '', version: '4.4.0', pkce: true, maxCharacters: 500, reservedPerUrl: 23, maxAttachments: 4, imageSizeLimit: 16 * MB, videoSizeLimit: 99 * MB },
  { prefix: '/classic', version: '4.2.0', pkce: false, maxCharacters: 1000, reservedPerUrl: 23, maxAttachments: 4, imageSizeLimit: 8 * MB, videoSizeLimit: 40 * MB },
];
const SUPPORTED_MIME = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/quicktime', 'video/webm'];

/** Pre-registered on the root instance (the contract suite's app); others register at run time. */
export const apps: SandboxApp[] = [{ clientId: 'sandbox-mastodon', clientSecret: 'sandbox-mastodon-secret-7c1f', name: 'Socialync Sandbox', flags: { pkce: true } }];

const SCOPES = ['read', 'write', 'follow', 'push', 'profile', 'read:accounts', 'read:statuses', 'write:statuses', 'write:media', 'write:accounts'];
const CODE_TTL = 10 * MINUTE;
/** Tokens never expire (docs/platforms/mastodon.md#lifetimes): a lifetime far past any test. */
const NEVER = 100 * 365 * 24 * 60 * MINUTE;

interface RegisteredSandboxApp {
  instance: string;
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
}

function registeredApps(ctx: PlatformContext): Map<string, RegisteredSandboxApp> {
  return stateOf(ctx, 'mastodon.apps', () => {
    const m = new Map<string, RegisteredSandboxApp>();
    for (const a of apps) m.set(a.clientId, { instance: '', clientId: a.clientId, clientSecret: a.clientSecret, name: a.name ?? a.clientId, redirectUris: ['http://127.0.0.1/callback'], scopes: [...SCOPES] });
    return m;
  });
}

const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });
const apiError = (status: number, error: string) => json(status, { error });

/** The account behind the Bearer token on this instance, or Mastodon's 401. */
export function mastodonAuth(ctx: PlatformContext, req: SandboxRequest, inst: SandboxInstance): { family: Family } | { response: SandboxResponse } {
  const c = ctx.families.checkAccess(req.bearer());
  if (!c.ok || c.family.data.instance !== inst.prefix || c.family.data.appToken) return { response: apiError(401, 'The access token is invalid') };
  return { family: c.family };
}

/** Doorkeeper's redirect match: exact, except the port of a loopback IP literal (RFC 8252 §7.3). */
export function redirectMatches(registered: string, given: string): boolean {
  if (registered === given) return true;
  let a: URL, b: URL;
  try {
    a = new URL(registered);
    b = new URL(given);
  } catch {
    return false;
  }
  const ipLiteral = (u: URL) => u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  return ipLiteral(a) && ipLiteral(b) && a.protocol === b.protocol && a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search;
}

function instanceRoutes(ctx: PlatformContext, inst: SandboxInstance): Route[] {
  const P = inst.prefix;
  const appOf = (id: string | null | undefined) => {
    const a = id ? registeredApps(ctx).get(id) : undefined;
    return a && a.instance === P ? a : undefined;
  };
  const client = (req: SandboxRequest) => {
    const a = appOf(req.param('client_id'));
    return a && req.param('client_secret') === a.clientSecret ? a : undefined;
  };

  const register = (req: SandboxRequest): SandboxResponse => {
    const name = req.param('client_name');
    const uris = (req.form.getAll('redirect_uris').length ? req.form.getAll('redirect_uris') : [req.param('redirect_uris') ?? '']).flatMap((u) => u.split(/\s+/)).filter(Boolean);
    const scopes = splitScopes(req.param('scopes') ?? 'read', ' ');
    if (!name) return apiError(422, "Validation failed: Application name can't be blank");
    if (!uris.length) return apiError(422, "Validation failed: Redirect URI can't be blank");
    for (const u of uris) {
      let scheme = '';
      try {
        scheme = new URL(u).protocol;
      } catch {
        return apiError(422, 'Validation failed: Redirect URI must be an absolute URI.');
      }
      if (['data:', 'javascript:', 'vbscript:'].includes(scheme)) return apiError(422, 'Validation failed: Redirect URI is forbidden by the server.');
    }
    const bad = scopes.find((s) => !SCOPES.includes(s));
    if (bad) return apiError(422, `Validation failed: Scopes are not valid: ${bad}`);
    const app: RegisteredSandboxApp = { instance: P, clientId: ctx.random(32), clientSecret: ctx.random(32), name, redirectUris: uris, scopes };
    registeredApps(ctx).set(app.clientId, app);
    ctx.stats['appsRegistered'] = (ctx.stats['appsRegistered'] ?? 0) + 1;
    return json(200, { id: String(registeredApps(ctx).size), name, website: req.param('website') ?? null, scopes, redirect_uri: uris.join('\n'), redirect_uris: uris, client_id: app.clientId, client_secret: app.clientSecret, client_secret_expires_at: 0 });
  };

  const login = (req: SandboxRequest): SandboxResponse => {
    const q = req.query;
    const app = appOf(q.get('client_id'));
    const bad = (msg: string) => htmlError(400, 'An error has occurred', msg);
    if (!app) return bad('Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!app.redirectUris.some((r) => redirectMatches(r, redirectUri))) return bad('The redirect uri included is not valid.');
    if (q.get('response_type') !== 'code') return bad('The authorization server does not support this response type.');
    const scopes = splitScopes(q.get('scope') ?? 'read', ' ');
    const state = q.get('state') ?? undefined;
    if (scopes.some((s) => !app.scopes.includes(s))) return redirect(redirectUrl(redirectUri, { error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.', state }));
    // An older server does not know PKCE: it ignores the parameters (docs/platforms/mastodon.md#pkce).
    const challenge = inst.pkce ? (q.get('code_challenge') ?? undefined) : undefined;
    if (challenge && q.get('code_challenge_method') !== 'S256') return bad('The code challenge method must be S256.');
    return ctx.consent({
      appName: app.name,
      scopes,
      partialConsent: false,
      onApprove: (account, granted) => {
        const code = ctx.codes.issue({ clientId: app.clientId, redirectUri, account, scopes: granted, ...(challenge ? { codeChallenge: challenge, codeChallengeMethod: 'S256' } : {}) }, CODE_TTL);
        return redirectUrl(redirectUri, { code, state });
      },
      onDeny: () => redirectUrl(redirectUri, { error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.', state }),
    });
  };

  const token = (req: SandboxRequest): SandboxResponse => {
    const app = client(req);
    if (!app) return oauthError(401, 'invalid_client', 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.');
    const grant = req.param('grant_type');
    if (grant === 'client_credentials') {
      const scopes = splitScopes(req.param('scope') ?? 'read', ' ');
      if (scopes.some((s) => !app.scopes.includes(s))) return oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
      const { tokens } = ctx.families.start(ctx.account(`app-${app.clientId.slice(0, 8)}`), app.clientId, scopes, { accessTtlMs: NEVER, rotate: false }, { instance: P, appToken: true });
      return json(200, { access_token: tokens.accessToken, token_type: 'Bearer', scope: scopes.join(' '), created_at: Math.floor(ctx.now() / 1000) });
    }
    if (grant !== 'authorization_code') return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    const c = ctx.codes.consume(req.param('code'));
    const invalidGrant = () => oauthError(400, 'invalid_grant', 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.');
    if (!c.ok || c.data.clientId !== app.clientId || c.data.redirectUri !== req.param('redirect_uri')) return invalidGrant();
    if (c.data.codeChallenge && !verifyPkce(req.param('code_verifier'), c.data.codeChallenge, 'S256')) return invalidGrant();
    const { tokens } = ctx.families.start(c.data.account, app.clientId, c.data.scopes, { accessTtlMs: NEVER, rotate: false }, { instance: P });
    return json(200, { access_token: tokens.accessToken, token_type: 'Bearer', scope: c.data.scopes.join(' '), created_at: Math.floor(ctx.now() / 1000) });
  };

  const revoke = (req: SandboxRequest): SandboxResponse => {
    const app = client(req);
    if (!app) return oauthError(403, 'unauthorized_client', 'You are not authorized to revoke this token');
    const f = ctx.families.familyOf(req.param('token'));
    if (f && f.clientId === app.clientId) ctx.families.revokeFamily(f, 'revoked');
    return json(200, {});
  };

  const metadata = (): SandboxResponse => {
    return json(200, {
      issuer: `https://sandbox${P.replace('/', '-')}.invalid/`,
      authorization_endpoint: `${P}/oauth/authorize`,
      token_endpoint: `${P}/oauth/token`,
      revocation_endpoint: `${P}/oauth/revoke`,
      scopes_supported: SCOPES,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      app_registration_endpoint: `${P}/api/v1/apps`,
    });
  };

  const verify = (req: SandboxRequest): SandboxResponse => {
    const a = mastodonAuth(ctx, req, inst);
    if ('response' in a) return a.response;
    const { account, scopes } = a.family;
    if (!scopes.some((s) => ['read', 'read:accounts', 'profile'].includes(s))) return apiError(403, 'This action is outside the authorized scopes');
    return json(200, { id: account.id, username: account.name, acct: account.name, display_name: account.displayName, url: `https://sandbox.invalid/@${account.name}`, source: { privacy: 'public', sensitive: false } });
  };

  const instance = (): SandboxResponse =>
    json(200, {
      domain: `sandbox${P.replace('/', '-')}.invalid`,
      title: `Mastodon sandbox${P ? ` (${P.slice(1)})` : ''}`,
      version: inst.version,
      configuration: {
        urls: { streaming: null },
        accounts: { max_featured_tags: 10 },
        statuses: { max_characters: inst.maxCharacters, max_media_attachments: inst.maxAttachments, characters_reserved_per_url: inst.reservedPerUrl },
        media_attachments: { supported_mime_types: SUPPORTED_MIME, image_size_limit: inst.imageSizeLimit, image_matrix_limit: 33_177_600, video_size_limit: inst.videoSizeLimit, video_frame_rate_limit: 120, video_matrix_limit: 8_294_400, description_limit: 1500 },
        polls: { max_options: 4, max_characters_per_option: 50, min_expiration: 300, max_expiration: 2_629_746 },
      },
    });

  return [
    { method: 'POST', path: `${P}/api/v1/apps`, handler: register },
    { method: 'GET', path: `${P}/oauth/authorize`, handler: login },
    { method: 'POST', path: `${P}/oauth/token`, tokenCall: true, handler: token },
    { method: 'POST', path: `${P}/oauth/revoke`, handler: revoke },
    ...(inst.pkce ? [{ method: 'GET', path: `${P}/.well-known/oauth-authorization-server`, handler: metadata }] : []),
    { method: 'GET', path: `${P}/api/v1/accounts/verify_credentials`, handler: verify },
    { method: 'GET', path: `${P}/api/v2/instance`, handler: instance },
  ];
}

export function createRoutes(ctx: PlatformContext): Route[] {
  return [
    ...INSTANCES.flatMap((i) => instanceRoutes(ctx, i)),
    { method: 'POST', path: '/__mastodon/purge-apps', handler: () => (registeredApps(ctx).clear(), json(200, { ok: true })) },
    { method: 'GET', path: '/__mastodon/apps', handler: () => json(200, { apps: [...registeredApps(ctx).values()].map((a) => ({ instance: a.instance, clientId: a.clientId, redirectUris: a.redirectUris, scopes: a.scopes })) }) },
  ];
}
