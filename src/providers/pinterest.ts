/**
 * Pinterest API v5 OAuth. Rules: docs/platforms/pinterest.md.
 * - Authorize at https://www.pinterest.com/oauth/ (client_id, redirect_uri, response_type=code, comma
 *   scopes, state); the redirect URI must be registered exactly, so a fixed port (#oauth).
 * - Token endpoint POST https://api.pinterest.com/v5/oauth/token with HTTP Basic client_id:client_secret
 *   and a form body (#tokens). Apps created before 2025-09-25 must send continuous_refresh=true to get the
 *   continuous refresh token (60 days, refreshable indefinitely); newer apps get it anyway, and the
 *   legacy 365-day token is no longer supported. We always send it.
 * - Each refresh returns a new refresh token with its own 60-day lifetime (refresh_token_expires_in):
 *   treated as rotating (the old one is not reused).
 * - Errors: `{code, message}`; 401 at the API is a reconnect, 403 (code 29) a permission, 429 a rate
 *   limit (#errors).
 * - The revoke endpoint serves only system users' tokens, so `revoke` is deliberately absent.
 */
import { hostUrl } from '../core/url.js';
import { type ErrorClass, type ReconnectReason } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { ProviderError } from '../core/errors.js';
import { bearerGet, formCall, num, processTokenResponse, providerError, refreshGrant, type CallContext, type Classifier, codeAuthorizeUrl } from './oauth.js';
import { str } from './graph.js';
import type { AccountInfo, AuthorizeInput, CodeInput, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export const PINTEREST_PORT = 8745;

export const descriptor: ProviderDescriptor = {
  id: 'pinterest',
  displayName: 'Pinterest',
  hosts: { www: 'https://www.pinterest.com', api: 'https://api.pinterest.com' },
  scopes: [
    { scope: 'user_accounts:read', why: 'reading the account (who-am-I)', required: true },
    { scope: 'boards:read', why: 'listing your boards (--board)', required: true },
    { scope: 'pins:read', why: 'checking a pin after a lost answer, and video upload status', required: true },
    { scope: 'pins:write', why: 'creating pins', required: true },
  ],
  scopeSeparator: ',',
  redirect: { port: PINTEREST_PORT, path: '/callback', https: false, host: '127.0.0.1', registerHint: `http://127.0.0.1:${PINTEREST_PORT}/callback` },
  pkce: 'none',
  clientSecret: 'required',
  // Access tokens last 30 days; refresh a week before. Each refresh gives a new 60-day refresh token.
  refresh: { kind: 'refresh_token', rotates: true, thresholdMinutes: 7 * 24 * 60, fallbackRefreshLifetimeDays: 60 },
};

export interface Classification {
  errorClass: ErrorClass;
  reason?: ReconnectReason;
  platformCode?: string;
  message: string;
}

/** Pure classification of a Pinterest failure (docs/platforms/pinterest.md#errors). `status` 0 = network. */
export function classifyPinterestError(status: number, body: unknown, context: CallContext): Classification {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = num(b.code);
  const platformCode = code !== undefined ? String(code) : status ? `http ${status}` : undefined;
  const message = redactText(str(b.message) ?? str(b.error_description) ?? (status ? `HTTP ${status}` : 'network error')).slice(0, 300);
  const out = (errorClass: ErrorClass, reason?: ReconnectReason): Classification => ({ errorClass, ...(reason ? { reason } : {}), ...(platformCode ? { platformCode } : {}), message });
  if (status === 0 || status >= 500) return out('transient');
  if (status === 429) return out('rate_limited');
  // A refused refresh token (expired after 60 days unused, or revoked) can only be replaced by a login.
  if (context === 'refresh' && (status === 400 || status === 401)) return out('reconnect_needed', 'unknown');
  if (context !== 'code' && status === 401) return out('reconnect_needed', 'unknown');
  if (status === 401 || status === 403) return out('permission');
  return out('invalid_request');
}

export const classify: Classifier = (status, body, headers, o) => {
  const c = classifyPinterestError(status, body, o.context ?? 'api');
  return providerError('pinterest', o, status, headers, c, c.platformCode, c.message);
};

function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  return codeAuthorizeUrl(hostUrl(d.hosts.www, '/oauth/'), i, d.app.clientId, ',');
}

function tokenCall(d: ProviderDeps, fields: Record<string, string | undefined>, what: string, context: CallContext) {
  return formCall('pinterest', d, hostUrl(d.hosts.api, '/v5/oauth/token').toString(), fields, classify, { what, context, basic: { id: d.app.clientId, secret: d.app.clientSecret ?? '' } });
}

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const b = await tokenCall(d, { grant_type: 'authorization_code', code: i.code, redirect_uri: i.redirectUri, continuous_refresh: 'true' }, 'code exchange', 'code');
  return processTokenResponse(b, { now: d.clock.now(), descriptor, fallbackScopes: descriptor.scopes.map((s) => s.scope) });
}

async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  if (t.refreshExpiresAt !== undefined && t.refreshExpiresAt <= d.clock.now()) {
    throw new ProviderError('pinterest: the refresh token has expired (60 days without a refresh)', { errorClass: 'reconnect_needed', reason: 'refresh_token_expired' });
  }
  return refreshGrant(t, d, {
    descriptor,
    call: (fields) => tokenCall(d, { ...fields, continuous_refresh: 'true' }, 'token refresh', 'refresh'),
    refreshLifetime: { ms: 60 * 86_400_000, estimate: true, from: 'issue' },
  });
}

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  const b = await bearerGet('pinterest', d, hostUrl(d.hosts.api, '/v5/user_account'), t.accessToken, classify);
  const username = str(b.username);
  const id = str(b.id) ?? username;
  if (!id) throw new ProviderError('pinterest: the account lookup returned no id', { errorClass: 'transient' });
  const accountType = str(b.account_type);
  return { id, ...(username ? { username } : {}), displayName: str(b.business_name) ?? username ?? id, ...(accountType ? { accountType } : {}) };
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami };
