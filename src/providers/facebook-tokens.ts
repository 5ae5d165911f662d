/**
 * Facebook Login tokens: obtaining them and checking them (docs/platforms/facebook.md#tokens).
 * Used by facebook.ts (Pages) and instagram-facebook.ts (Instagram API with Facebook Login).
 *
 * - Code -> short-lived user token -> long-lived user token (`fb_exchange_token`, about 60 days).
 *   https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
 * - A Page token taken with a long-lived user token has no expiration date.
 *   https://developers.facebook.com/docs/pages/access-tokens
 * - Exchanging a token that is already long-lived is not documented, so `refresh` does not do it:
 *   it checks the tokens with debug_token and records the deadlines the platform reports
 *   (`expires_at`, 0 = never; `data_access_expires_at`, 90 days after the person's last login).
 *   https://developers.facebook.com/docs/graph-api/reference/debug_token
 *   https://developers.facebook.com/docs/facebook-login/auth-vs-data
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';
import { graphCall, graphProviderError, num, parseScopeList, str, stripMetaCodeSuffix } from './graph.js';
import type { CodeInput, PlatformId, ProviderDeps, TokenSet } from './types.js';

/** The Graph version every Facebook Login call uses (descriptor default, config or env). */
export const DEFAULT_GRAPH_VERSION = 'v25.0';
const version = (d: ProviderDeps) => d.apiVersion ?? DEFAULT_GRAPH_VERSION;

