/**
 * Facebook Pages through Facebook Login ("manual flow").
 * Rules: docs/platforms/facebook.md.
 * - https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow (dialog, code exchange)
 * - Tokens and their deadlines: facebook-tokens.ts (docs/platforms/facebook.md#tokens).
 * The Graph version is configuration (descriptor.apiVersion, SOCIALYNC_FACEBOOK_API_VERSION,
 * config apiVersions.facebook): versions are retired over time.
 *
 * Which Page: the tool publishes as one Page per connection. exchangeCode preselects the first
 * Page /me/accounts lists. When a user manages several, the connect command lets them choose:
 *   const pages = await listPages(tokens, d);                 // [{ id, name, tasks }, ...]
 *   tokens = withPage(tokens, choosePage(pages, opts.page));  // --page <id|name>, or a prompt's answer
 *   const account = await provider.whoami(tokens, d);         // meta.pageId / meta.pageName
 * The Page token goes into TokenSet.extra.pageAccessToken (secret store), the Page id/name into
 * AccountInfo.meta (pageId, pageName; userId, userName). AccountInfo.id is the person's user id.
 * Page posts use the Page token, which has no expiry when taken with a long-lived user token
 * (https://developers.facebook.com/docs/pages/access-tokens); the user token (about 60 days, not
 * renewable without a login) is still needed for local video uploads (facebook-video.ts).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError, UsageError } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';
import { classifyGraphError, graphCall, str, type Classification } from './graph.js';
import { checkPageTokens, checkUserToken, DEFAULT_GRAPH_VERSION, graphUrl, userTokenExpired, debugToken, dataAccessLive, exchangeUserCode, type DebugInfo } from './facebook-tokens.js';
import type { AccountInfo, AuthorizeInput, CodeInput, GrantHolder, PlatformId, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export { checkUserToken, dataAccessLive, debugToken, exchangeUserCode, graphUrl, type DebugInfo } from './facebook-tokens.js';

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
  // No refresh grant: refresh checks the tokens with debug_token and records the platform's
  // deadlines (docs/platforms/facebook.md#tokens); checks start 15 days before the user token ends.
  refresh: { kind: 'check', rotates: false, thresholdMinutes: 15 * 24 * 60 },
  apiVersion: DEFAULT_GRAPH_VERSION,
};

export interface FacebookPage {
  id: string;
  name: string;
  /** Page access token (secret). */
  accessToken: string;
  tasks: string[];
}

export const classifyFacebookError = (status: number, body: unknown): Classification => classifyGraphError(status, body);

export function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  const u = hostUrl(d.hosts.www, `/${d.apiVersion ?? DEFAULT_GRAPH_VERSION}/dialog/oauth`);
  u.searchParams.set('client_id', d.app.clientId);
  u.searchParams.set('redirect_uri', i.redirectUri);
  u.searchParams.set('state', i.state);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', i.scopes.join(','));
  return u;
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

/** No new token: the Page token (or, without a Page, the user token) is checked and its deadlines recorded. */
async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  const pageToken = t.extra?.pageAccessToken;
  return pageToken ? checkPageTokens(t, pageToken, d) : checkUserToken(t, d);
}

interface Person {
  id: string;
  name: string;
  dataAccessExpiresAt?: number;
}

/** The person behind the user token: debug_token (validity, data access) and GET /me. */
async function personOf(t: TokenSet, d: ProviderDeps, now: number): Promise<Person> {
  const info = await debugToken(t.accessToken, d);
  dataAccessLive(info, now);
  const me = await graphCall('facebook', 'account lookup', d.http, graphUrl(d, '/me', { fields: 'id,name', access_token: t.accessToken }), {}, now);
  const id = str(me.id) ?? info.userId;
  if (!id) throw new ProviderError('facebook: the account lookup returned no id', { errorClass: 'transient' });
  return { id, name: str(me.name) ?? id, ...(info.dataAccessExpiresAt !== undefined ? { dataAccessExpiresAt: info.dataAccessExpiresAt } : {}) };
}

/** The Page behind the Page token: debug_token (validity, data access) and GET /{page-id}. */
async function pageOf(pageId: string, pageToken: string, t: TokenSet, d: ProviderDeps, now: number): Promise<{ name: string; info: DebugInfo }> {
  const info = await debugToken(pageToken, d);
  dataAccessLive(info, now);
  const page = await graphCall('facebook', 'page lookup', d.http, graphUrl(d, `/${encodeURIComponent(pageId)}`, { fields: 'id,name', access_token: pageToken }), {}, now);
  return { name: str(page.name) ?? t.extra?.pageName ?? pageId, info };
}

/**
 * Who-am-I, also the live check before each post. With a Page, the Page token is what publishes, so it
 * is checked; the user token is checked while it lives, and after it has expired the person is the one
 * recorded at connect time (Page posts do not need the user token).
 */
async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  const now = d.clock.now();
  const pageId = t.extra?.pageId;
  const pageToken = t.extra?.pageAccessToken;
  const page = pageId && pageToken ? await pageOf(pageId, pageToken, t, d, now) : undefined;
  const recorded = page && (page.info.userId ?? t.extra?.userId);
  const person: Person = page && recorded && userTokenExpired(t, now) ? { id: recorded, name: t.extra?.userName ?? recorded } : await personOf(t, d, now);
  const meta: Record<string, string> = { userId: person.id, userName: person.name };
  if (page && pageId) {
    meta.pageId = pageId;
    meta.pageName = page.name;
  }
  const dataAccessExpiresAt = page?.info.dataAccessExpiresAt ?? person.dataAccessExpiresAt;
  // The person is the account (reconnect identity); the Page they publish to is in meta. A second
  // Page of the same person is a second connection: socialync connect facebook --name <n> --page <p>.
  return { id: person.id, displayName: person.name, ...(dataAccessExpiresAt !== undefined ? { dataAccessExpiresAt } : {}), meta };
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
