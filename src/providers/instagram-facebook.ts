/**
 * Instagram API with Facebook Login: an Instagram professional account linked to a Facebook Page.
 * Chosen with `socialync app set instagram --login facebook` (config apps.instagram.login).
 * Facts: docs/platforms/instagram.md (the Facebook Login variant), which "behaves
 * like the Facebook column" (§2.2):
 * - Login is Facebook's manual flow: www.facebook.com/v{N}/dialog/oauth, code -> short-lived user
 *   token -> long-lived user token (fb_exchange_token, about 60 days).
 *   https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login
 * - Publishing takes the person's User access token ("All requests must include the app user's User
 *   access token", Content Publishing guide), not a Page token, so the user token's expiry is the
 *   reconnect deadline. Exchanging a long-lived token again is not documented: `refresh` only checks
 *   the token with debug_token and records its real deadlines (expires_at, data_access_expires_at),
 *   as facebook-tokens.ts does (docs/platforms/instagram.md#oauth).
 * - The IG user id is the Page's `instagram_business_account` (GET /me/accounts with that field).
 * - Everything runs on graph.facebook.com; resumable Reels go to rupload.facebook.com.
 * The Facebook steps themselves live in facebook.ts; this file only points them at this variant's
 * hosts, names "instagram" in errors, and adds the Page -> Instagram account choice.
 *
 * Host names differ from the Instagram Login ones on purpose, so an override for one variant never
 * reroutes the other: SOCIALYNC_INSTAGRAM_FACEBOOK_WWW_URL, SOCIALYNC_INSTAGRAM_FACEBOOK_GRAPH_URL,
 * SOCIALYNC_INSTAGRAM_RUPLOAD_URL (or config endpoints.instagram.facebook_graph, ...).
 */
import { ProviderError, UsageError } from '../core/errors.js';
import * as fb from './facebook.js';
import { classifyGraphError, graphCall, str, type Classification } from './graph.js';
import type { InstagramLogin } from './registry.js';
import type { AccountInfo, AuthorizeInput, CodeInput, Provider, ProviderDeps, ProviderDescriptor, TokenSet } from './types.js';

export const descriptor: ProviderDescriptor = {
  id: 'instagram',
  displayName: 'Instagram (Facebook Login)',
  hosts: {
    facebook_www: 'https://www.facebook.com',
    facebook_graph: 'https://graph.facebook.com',
    rupload: 'https://rupload.facebook.com',
  },
  // https://developers.facebook.com/docs/instagram-platform/content-publishing#requirements
  scopes: [
    { scope: 'instagram_basic', why: 'reading the Instagram account', required: true },
    { scope: 'instagram_content_publish', why: 'publishing posts and reels', required: true },
    { scope: 'pages_show_list', why: 'finding the Page your Instagram account is linked to', required: true },
    { scope: 'pages_read_engagement', why: 'reading the linked Page (needed to publish)', required: true },
  ],
  scopeSeparator: ',',
  // Facebook's redirect rules (§2.2), not Instagram Login's https rule: strict exact match, port
  // included; http by default (`app set instagram --https` for a live app that enforces HTTPS).
  redirect: { port: 8741, path: '/callback', https: false, host: '127.0.0.1' },
  pkce: 'none',
  clientSecret: 'required',
  // No refresh grant: debug_token checks and the platform's deadlines (docs/platforms/facebook.md#tokens).
  refresh: { kind: 'check', rotates: false, thresholdMinutes: 15 * 24 * 60 },
  apiVersion: 'v25.0',
};

/** Needed too when the Page role comes through Business Manager (`app set instagram --business-manager`). */
const BUSINESS_SCOPE = 'business_management';

export const classifyInstagramFacebookError = (status: number, body: unknown): Classification => classifyGraphError(status, body);

/** The Graph origin the Instagram publisher uses: graph.facebook.com for this variant. */
export function igGraphOrigin(d: ProviderDeps): string {
  return d.hosts.facebook_graph ?? (d.hosts.graph as string);
}

/**
 * Facebook Login: the resumable Reel upload goes to the configured rupload host
 * (https://rupload.facebook.com/ig-api-upload/v{N}/{container-id}), never to a host named in a
 * response, since it carries the token. Undefined for Instagram Login (the container's `uri`).
 */
export function igUploadUrl(d: ProviderDeps, containerId: string): string | undefined {
  if (!d.hosts.rupload) return undefined;
  return `${d.hosts.rupload}/ig-api-upload/${d.apiVersion ?? (descriptor.apiVersion as string)}/${encodeURIComponent(containerId)}`;
}

const LOGIN_NAME: Record<InstagramLogin, string> = { instagram: 'Instagram Login', facebook: 'Facebook Login' };

/**
 * Tokens of one Instagram login are useless through the other (other hosts, other token kind):
 * after `app set instagram --login ...` changed, say so instead of sending them to the wrong API.
 */
export function assertLogin(t: TokenSet, want: InstagramLogin): void {
  const have: InstagramLogin = t.extra?.login === 'facebook' ? 'facebook' : 'instagram';
  if (have === want) return;
  throw new UsageError(
    `instagram: this connection was made with ${LOGIN_NAME[have]}, but the instagram app is set to ${LOGIN_NAME[want]}`,
    `run: socialync app set instagram --login ${have}, or reconnect: socialync connect instagram`,
  );
}

/** The same deps with this variant's hosts under the names facebook.ts expects. */
function fbDeps(d: ProviderDeps): ProviderDeps {
  return { ...d, hosts: { www: d.hosts.facebook_www as string, graph: d.hosts.facebook_graph as string } };
}

export interface LinkedPage {
  pageId: string;
  pageName: string;
  /** The Page's instagram_business_account, when one is linked. */
  igUserId?: string;
  igUsername?: string;
}

const label = (p: LinkedPage) => `@${p.igUsername ?? p.igUserId} (Page ${p.pageName}, ${p.pageId})`;

function buildAuthorizeUrl(i: AuthorizeInput, d: ProviderDeps): URL {
  const scopes = d.app.flags?.businessManager && !i.scopes.includes(BUSINESS_SCOPE) ? [...i.scopes, BUSINESS_SCOPE] : i.scopes;
  return fb.buildAuthorizeUrl({ ...i, scopes }, fbDeps(d));
}

/** The user's Pages with their linked Instagram professional accounts. */
export async function listLinkedPages(t: TokenSet, d: ProviderDeps): Promise<LinkedPage[]> {
  const rows = await fb.pageRecords(t, fbDeps(d), 'id,name,access_token,instagram_business_account{id,username}', 'instagram');
  return rows.map((p) => {
    const pageId = str(p.id) as string;
    const ig = (p.instagram_business_account && typeof p.instagram_business_account === 'object' ? p.instagram_business_account : {}) as Record<string, unknown>;
    const igUserId = str(ig.id);
    const igUsername = str(ig.username);
    return { pageId, pageName: str(p.name) ?? pageId, ...(igUserId ? { igUserId } : {}), ...(igUsername ? { igUsername } : {}) };
  });
}

/**
 * Pure: the Page whose Instagram account to publish as. `choice` (--page) matches a Page id or name,
 * an IG user id or @username. Without a choice there must be exactly one linked account.
 */
export function chooseLinkedPage(pages: LinkedPage[], choice?: string): LinkedPage {
  const hint = 'link it in the Instagram app (Settings > Account type and tools > Connect or create a Facebook Page) or in Meta Business Suite, then run: socialync connect instagram';
  if (!pages.length) {
    throw new UsageError('instagram: this Facebook account manages no Page the app may use (or "pages_show_list" was not granted)', hint);
  }
  const linked = pages.filter((p) => p.igUserId);
  if (!linked.length) {
    throw new UsageError(`instagram: none of your Facebook Pages (${pages.map((p) => p.pageName).join(', ')}) has an Instagram professional account linked`, hint);
  }
  const c = choice?.trim().replace(/^@/, '').toLowerCase();
  if (!c) {
    if (linked.length === 1) return linked[0] as LinkedPage;
    throw new UsageError(`instagram: your Pages link several Instagram accounts: ${linked.map(label).join(', ')}`, 'choose one: socialync connect instagram --page <@username, Page name or id>');
  }
  const found = linked.find((p) => p.pageId === c || p.igUserId === c || p.igUsername?.toLowerCase() === c || p.pageName.toLowerCase() === c);
  if (!found) {
    throw new UsageError(`instagram: no Instagram account "${choice}" among: ${linked.map(label).join(', ')}`, 'run: socialync connect instagram --page <@username, Page name or id>');
  }
  return found;
}

/** The token set bound to `page`'s Instagram account (ids only: the user token does the publishing). */
function withLinkedPage(t: TokenSet, page: LinkedPage): TokenSet {
  const { pageId, pageName, igUserId } = page;
  return { ...t, extra: { ...(t.extra ?? {}), login: 'facebook', pageId, pageName, igUserId: igUserId as string } };
}

async function exchangeCode(i: CodeInput, d: ProviderDeps): Promise<TokenSet> {
  const t = { ...(await fb.exchangeUserCode(i, fbDeps(d), 'instagram')) };
  t.extra = { ...(t.extra ?? {}), login: 'facebook' };
  // Preselects the first linked account, as facebook.ts does with Pages; the login then calls
  // chooseTarget, which applies --page (or asks) and refuses an ambiguous choice.
  const linked = (await listLinkedPages(t, d)).find((p) => p.igUserId);
  return linked ? withLinkedPage(t, linked) : t;
}

async function chooseTarget(t: TokenSet, d: ProviderDeps, choice: string | undefined, ask?: (o: { id: string; label: string }[]) => Promise<string>): Promise<TokenSet> {
  const pages = await listLinkedPages(t, d);
  const linked = pages.filter((p) => p.igUserId);
  if (!choice && linked.length > 1 && ask) choice = await ask(linked.map((p) => ({ id: p.pageId, label: label(p) })));
  return withLinkedPage(t, chooseLinkedPage(pages, choice));
}

async function refresh(t: TokenSet, d: ProviderDeps): Promise<TokenSet> {
  assertLogin(t, 'facebook');
  return fb.checkUserToken(t, fbDeps(d), 'instagram');
}

async function whoami(t: TokenSet, d: ProviderDeps): Promise<AccountInfo> {
  assertLogin(t, 'facebook');
  const fd = fbDeps(d);
  const now = d.clock.now();
  const info = await fb.debugToken(t.accessToken, fd, 'instagram');
  fb.dataAccessLive(info, now, 'instagram');
  const ig = t.extra?.igUserId;
  if (!ig) {
    throw new ProviderError('instagram: no Instagram account is chosen for this Facebook login', { errorClass: 'invalid_request' });
  }
  // Validates the user token against the Instagram account as well as reading its current name.
  const b = await graphCall('instagram', 'account lookup', d.http, fb.graphUrl(fd, `/${encodeURIComponent(ig)}`, { fields: 'id,username,name', access_token: t.accessToken }), {}, now);
  const username = str(b.username);
  const meta: Record<string, string> = { login: 'facebook', igUserId: ig };
  if (t.extra?.pageId) meta.facebookPageId = t.extra.pageId;
  if (t.extra?.pageName) meta.facebookPageName = t.extra.pageName;
  if (info.userId) meta.facebookUserId = info.userId;
  return {
    id: ig,
    ...(username ? { username } : {}),
    displayName: str(b.name) ?? username ?? ig,
    // Only professional accounts can be linked as a Page's instagram_business_account.
    accountType: 'BUSINESS',
    ...(info.dataAccessExpiresAt !== undefined ? { dataAccessExpiresAt: info.dataAccessExpiresAt } : {}),
    meta,
  };
}

/**
 * DELETE /{user-id}/permissions (§2.2): this removes the whole app from the person's Facebook
 * account, so a `facebook` connection made with the same Meta app loses access too.
 */
function revoke(t: TokenSet, d: ProviderDeps): Promise<void> {
  return fb.revoke(t, fbDeps(d), 'instagram');
}

export const provider: Provider = { descriptor, buildAuthorizeUrl, exchangeCode, refresh, whoami, revoke, sharesGrantWith: fb.sharesGrantWith, chooseTarget };