export function graphUrl(d: ProviderDeps, path: string, params: Record<string, string | undefined>): URL {
  const u = hostUrl(d.hosts.graph, `/${version(d)}${path}`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u;
}

/** What debug_token says about one live token. */
export interface DebugInfo {
  userId?: string;
  /** USER or PAGE. */
  type?: string;
  scopes: string[];
  /** Absent: the token does not expire (debug_token `expires_at` 0). */
  expiresAt?: number;
  dataAccessExpiresAt?: number;
}

/**
 * debug_token with the app token `app_id|app_secret`. An invalid token comes back as HTTP 200 with
 * `is_valid: false` and its own `error {code, subcode}`: that becomes the same reconnect_needed error
 * (reason by subcode: 458 app removed, 460 password changed, 463 expired ...) as a refused API call.
 * `platform` names the connection in errors.
 */
export async function debugToken(token: string, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<DebugInfo> {
  const appToken = `${d.app.clientId}|${d.app.clientSecret ?? ''}`;
  rememberSecret(appToken);
  const b = await graphCall(platform, 'token check', d.http, graphUrl(d, '/debug_token', { input_token: token, access_token: appToken }), {}, d.clock.now());
  const data = (b.data && typeof b.data === 'object' ? b.data : {}) as Record<string, unknown>;
  if (data.is_valid !== true) {
    const e = (data.error && typeof data.error === 'object' ? data.error : {}) as Record<string, unknown>;
    const subcode = num(e.subcode) ?? num(e.error_subcode);
    throw graphProviderError(platform, 'token check', 400, {
      error: { code: num(e.code) ?? 190, ...(subcode !== undefined ? { error_subcode: subcode } : {}), message: str(e.message) ?? 'token is not valid' },
    });
  }
  const userId = str(data.user_id);
  const type = str(data.type);
  const exp = num(data.expires_at);
  const dax = num(data.data_access_expires_at);
  return {
    ...(userId ? { userId } : {}),
    ...(type ? { type } : {}),
    scopes: parseScopeList(data.scopes),
    ...(exp ? { expiresAt: exp * 1000 } : {}),
    ...(dax ? { dataAccessExpiresAt: dax * 1000 } : {}),
  };
}

/** Data access ends 90 days after the person's last login, whatever the token says: log in again. */
export function dataAccessLive(info: DebugInfo, now: number, platform: PlatformId = 'facebook'): void {
  if (info.dataAccessExpiresAt !== undefined && info.dataAccessExpiresAt <= now) {
    throw new ProviderError(`${platform}: data access expired (90 days after the last Facebook login)`, { errorClass: 'reconnect_needed', reason: 'inactive' });
  }
}

async function tokenCall(platform: PlatformId, what: string, d: ProviderDeps, params: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  const b = await graphCall(platform, what, d.http, graphUrl(d, '/oauth/access_token', { client_id: d.app.clientId, client_secret: d.app.clientSecret, ...params }), {}, d.clock.now());
  const accessToken = str(b.access_token);
  if (!accessToken) throw new ProviderError(`${platform}: the token response has no access_token`, { errorClass: 'transient' });
  rememberSecret(accessToken);
  return b;
}

/**
 * The token set as debug_token describes it: `expiresAt` is the user token's expiry and
 * `refreshExpiresAt` the end of data access (never estimated). `base` keeps everything else.
 */
function withDeadlines(base: TokenSet, user: DebugInfo, dataAccessEnds: number | undefined): TokenSet {
  const { expiresAt: _e, refreshExpiresAt: _r, ...rest } = base;
  void _e;
  void _r;
  return {
    ...rest,
    ...(user.expiresAt !== undefined ? { expiresAt: user.expiresAt } : {}),
    ...(dataAccessEnds !== undefined ? { refreshExpiresAt: dataAccessEnds } : {}),
    refreshExpiresEstimated: false,
    scopes: user.scopes.length ? user.scopes : base.scopes,
    ...(user.userId ? { extra: { ...(base.extra ?? {}), userId: user.userId } } : {}),
  };
}

/** Code -> short-lived user token -> long-lived user token (manual flow), described by debug_token. */
export async function exchangeUserCode(i: CodeInput, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<TokenSet> {
  const short = await tokenCall(platform, 'code exchange', d, { redirect_uri: i.redirectUri, code: stripMetaCodeSuffix(i.code) });
  const long = await tokenCall(platform, 'long-lived token exchange', d, { grant_type: 'fb_exchange_token', fb_exchange_token: str(short.access_token) });
  const accessToken = str(long.access_token) as string;
  const info = await debugToken(accessToken, d, platform);
  const now = d.clock.now();
  // debug_token is the source; expires_in only when debug_token gives no expiry for a token that has one.
  const expiresIn = num(long.expires_in);
  const user = info.expiresAt === undefined && expiresIn ? { ...info, expiresAt: now + expiresIn * 1000 } : info;
  return withDeadlines({ accessToken, tokenType: 'bearer', scopes: [], obtainedAt: now }, user, info.dataAccessExpiresAt);
}

/**
 * `refresh` where the user token publishes (Instagram through Facebook Login, a Facebook connection
 * without a Page): no new token, only what debug_token says. An invalid token is reconnect_needed
 * with its reason; a valid one gets its real deadlines recorded.
 */
export async function checkUserToken(t: TokenSet, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<TokenSet> {
  const info = await debugToken(t.accessToken, d, platform);
  dataAccessLive(info, d.clock.now(), platform);
  return withDeadlines(t, info, info.dataAccessExpiresAt);
}

/** Whether the stored user token is past the expiry debug_token reported. */
export const userTokenExpired = (t: TokenSet, now: number): boolean => t.expiresAt !== undefined && t.expiresAt <= now;

/**
 * The user token's debug_token answer; undefined once it has expired (known from the stored expiry,
 * or 190/463 now). Other failures (password changed, app removed) are thrown: they end the Page token too.
 */
async function userTokenInfo(t: TokenSet, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<DebugInfo | undefined> {
  if (userTokenExpired(t, d.clock.now())) return undefined;
  try {
    return await debugToken(t.accessToken, d, platform);
  } catch (e) {
    if (e instanceof ProviderError && e.reason === 'token_expired') return undefined;
    throw e;
  }
}

/**
 * `refresh` of a Facebook Page connection: the Page token publishes, so its debug_token answer decides
 * (invalid -> reconnect_needed; data access over -> reconnect_needed inactive). The user token is
 * checked too: its expiry is recorded (local video uploads need it), and once it has expired Page
 * posts go on with the Page token.
 */
export async function checkPageTokens(t: TokenSet, pageToken: string, d: ProviderDeps): Promise<TokenSet> {
  const now = d.clock.now();
  const page = await debugToken(pageToken, d);
  dataAccessLive(page, now);
  const user = await userTokenInfo(t, d);
  const dataAccessEnds = page.dataAccessExpiresAt ?? user?.dataAccessExpiresAt;
  // A Page token taken from a short-lived user token expires; one from a long-lived token does not.
  const pageEnds = [page.expiresAt, dataAccessEnds].filter((x): x is number => x !== undefined);
  const ends = pageEnds.length ? Math.min(...pageEnds) : undefined;
  const known: DebugInfo = user ?? { scopes: t.scopes, expiresAt: Math.min(t.expiresAt ?? now, now) };
  return withDeadlines(t, known, ends);
}
