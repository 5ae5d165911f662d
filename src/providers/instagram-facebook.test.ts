import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { chooseLinkedPage, classifyInstagramFacebookError, descriptor, igUploadUrl, listLinkedPages, provider, type LinkedPage } from './instagram-facebook.js';
import type { ProviderDeps, TokenSet } from './types.js';
import { JSON_HEADERS as JSONH, T0, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';

const S = (ms: number) => Math.floor(ms / 1000);
const REDIRECT = 'http://127.0.0.1:8741/callback';
let kit: ProviderKit;
let d: ProviderDeps;

beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'meta-app', clientSecret: 'meta-secret-123' });
  kit.d.apiVersion = 'v24.0';
  d = kit.d;
});
afterEach(() => kit.done());

const graph = () => kit.agent.get('https://graph.facebook.com');
const q = (p: string) => new URL(p, 'https://x').searchParams;
const PAGE_FIELDS = 'id,name,access_token,instagram_business_account{id,username}';
const bakery = { id: '101', name: 'Alice Bakery', access_token: 'EAApage101', instagram_business_account: { id: '17841101', username: 'alice.bakery' } };
const books = { id: '102', name: 'Alice Books', access_token: 'EAApage102', instagram_business_account: { id: '17841102', username: 'alice.books' } };
const plain = { id: '103', name: 'Alice Club', access_token: 'EAApage103' };

function accounts(token: string, data: unknown[]) {
  graph()
    .intercept({ path: (p) => p.startsWith('/v24.0/me/accounts?') && q(p).get('access_token') === token && q(p).get('fields') === PAGE_FIELDS })
    .reply(200, { data }, JSONH);
}

function debugOk(token: string, over: Record<string, unknown> = {}) {
  graph()
    .intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') && q(p).get('input_token') === token && q(p).get('access_token') === 'meta-app|meta-secret-123' })
    .reply(200, { data: { is_valid: true, user_id: '9001', expires_at: S(T0 + 60 * DAY), data_access_expires_at: S(T0 + 50 * DAY), scopes: ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'], ...over } }, JSONH);
}

function token(over: Partial<TokenSet> = {}): TokenSet {
  return { accessToken: 'EAAlong-1', expiresAt: T0 + 20 * DAY, scopes: ['instagram_basic'], obtainedAt: T0 - 40 * DAY, extra: { userId: '9001', login: 'facebook', pageId: '102', pageName: 'Alice Books', igUserId: '17841102' }, ...over };
}

const linked = (rows: Record<string, unknown>[]): LinkedPage[] =>
  rows.map((r) => {
    const ig = r.instagram_business_account as { id: string; username: string } | undefined;
    return { pageId: String(r.id), pageName: String(r.name), ...(ig ? { igUserId: ig.id, igUsername: ig.username } : {}) };
  });

describe('instagram (facebook login) authorize URL', () => {
  it("is Facebook's dialog with the Instagram-via-Page scopes, comma-separated, on the configured version", () => {
    const scopes = descriptor.scopes.map((s) => s.scope);
    const u = provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 'st', codeVerifier: 'v', scopes }, d);
    expect(u.origin + u.pathname).toBe('https://www.facebook.com/v24.0/dialog/oauth');
    expect(u.searchParams.get('scope')).toBe('instagram_basic,instagram_content_publish,pages_show_list,pages_read_engagement');
    expect(u.searchParams.get('client_id')).toBe('meta-app');
    expect(u.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(u.searchParams.get('code_challenge')).toBeNull();
  });
  it('adds business_management when the Page role comes through Business Manager', () => {
    d.app.flags = { businessManager: true };
    const u = provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 'st', codeVerifier: 'v', scopes: ['instagram_basic'] }, d);
    expect(u.searchParams.get('scope')).toBe('instagram_basic,business_management');
  });
  it('uses http on a fixed port (Facebook redirect rules), not Instagram Login https', () => {
    expect(descriptor.redirect).toMatchObject({ https: false, port: 8741 });
    expect(descriptor.refresh.kind).toBe('check');
  });
});

