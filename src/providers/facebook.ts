/**
 * Facebook Pages through Facebook Login ("manual flow").
 * Rules: docs/platforms/facebook.md.
 * - https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow (dialog, code exchange)
 * - https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived (fb_exchange_token, Page tokens)
 * - https://developers.facebook.com/docs/graph-api/reference/debug_token (validity, scopes, data_access_expires_at)
 * The Graph version is configuration (descriptor.apiVersion, SOCIALYNC_FACEBOOK_API_VERSION,
 * config apiVersions.facebook): versions are retired over time.
 *
 * Which Page: the tool publishes as one Page per connection. exchangeCode preselects the first
 * Page /me/accounts lists. When a user manages several, the connect command lets them choose:
 *   const pages = await listPages(tokens, d);                 // [{ id, name, tasks }, ...]
 *   tokens = withPage(tokens, choosePage(pages, opts.page));  // --page <id|name>, or a prompt's answer
 *   const account = await provider.whoami(tokens, d);         // meta.pageId / meta.pageName
 * The Page token goes into TokenSet.extra.pageAccessToken (secret store), the Page id/name into
 * AccountInfo.meta (pageId, pageName; userId, userName). AccountInfo.id is the person's user id. A Page token taken from a long-lived user token does not expire (community reports).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError, UsageError } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';
import { classifyGraphError, graphCall, graphProviderError, num, parseScopeList, str, stripMetaCodeSuffix, type Classification } from './graph.js';
import type { AccountInfo, AuthorizeInput, CodeInput, GrantHolder, PlatformId, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export const descriptor: ProviderDescriptor = {
  id: 'facebook',
  displayName: 'Facebook Pages',
  hosts: { www: 'https://www.facebook.com', graph: 'https://graph.facebook.com', video: 'https://graph-video.facebook.com' },
  scopes: [
    { scope: 'pages_show_list', why: 'finding the Pages you manage', required: true },
    { scope: 'pages_manage_posts', why: 'publishing posts to the Page', required: true },
    { scope: 'pages_read_engagement', why: 'reading the Page and its posts (needed to publish)', required: true },
    { scope: 'publish_video', why: 'publishing videos', required: false },
  ],
  scopeSeparator: ',',
  // Strict mode: exact registered redirect, port included. Whether http://localhost is exempt from
  // "Enforce HTTPS" DISAGREES (development mode only?); http by default.
  redirect: { port: 8742, path: '/callback', https: false, host: '127.0.0.1' },
  pkce: 'none',
  clientSecret: 'required',
  refresh: { kind: 'fb_exchange', rotates: false, thresholdMinutes: 15 * 24 * 60 },
  apiVersion: 'v25.0',
};

export interface FacebookPage {
  id: string;
  name: string;
  /** Page access token (secret). */
  accessToken: string;
  tasks: string[];
}

export const classifyFacebookError = (status: number, body: unknown): Classification => classifyGraphError(status, body);

const version = (d: ProviderDeps) => d.apiVersion ?? (descriptor.apiVersion as string);

export function graphUrl(d: ProviderDeps, path: string, params: Record<string, string | undefined>): URL {
  const u = hostUrl(d.hosts.graph, `/${version(d)}${path}`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u;
}

export function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  const u = hostUrl(d.hosts.www, `/${version(d)}/dialog/oauth`);
  u.searchParams.set('client_id', d.app.clientId);
  u.searchParams.set('redirect_uri', i.redirectUri);
  u.searchParams.set('state', i.state);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', i.scopes.join(','));
  return u;
}

export interface DebugInfo {
  userId?: string;
  scopes: string[];
  expiresAt?: number;
  dataAccessExpiresAt?: number;
}

/**
 * debug_token with the app token `app_id|app_secret`; an invalid token carries its own 190/subcode.
 * `platform` names the connection in errors (Instagram through Facebook Login uses these helpers too).
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
  const exp = num(data.expires_at);
  const dax = num(data.data_access_expires_at);
  return {
    ...(userId ? { userId } : {}),
    scopes: parseScopeList(data.scopes),
    // 0 means "never expires" in debug_token.
    ...(exp ? { expiresAt: exp * 1000 } : {}),
    ...(dax ? { dataAccessExpiresAt: dax * 1000 } : {}),
  };
}

/** fb_exchange_token: works only while the token is still valid (an expired one cannot be exchanged). */
async function exchangeLongLived(token: string, d: ProviderDeps, platform: PlatformId): Promise<{ accessToken: string; expiresIn?: number }> {
  const b = await graphCall(
    platform,
    'long-lived token exchange',
    d.http,
    graphUrl(d, '/oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: d.app.clientId,
      client_secret: d.app.clientSecret,
      fb_exchange_token: token,
    }),
    {},
    d.clock.now(),
  );
  const accessToken = str(b.access_token);
  if (!accessToken) throw new ProviderError(`${platform}: the token response has no access_token`, { errorClass: 'transient' });
  rememberSecret(accessToken);
  const expiresIn = num(b.expires_in);
  return { accessToken, ...(expiresIn !== undefined ? { expiresIn } : {}) };
}

/**
 * The Pages the user manages as raw Graph objects (GET /me/accounts, paged; bounded), each with
 * an id and a Page token (remembered as a secret). `fields` must include id and access_token.
 */
export async function pageRecords(t: TokenSet, d: ProviderDeps, fields: string, platform: PlatformId = 'facebook'): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let url: URL | undefined = graphUrl(d, '/me/accounts', { fields, limit: '100', access_token: t.accessToken });
  for (let i = 0; url && i < 20; i++) {
    const b = await graphCall(platform, 'page list', d.http, url, {}, d.clock.now());
    for (const p of Array.isArray(b.data) ? (b.data as Record<string, unknown>[]) : []) {
      const accessToken = str(p.access_token);
      if (!str(p.id) || !accessToken) continue;
      rememberSecret(accessToken);
      out.push(p);
    }
    const next = str((b.paging as Record<string, unknown> | undefined)?.next);
    // Follow paging only on the Graph host itself: the URL carries the user token.
    url = next && new URL(next).origin === new URL(d.hosts.graph).origin ? new URL(next) : undefined;
  }
  return out;
}

/** Pages the user manages, with their Page tokens. */
export async function listPages(t: TokenSet, d: ProviderDeps): Promise<FacebookPage[]> {
  return (await pageRecords(t, d, 'id,name,access_token,tasks')).map((p) => {
    const id = str(p.id) as string;
    return { id, name: str(p.name) ?? id, accessToken: str(p.access_token) as string, tasks: Array.isArray(p.tasks) ? p.tasks.map(String) : [] };
  });
}

/** Pure: the Page matching `choice` (id, or name case-insensitively); no choice = the first one. */
export function choosePage(pages: FacebookPage[], choice?: string): FacebookPage {
  if (!pages.length) {
    throw new UsageError('facebook: this account manages no Facebook Page the app may use', 'create a Page (or get a role on one), then run: socialync connect facebook');
  }
  if (choice === undefined || choice === '') return pages[0] as FacebookPage;
  const c = choice.trim().toLowerCase();
  const found = pages.find((p) => p.id === choice.trim()) ?? pages.find((p) => p.name.toLowerCase() === c);
  if (!found) {
    throw new UsageError(
      `facebook: no Page "${choice}" among: ${pages.map((p) => `${p.name} (${p.id})`).join(', ')}`,
      `run: socialync connect facebook --page <id or name>`,
    );
  }
  return found;
}

/** The token set with `page` as the publishing Page. */
export function withPage(t: TokenSet, page: FacebookPage): TokenSet {
  return { ...t, extra: { ...(t.extra ?? {}), pageId: page.id, pageName: page.name, pageAccessToken: page.accessToken } };
}

