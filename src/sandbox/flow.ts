/**
 * The authorization-code flow steps every sandbox platform shares: validating an
 * authorize request and showing the consent page, and checking a code at the
 * token endpoint (single use, lifetime, identical redirect_uri, PKCE, client).
 * Platforms map the outcomes to their own wire format.
 */
import { htmlError, isLoopbackRedirect, redirectUrl, splitScopes, verifyPkce, type PlatformContext, type SandboxApp, type SandboxRequest, type SandboxResponse } from './common.js';
import type { CodeData } from './families.js';

export interface AuthorizeSpec {
  /** Query parameter carrying the client id (TikTok: client_key). */
  clientParam: string;
  scopeSeparator: ',' | ' ';
  /** 'hex' = TikTok's hex S256; 'required' = base64url S256 or plain; 'optional' = validated when sent. */
  pkce: 'hex' | 'required' | 'optional' | 'none';
  partialConsent: boolean;
  codeTtlMs: number;
  /** Extra params on the approve redirect (TikTok `scopes`, Google `scope`). */
  approveExtras?: (granted: string[]) => Record<string, string>;
  /** Deny redirect params (default error=access_denied). */
  denyParams?: Record<string, string>;
  /** Instagram appends `#_`. */
  fragment?: string;
}

/** GET authorize: validates like the platform and renders the consent page (HTML 400 on bad requests). */
export function authorize(ctx: PlatformContext, req: SandboxRequest, spec: AuthorizeSpec): SandboxResponse {
  const q = req.query;
  const clientId = q.get(spec.clientParam) ?? undefined;
  const app = ctx.app(clientId);
  const bad = (msg: string) => htmlError(400, 'Something went wrong', msg);
  if (!app) return bad(`unknown ${spec.clientParam} "${clientId ?? ''}"`);
  const redirectUri = q.get('redirect_uri') ?? undefined;
  if (!isLoopbackRedirect(redirectUri)) return bad('redirect_uri must be a registered loopback URI');
  if (q.get('response_type') !== 'code') return bad('response_type must be "code"');
  const scopes = splitScopes(q.get('scope') ?? undefined, spec.scopeSeparator);
  if (!scopes.length) return bad('scope is required');
  const challenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method') ?? undefined;
  if (spec.pkce === 'hex' && (!challenge || method !== 'S256' || !/^[0-9a-f]{64}$/.test(challenge))) {
    return bad('code_challenge must be the hex SHA-256 of the verifier with code_challenge_method=S256');
  }
  if ((spec.pkce === 'required' || (spec.pkce === 'optional' && challenge)) && (!challenge || !['S256', 'plain', undefined].includes(method) || !/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge))) {
    return bad('code_challenge (S256, base64url) is required');
  }
  const state = q.get('state') ?? undefined;
  const pkceMethod = spec.pkce === 'hex' ? 'S256-hex' : (method ?? (challenge ? 'plain' : undefined));
  return ctx.consent({
    appName: app.name ?? app.clientId,
    scopes,
    partialConsent: spec.partialConsent,
    onApprove: (account, granted) => {
      const data: CodeData = { clientId: app.clientId, redirectUri: redirectUri!, account, scopes: granted };
      if (challenge) data.codeChallenge = challenge;
      if (pkceMethod) data.codeChallengeMethod = pkceMethod;
      const code = ctx.codes.issue(data, spec.codeTtlMs);
      return redirectUrl(redirectUri!, { code, ...(spec.approveExtras?.(granted) ?? {}), state }, spec.fragment);
    },
    onDeny: () => redirectUrl(redirectUri!, { ...(spec.denyParams ?? { error: 'access_denied', error_description: 'The user denied the request' }), state }),
  });
}

export type CodeCheck =
  | { ok: true; data: CodeData }
  | { ok: false; error: 'unknown' | 'used' | 'expired' | 'redirect_mismatch' | 'pkce' | 'client_mismatch' };

/** Token endpoint, grant_type=authorization_code: consumes the code and checks it. */
export function redeemCode(ctx: PlatformContext, app: SandboxApp, req: SandboxRequest): CodeCheck {
  const c = ctx.codes.consume(req.param('code'));
  if (!c.ok) return { ok: false, error: c.error };
  if (c.data.clientId !== app.clientId) return { ok: false, error: 'client_mismatch' };
  // Exact-match platforms: the redirect_uri must be identical to the authorized one (RFC 6749 §4.1.3).
  if (req.param('redirect_uri') !== c.data.redirectUri) return { ok: false, error: 'redirect_mismatch' };
  const method = c.data.codeChallengeMethod as 'S256' | 'S256-hex' | 'plain' | undefined;
  if (c.data.codeChallenge && !verifyPkce(req.param('code_verifier'), c.data.codeChallenge, method ?? 'plain')) return { ok: false, error: 'pkce' };
  return { ok: true, data: c.data };
}