describe('instagram (facebook login) code exchange', () => {
  it('code -> short -> long-lived user token, deadline from data access, the linked IG account preselected', async () => {
    graph()
      .intercept({ path: (p) => p.startsWith('/v24.0/oauth/access_token?') && q(p).get('code') === 'AQDcode' && q(p).get('redirect_uri') === REDIRECT && q(p).get('client_secret') === 'meta-secret-123' })
      .reply(200, { access_token: 'EAAshort-1', token_type: 'bearer', expires_in: 5400 }, JSONH);
    graph()
      .intercept({ path: (p) => p.startsWith('/v24.0/oauth/access_token?') && q(p).get('grant_type') === 'fb_exchange_token' && q(p).get('fb_exchange_token') === 'EAAshort-1' })
      .reply(200, { access_token: 'EAAlong-1', token_type: 'bearer', expires_in: 5183944 }, JSONH);
    debugOk('EAAlong-1');
    accounts('EAAlong-1', [plain, books]);
    const t = await provider.exchangeCode({ code: 'AQDcode#_', redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, d);
    expect(t.accessToken).toBe('EAAlong-1');
    expect(t.refreshToken).toBeUndefined();
    // Both deadlines as debug_token reports them: the user token's expiry and the end of data access.
    expect(t.expiresAt).toBe(S(T0 + 60 * DAY) * 1000);
    expect(t.refreshExpiresAt).toBe(S(T0 + 50 * DAY) * 1000);
    expect(t.extra).toEqual({ userId: '9001', login: 'facebook', pageId: '102', pageName: 'Alice Books', igUserId: '17841102' });
    expect(JSON.stringify(t.extra)).not.toContain('EAApage');
  });
  it('a bad client secret is invalid_request, named for instagram, not a reconnect', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/oauth/access_token?') }).reply(400, { error: { message: 'Error validating client secret.', type: 'OAuthException', code: 1 } }, JSONH);
    const e = await provider.exchangeCode({ code: 'c', redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, d).catch((x) => x);
    expect(e.errorClass).toBe('invalid_request');
    expect(e.message).toMatch(/^instagram: code exchange failed/);
  });
});

describe('instagram (facebook login) Page choice', () => {
  it('reads each Page and its instagram_business_account', async () => {
    accounts('EAAlong-1', [bakery, plain]);
    expect(await listLinkedPages(token(), d)).toEqual([
      { pageId: '101', pageName: 'Alice Bakery', igUserId: '17841101', igUsername: 'alice.bakery' },
      { pageId: '103', pageName: 'Alice Club' },
    ]);
  });
  it('one linked account is chosen without --page; pages without an IG account are ignored', () => {
    expect(chooseLinkedPage(linked([plain, books])).igUserId).toBe('17841102');
  });
  it('--page matches @username, IG id, Page id or Page name', () => {
    const ps = linked([bakery, books]);
    expect(chooseLinkedPage(ps, '@alice.books').pageId).toBe('102');
    expect(chooseLinkedPage(ps, '17841101').pageId).toBe('101');
    expect(chooseLinkedPage(ps, '102').pageId).toBe('102');
    expect(chooseLinkedPage(ps, 'ALICE BAKERY').pageId).toBe('101');
  });
  it('several linked accounts and no --page: one line listing them, and the flag to use', () => {
    let e: UsageError | undefined;
    try {
      chooseLinkedPage(linked([bakery, books]));
    } catch (x) {
      e = x as UsageError;
    }
    expect(e).toBeInstanceOf(UsageError);
    expect(e!.message).toBe('instagram: your Pages link several Instagram accounts: @alice.bakery (Page Alice Bakery, 101), @alice.books (Page Alice Books, 102)');
    expect(e!.message).not.toContain('\n');
    expect(e!.hint).toContain('socialync connect instagram --page');
  });
  it('an unknown --page lists the choices', () => {
    expect(() => chooseLinkedPage(linked([bakery, books]), 'nope')).toThrow(/no Instagram account "nope" among: @alice\.bakery .*@alice\.books/);
  });
  it('explains when no Page has an Instagram professional account linked, or there is no Page', () => {
    expect(() => chooseLinkedPage(linked([plain]))).toThrow('instagram: none of your Facebook Pages (Alice Club) has an Instagram professional account linked');
    expect(() => chooseLinkedPage([])).toThrow(/manages no Page/);
  });
  it('chooseTarget asks when it can, else needs --page', async () => {
    accounts('EAAlong-1', [bakery, books]);
    const asked: string[] = [];
    const t = await provider.chooseTarget!(token({ extra: { userId: '9001' } }), d, undefined, async (o) => (asked.push(...o.map((x) => x.label)), '101'));
    expect(asked).toEqual(['@alice.bakery (Page Alice Bakery, 101)', '@alice.books (Page Alice Books, 102)']);
    expect(t.extra).toMatchObject({ igUserId: '17841101', pageId: '101' });
    accounts('EAAlong-1', [bakery, books]);
    await expect(provider.chooseTarget!(token(), d, undefined)).rejects.toThrow(/several Instagram accounts/);
  });
});

describe('instagram (facebook login) refresh and who-am-I', () => {
  it('checks the user token (publishing needs it, not a Page token): same token, debug_token deadlines, no exchange', async () => {
    debugOk('EAAlong-1', { expires_at: S(T0 + 12 * DAY), data_access_expires_at: S(T0 + 40 * DAY) });
    const t = await provider.refresh(token(), d);
    expect(t).toMatchObject({ accessToken: 'EAAlong-1', expiresAt: S(T0 + 12 * DAY) * 1000, refreshExpiresAt: S(T0 + 40 * DAY) * 1000, refreshExpiresEstimated: false });
    expect(t.extra).toMatchObject({ igUserId: '17841102', pageId: '102' });
  });
  it('an expired user token (debug_token 190/463): reconnect_needed token_expired, named for instagram', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') }).reply(200, {
      data: { app_id: 'meta-app', type: 'USER', is_valid: false, scopes: [], error: { code: 190, subcode: 463, message: 'Error validating access token: Session has expired on Friday, 01-Jan-27 10:00:00 PST.' } },
    }, JSONH);
    const e = await provider.refresh(token({ expiresAt: T0 - 1 }), d).catch((x) => x);
    expect([e.errorClass, e.reason]).toEqual(['reconnect_needed', 'token_expired']);
    expect(e.message).toMatch(/^instagram:/);
  });
  it('who-am-I is the Instagram account (id, @username), with the Page in meta and the data-access expiry', async () => {
    debugOk('EAAlong-1');
    graph().intercept({ path: (p) => p.startsWith('/v24.0/17841102?') && q(p).get('access_token') === 'EAAlong-1' }).reply(200, { id: '17841102', username: 'alice.books', name: 'Alice Books' }, JSONH);
    const a = await provider.whoami(token(), d);
    expect(a).toMatchObject({ id: '17841102', username: 'alice.books', displayName: 'Alice Books', dataAccessExpiresAt: S(T0 + 50 * DAY) * 1000 });
    expect(a.meta).toEqual({ login: 'facebook', igUserId: '17841102', facebookPageId: '102', facebookPageName: 'Alice Books', facebookUserId: '9001' });
  });
  it('data access expired (90 days without activity): reconnect_needed inactive', async () => {
    debugOk('EAAlong-1', { data_access_expires_at: S(T0 - DAY) });
    const e = await provider.whoami(token(), d).catch((x) => x);
    expect([e.errorClass, e.reason]).toEqual(['reconnect_needed', 'inactive']);
  });
  it('a missing instagram_basic permission (#10) is permission, not a reconnect', async () => {
    debugOk('EAAlong-1');
    graph().intercept({ path: (p) => p.startsWith('/v24.0/17841102?') }).reply(403, { error: { message: '(#10) Application does not have permission for this action', type: 'OAuthException', code: 10 } }, JSONH);
    expect((await provider.whoami(token(), d).catch((x) => x)).errorClass).toBe('permission');
  });
  it('revoke DELETEs /{user-id}/permissions', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/9001/permissions?') && q(p).get('access_token') === 'EAAlong-1', method: 'DELETE' }).reply(200, { success: true }, JSONH);
    await provider.revoke!(token(), d);
  });
});