function tokenSet(accessToken: string, expiresIn: number | undefined, info: DebugInfo, now: number, prev?: TokenSet): TokenSet {
  const expiresAt = expiresIn !== undefined ? now + expiresIn * 1000 : info.expiresAt;
  // No refresh token: the reconnect deadline is whichever comes first of the token's expiry and
  // the 90-day data-access expiry (docs/platforms/facebook.md#tokens).
  const deadlines = [expiresAt, info.dataAccessExpiresAt].filter((x): x is number => x !== undefined);
  const extra = { ...(prev?.extra ?? {}), ...(info.userId ? { userId: info.userId } : {}) };
  return {
    accessToken,
    tokenType: 'bearer',
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(deadlines.length ? { refreshExpiresAt: Math.min(...deadlines) } : {}),
    scopes: info.scopes.length ? info.scopes : (prev?.scopes ?? []),
    obtainedAt: now,
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/** Data access ends 90 days after the user's last activity, whatever the token says: log in again. */
export function dataAccessLive(info: DebugInfo, now: number, platform: PlatformId = 'facebook'): void {
  if (info.dataAccessExpiresAt !== undefined && info.dataAccessExpiresAt <= now) {
    throw new ProviderError(`${platform}: data access expired (90 days without activity)`, { errorClass: 'reconnect_needed', reason: 'inactive' });
  }
}

/** Code -> short-lived user token -> long-lived user token (manual flow), checked with debug_token. */
export async function exchangeUserCode(i: CodeInput, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<TokenSet> {
  const short = await graphCall(
    platform,
    'code exchange',
    d.http,
    graphUrl(d, '/oauth/access_token', {
      client_id: d.app.clientId,
      client_secret: d.app.clientSecret,
      redirect_uri: i.redirectUri,
      code: stripMetaCodeSuffix(i.code),
    }),
    {},
    d.clock.now(),
  );
  const shortToken = str(short.access_token);
  if (!shortToken) throw new ProviderError(`${platform}: the token response has no access_token`, { errorClass: 'transient' });
  rememberSecret(shortToken);
  const long = await exchangeLongLived(shortToken, d, platform);
  const info = await debugToken(long.accessToken, d, platform);
  return tokenSet(long.accessToken, long.expiresIn, info, d.clock.now());
}

/** No refresh grant: re-exchange the still-valid long-lived user token, and check data access. */
export async function reexchangeUserToken(t: TokenSet, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<TokenSet> {
  if (t.expiresAt !== undefined && t.expiresAt <= d.clock.now()) {
    throw new ProviderError(`${platform}: the user token has expired and can no longer be exchanged`, {
      errorClass: 'reconnect_needed',
      reason: 'token_expired',
    });
  }
  const long = await exchangeLongLived(t.accessToken, d, platform);
  const info = await debugToken(long.accessToken, d, platform);
  dataAccessLive(info, d.clock.now(), platform);
  return tokenSet(long.accessToken, long.expiresIn, info, d.clock.now(), t);
}

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const t = await exchangeUserCode(i, d);
  // Without pages_show_list (partial consent) the list is refused or empty: connect still succeeds,
  // and unsupportedAccount plus the granted-scope check explain what is missing.
  const pages = await listPages(t, d).catch((e: unknown) => {
    if (e instanceof ProviderError && e.errorClass === 'permission') return [];
    throw e;
  });
  return pages.length ? withPage(t, choosePage(pages)) : t;
}

async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  const next = await reexchangeUserToken(t, d);
  const pageId = t.extra?.pageId;
  if (!pageId) return next;
  // Refresh the Page token too when we can; the old one (from a long-lived user token) stays valid,
  // so a failure here must not throw away the new user token.
  const page = await listPages(next, d).then((ps) => ps.find((p) => p.id === pageId), () => undefined);
  return page ? withPage(next, page) : next;
}

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  const now = d.clock.now();
  const info = await debugToken(t.accessToken, d);
  dataAccessLive(info, now);
  const me = await graphCall('facebook', 'account lookup', d.http, graphUrl(d, '/me', { fields: 'id,name', access_token: t.accessToken }), {}, now);
  const id = str(me.id) ?? info.userId;
  if (!id) throw new ProviderError('facebook: the account lookup returned no id', { errorClass: 'transient' });
  const userName = str(me.name) ?? id;
  const meta: Record<string, string> = { userId: id, userName };
  const pageId = t.extra?.pageId;
  const pageToken = t.extra?.pageAccessToken;
  if (pageId && pageToken) {
    // Validates the Page token as well as reading the Page's current name.
    const page = await graphCall('facebook', 'page lookup', d.http, graphUrl(d, `/${encodeURIComponent(pageId)}`, { fields: 'id,name', access_token: pageToken }), {}, now);
    meta.pageId = pageId;
    meta.pageName = str(page.name) ?? t.extra?.pageName ?? pageId;
  }
  // The person is the account (reconnect identity); the Page they publish to is in meta. A second
  // Page of the same person is a second connection: socialync connect facebook --name <n> --page <p>.
  return {
    id,
    displayName: userName,
    ...(info.dataAccessExpiresAt !== undefined ? { dataAccessExpiresAt: info.dataAccessExpiresAt } : {}),
    meta,
  };
}

/** A connection without a Page cannot publish anything. */
function unsupportedAccount(a: AccountInfo): string | undefined {
  if (a.meta?.pageId) return undefined;
  return (
    `Facebook account ${a.displayName} manages no Page this app may publish to (or "pages_show_list" was not granted). ` +
    'Create a Page or get a role with "Create content" on one, then reconnect.'
  );
}

/** Full deauthorization: DELETE /{user-id}/permissions (exact doc wording UNCONFIRMED; widely used). */
export async function revoke(t: TokenSet, d: ProviderDeps, platform: PlatformId = 'facebook'): Promise<void> {
  const user = t.extra?.userId ?? 'me';
  await graphCall(platform, 'revoke', d.http, graphUrl(d, `/${encodeURIComponent(user)}/permissions`, { access_token: t.accessToken }), { method: 'DELETE' }, d.clock.now());
}

/** --page, or a question when the user manages several Pages and can be asked; else the first. */
async function chooseTarget(t: TokenSet, d: ProviderDeps, choice: string | undefined, ask?: (o: { id: string; label: string }[]) => Promise<string>): Promise<TokenSet> {
  const pages = await listPages(t, d);
  if (choice === undefined && pages.length > 1 && ask) choice = await ask(pages.map((p) => ({ id: p.id, label: `${p.name} (${p.id})` })));
  return withPage(t, choosePage(pages, choice));
}

/** The Facebook person behind a Meta connection: a Page connection's account, or an Instagram (Facebook Login) one's meta. */
function metaPerson(c: GrantHolder): string | undefined {
  if (c.platform === 'facebook') return c.accountId;
  return c.platform === 'instagram' && c.meta.login === 'facebook' ? c.meta.facebookUserId : undefined;
}

/** Revoking removes the app from the person: all their Page and Instagram (Facebook Login) connections. */
export function sharesGrantWith(c: GrantHolder, all: GrantHolder[]): GrantHolder[] {
  const person = metaPerson(c);
  return person ? all.filter((o) => o.id !== c.id && metaPerson(o) === person) : [];
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami, revoke, sharesGrantWith, unsupportedAccount, chooseTarget };
