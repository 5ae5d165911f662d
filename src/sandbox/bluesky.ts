/**
 * Bluesky sandbox: one server plays the handle resolver, the PLC directory, the PDS (resource
 * server) and its authorization server, as the AT Protocol OAuth profile describes them
 * (docs/platforms/bluesky.md): handle -> DID (com.atproto.identity.resolveHandle) -> DID document
 * (PLC) -> PDS -> /.well-known/oauth-protected-resource -> /.well-known/oauth-authorization-server
 * -> PAR (required) -> authorize (consent page) -> token (PKCE S256, DPoP-bound, nonces).
 * Clients are the spec's localhost development clients (`http://localhost?redirect_uri=...&scope=...`):
 * no registration; redirect URIs on 127.0.0.1/[::1], path matched, port ignored.
 * Tokens: 15-minute access tokens, single-use refresh tokens, and a public-client session that
 * ends 2 weeks after the login whatever the refreshes (docs/platforms/bluesky.md#lifetimes).
 */
import { createHash } from 'node:crypto';
import { DAY, MINUTE } from '../core/clock.js';
import { json, redirectUrl, splitScopes, verifyPkce, htmlError, type PlatformContext, type Route, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import { token, type Family } from './families.js';
import { DpopVerifier } from './bluesky-dpop.js';

export const hosts = ['plc', 'handles', 'entryway', 'video'] as const;
export const apps: SandboxApp[] = [{ clientId: 'http://localhost', clientSecret: '', clientType: 'public', name: 'Development client' }];

const ACCESS_TTL_MS = 15 * MINUTE;
const PUBLIC_SESSION_MS = 14 * DAY;
const PAR_TTL_MS = 5 * MINUTE;
const HANDLE_DOMAIN = 'bsky.social';

export const originOf = (req: SandboxRequest) => `http://${req.headers.host}`;
/** Accounts by DID: did:plc identifiers are 24 base32 characters ([a-z2-7]), here of a hash of the account name. */
const accountsByDid = new Map<string, string>();
export function didOf(account: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const did = `did:plc:${[...createHash('sha256').update(account).digest().subarray(0, 24)].map((b) => alphabet[b & 31]).join('')}`;
  accountsByDid.set(did, account);
  return did;
}
const accountOfDid = (did: string): string => accountsByDid.get(did) ?? '';
export const handleOf = (account: string) => `${account}.${HANDLE_DOMAIN}`;

interface ParRecord { clientId: string; redirectUri: string; scopes: string[]; state: string; challenge: string; jkt: string; loginHint?: string; expiresAt: number }

/** Module state shared with bluesky-publish.ts. */
export function dpopOf(ctx: PlatformContext): DpopVerifier {
  let v = ctx.data.get('dpop') as DpopVerifier | undefined;
  if (!v) ctx.data.set('dpop', (v = new DpopVerifier()));
  return v;
}

const oauthError = (status: number, error: string, description: string, nonce?: string): SandboxResponse =>
  json(status, { error, error_description: description }, nonce ? { 'dpop-nonce': nonce } : {});

/**
 * The localhost client id (atproto OAuth spec, "Localhost Client Development"): scheme http, host
 * exactly `localhost`, no port, empty path; `redirect_uri` and `scope` from its query.
 */
function loopbackClient(clientId: string | undefined): { redirectUris: string[]; scopes: string[] } | undefined {
  if (!clientId) return undefined;
  let u: URL;
  try {
    u = new URL(clientId);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' || u.hostname !== 'localhost' || u.port || (u.pathname !== '/' && u.pathname !== '')) return undefined;
  const redirectUris = u.searchParams.getAll('redirect_uri');
  return { redirectUris: redirectUris.length ? redirectUris : ['http://127.0.0.1/', 'http://[::1]/'], scopes: splitScopes(u.searchParams.get('scope') ?? 'atproto', ' ') };
}

/** Path matched, port ignored, loopback IP hosts only. */
function redirectAllowed(uri: string, declared: string[]): boolean {
  try {
    const u = new URL(uri);
    if (u.protocol !== 'http:' || !['127.0.0.1', '[::1]'].includes(u.hostname)) return false;
    return declared.some((d) => {
      const x = new URL(d);
      return x.hostname === u.hostname && x.pathname === u.pathname && x.search === u.search;
    });
  } catch {
    return false;
  }
}

function metadata(origin: string): Record<string, unknown> {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/oauth/authorize`,
    token_endpoint: `${origin}/oauth/token`,
    pushed_authorization_request_endpoint: `${origin}/oauth/par`,
    revocation_endpoint: `${origin}/oauth/revoke`,
    require_pushed_authorization_requests: true,
    scopes_supported: ['atproto', 'transition:generic'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['ES256'],
    dpop_signing_alg_values_supported: ['ES256'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: true,
    subject_types_supported: ['public'],
  };
}

function tokenBody(family: Family, t: { accessToken: string; expiresIn: number; refreshToken?: string }): Record<string, unknown> {
  return { access_token: t.accessToken, token_type: 'DPoP', expires_in: t.expiresIn, refresh_token: t.refreshToken, scope: family.scopes.join(' '), sub: didOf(family.account.name) };
}

export function createRoutes(ctx: PlatformContext): Route[] {
  const dpop = dpopOf(ctx);
  const pars = new Map<string, ParRecord>();
  /** DPoP proof of an authorization-server call; the error response when it fails. */
  const proofOrError = (req: SandboxRequest): { jkt: string } | SandboxResponse => {
    const c = dpop.check(req, originOf(req));
    return c.ok ? { jkt: c.jkt } : oauthError(400, c.error, c.message, dpop.nonce());
  };
  const withNonce = (r: SandboxResponse): SandboxResponse => ({ ...r, headers: { ...r.headers, 'dpop-nonce': dpop.nonce() } });

  const par = (req: SandboxRequest): SandboxResponse => {
    const proof = proofOrError(req);
    if (!('jkt' in proof)) return proof;
    const clientId = req.param('client_id');
    const client = loopbackClient(clientId);
    if (!client) return oauthError(400, 'invalid_client', 'client_id must be a discoverable https URL or a http://localhost development client', dpop.nonce());
    const redirectUri = req.param('redirect_uri') ?? '';
    if (!redirectAllowed(redirectUri, client.redirectUris)) return oauthError(400, 'invalid_request', 'redirect_uri does not match the client', dpop.nonce());
    if (req.param('response_type') !== 'code') return oauthError(400, 'unsupported_response_type', 'response_type must be code', dpop.nonce());
    const challenge = req.param('code_challenge');
    if (!challenge || req.param('code_challenge_method') !== 'S256') return oauthError(400, 'invalid_request', 'PKCE S256 is required', dpop.nonce());
    const scopes = splitScopes(req.param('scope'), ' ');
    if (!scopes.includes('atproto') || scopes.some((s) => !client.scopes.includes(s))) return oauthError(400, 'invalid_scope', 'scope must include atproto and stay within the client scopes', dpop.nonce());
    const state = req.param('state');
    if (!state) return oauthError(400, 'invalid_request', 'state is required', dpop.nonce());
    const requestUri = `urn:ietf:params:oauth:request_uri:${token('req', 16)}`;
    const loginHint = req.param('login_hint');
    pars.set(requestUri, { clientId: clientId!, redirectUri, scopes, state, challenge, jkt: proof.jkt, ...(loginHint ? { loginHint } : {}), expiresAt: ctx.now() + PAR_TTL_MS });
    return withNonce(json(201, { request_uri: requestUri, expires_in: PAR_TTL_MS / 1000 }));
  };

  const authorize = (req: SandboxRequest): SandboxResponse => {
    const requestUri = req.query.get('request_uri') ?? '';
    const p = pars.get(requestUri);
    // PAR is required: only a pushed request's request_uri, once, before it expires, for its client.
    if (!p || p.expiresAt <= ctx.now() || p.clientId !== req.query.get('client_id')) return htmlError(400, 'Invalid request', 'unknown or expired request_uri (this server requires pushed authorization requests)');
    // The page may be loaded again (a reload); the request is spent once the user decides.
    const iss = originOf(req);
    return ctx.consent({
      appName: 'Development client',
      scopes: p.scopes,
      partialConsent: false,
      onApprove: (account, granted) => {
        pars.delete(requestUri);
        const code = ctx.codes.issue({ clientId: p.clientId, redirectUri: p.redirectUri, account, scopes: granted, codeChallenge: p.challenge, codeChallengeMethod: 'S256', extra: { jkt: p.jkt } }, 5 * MINUTE, 'cod');
        return redirectUrl(p.redirectUri, { code, state: p.state, iss });
      },
      onDeny: () => (pars.delete(requestUri), redirectUrl(p.redirectUri, { error: 'access_denied', error_description: 'Access denied', state: p.state, iss })),
    });
  };

  const tokenCall = (req: SandboxRequest): SandboxResponse => {
    const proof = proofOrError(req);
    if (!('jkt' in proof)) return proof;
    const clientId = req.param('client_id');
    if (!loopbackClient(clientId)) return oauthError(400, 'invalid_client', 'unknown client', dpop.nonce());
    const grant = req.param('grant_type');
    if (grant === 'authorization_code') {
      const c = ctx.codes.consume(req.param('code'));
      if (!c.ok) return oauthError(400, 'invalid_grant', c.error === 'used' ? 'Code replayed' : 'Invalid code', dpop.nonce());
      const d = c.data;
      if (d.clientId !== clientId || d.redirectUri !== req.param('redirect_uri')) return oauthError(400, 'invalid_grant', 'client_id or redirect_uri mismatch', dpop.nonce());
      if (!verifyPkce(req.param('code_verifier'), d.codeChallenge, 'S256')) return oauthError(400, 'invalid_grant', 'Invalid code_verifier', dpop.nonce());
      if (d.extra?.['jkt'] !== proof.jkt) return oauthError(400, 'invalid_dpop_proof', 'DPoP key does not match the authorization request', dpop.nonce());
      const { family, tokens } = ctx.families.start(d.account, clientId!, d.scopes, {
        accessTtlMs: ACCESS_TTL_MS,
        refreshTtlMs: PUBLIC_SESSION_MS,
        refreshTtlFrom: 'family',
        rotate: true,
        revokeFamilyOnReuse: true,
        accessPrefix: 'bat',
        refreshPrefix: 'brt',
      }, { jkt: proof.jkt });
      return withNonce(json(200, tokenBody(family, tokens)));
    }
    if (grant === 'refresh_token') {
      const presented = req.param('refresh_token');
      const family = ctx.families.familyOf(presented);
      // The refresh token is bound to the session's DPoP key: another key is refused before rotation.
      if (family && family.data['jkt'] !== proof.jkt) return oauthError(400, 'invalid_dpop_proof', 'DPoP key mismatch', dpop.nonce());
      const r = ctx.families.refresh(presented, family?.clientId);
      if (!r.ok) return oauthError(400, 'invalid_grant', r.error === 'reused' ? 'refresh token replayed' : r.error === 'expired' ? 'session expired' : 'Invalid refresh token', dpop.nonce());
      return withNonce(json(200, tokenBody(r.family, r.tokens)));
    }
    return oauthError(400, 'unsupported_grant_type', 'unsupported grant_type', dpop.nonce());
  };

  return [
    { method: 'GET', path: '/xrpc/com.atproto.identity.resolveHandle', handler: (req) => resolveHandle(ctx, req) },
    { method: 'GET', path: '/:did', handler: (req) => didDocument(ctx, req) },
    { method: 'GET', path: '/.well-known/oauth-protected-resource', handler: (req) => json(200, { resource: originOf(req), authorization_servers: [originOf(req)], scopes_supported: [], bearer_methods_supported: ['header'] }) },
    { method: 'GET', path: '/.well-known/oauth-authorization-server', handler: (req) => json(200, metadata(originOf(req))) },
    { method: 'POST', path: '/oauth/par', tokenCall: true, handler: par },
    { method: 'GET', path: '/oauth/authorize', handler: authorize },
    { method: 'POST', path: '/oauth/token', tokenCall: true, handler: tokenCall },
    {
      method: 'POST',
      path: '/oauth/revoke',
      tokenCall: true,
      handler: (req) => {
        const proof = proofOrError(req);
        if (!('jkt' in proof)) return proof;
        ctx.families.revokeToken(req.param('token'));
        return withNonce(json(200, {}));
      },
    },
  ];
}

function resolveHandle(ctx: PlatformContext, req: SandboxRequest): SandboxResponse {
  const handle = (req.query.get('handle') ?? '').toLowerCase();
  const m = /^([a-z0-9-]+)\.bsky\.social$/.exec(handle);
  if (!m) return json(400, { error: 'InvalidRequest', message: 'Unable to resolve handle' });
  return json(200, { did: didOf(ctx.account(m[1]!).name) });
}

function didDocument(ctx: PlatformContext, req: SandboxRequest): SandboxResponse {
  const did = decodeURIComponent(req.params['did'] ?? '');
  const name = accountOfDid(did);
  if (!name || didOf(name) !== did) return json(404, { message: `DID not registered: ${did}` });
  return json(200, {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    alsoKnownAs: [`at://${handleOf(ctx.account(name).name)}`],
    verificationMethod: [],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: originOf(req) }],
  });
}