describe('instagram: a connection made with the other login', () => {
  it('is refused with the command that fixes it, before any network call', async () => {
    const ig = await import('./instagram.js');
    const igLogin: TokenSet = { accessToken: 'IGQlong', expiresAt: T0 + 20 * DAY, scopes: [], obtainedAt: T0 - 30 * DAY, extra: { userId: '1784' } };
    await expect(provider.refresh(igLogin, d)).rejects.toThrow('instagram: this connection was made with Instagram Login, but the instagram app is set to Facebook Login');
    const e = await ig.provider.whoami(token(), d).catch((x) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('instagram: this connection was made with Facebook Login, but the instagram app is set to Instagram Login');
    expect(e.hint).toBe('run: socialync app set instagram --login facebook, or reconnect: socialync connect instagram');
  });
});

describe('instagram (facebook login) hosts', () => {
  it('resumable Reels upload to the configured rupload host', () => {
    expect(igUploadUrl(d, '9876')).toBe('https://rupload.facebook.com/ig-api-upload/v24.0/9876');
    expect(igUploadUrl({ ...d, hosts: { graph: 'https://graph.instagram.com' } }, '9876')).toBeUndefined();
  });
});

describe('classifyInstagramFacebookError', () => {
  const cases: [number, unknown, string, string?][] = [
    [400, { error: { message: 'Error validating access token: The session has been invalidated because the user changed their password', type: 'OAuthException', code: 190, error_subcode: 460 } }, 'reconnect_needed', 'password_changed'],
    [400, { error: { message: 'Error validating access token: The user has not authorized application 1234.', code: 190, error_subcode: 458 } }, 'reconnect_needed', 'app_removed'],
    [400, { error: { message: 'Application request limit reached', code: 9, error_subcode: 2207042 } }, 'rate_limited'],
    [400, { error: { message: '(#4) Application request limit reached', code: 4 } }, 'rate_limited'],
    [403, { error: { message: '(#200) Requires Page Publishing Authorization', code: 200 } }, 'permission'],
    [400, { error: { message: 'The media could not be fetched from this uri', code: 9004, error_subcode: 2207052 } }, 'invalid_request'],
    [400, { error: { message: 'Only photo or video can be accepted as media type.', code: 9004, error_subcode: 2207026 } }, 'invalid_request'],
    [503, undefined, 'transient'],
  ];
  it.each(cases)('HTTP %i %j -> %s', (status, body, cls, reason) => {
    const c = classifyInstagramFacebookError(status, body);
    expect(c.errorClass).toBe(cls);
    if (reason) expect(c.reason).toBe(reason);
  });
});
