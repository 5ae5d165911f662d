import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../core/clock.js';
import { choosePage, classifyFacebookError, descriptor, listPages, provider, withPage } from './facebook.js';
import type { ProviderDeps, TokenSet } from './types.js';
import { JSON_HEADERS as JSONH, T0, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';

const S = (ms: number) => Math.floor(ms / 1000);
let kit: ProviderKit;
let d: ProviderDeps;
let agent: ProviderKit['agent'];

beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'fb-app', clientSecret: 'fb-secret-123' });
  kit.d.apiVersion = 'v24.0';
  d = kit.d;
  agent = kit.agent;
});
afterEach(() => kit.done());

const graph = () => agent.get('https://graph.facebook.com');
const q = (p: string) => new URL(p, 'https://x').searchParams;
const pages = [
  { id: '101', name: 'Alice Bakery', access_token: 'EAApage101', tasks: ['CREATE_CONTENT', 'MANAGE'] },
  { id: '102', name: 'Alice Books', access_token: 'EAApage102', tasks: ['CREATE_CONTENT'] },
];

function debugOk(token: string, over: Record<string, unknown> = {}) {
  graph()
    .intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') && q(p).get('input_token') === token && q(p).get('access_token') === 'fb-app|fb-secret-123' })
    .reply(200, { data: { app_id: 'fb-app', type: 'USER', is_valid: true, user_id: '9001', expires_at: S(T0 + 60 * DAY), data_access_expires_at: S(T0 + 90 * DAY), scopes: ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement', 'public_profile'], ...over } }, JSONH);
}

function token(over: Partial<TokenSet> = {}): TokenSet {
  return { accessToken: 'EAAlong-1', expiresAt: T0 + 20 * DAY, scopes: ['pages_manage_posts'], obtainedAt: T0 - 40 * DAY, extra: { userId: '9001', pageId: '102', pageName: 'Alice Books', pageAccessToken: 'EAApage102-old' }, ...over };
}

describe('facebook authorize URL', () => {
  it('uses the configured Graph version and comma scopes', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: 'http://127.0.0.1:8742/callback', state: 'st', codeVerifier: 'v', scopes: ['pages_show_list', 'pages_manage_posts'] }, d);
    expect(u.toString()).toMatch(/^https:\/\/www\.facebook\.com\/v24\.0\/dialog\/oauth\?/);
    expect(u.searchParams.get('scope')).toBe('pages_show_list,pages_manage_posts');
    expect(u.searchParams.get('client_id')).toBe('fb-app');
    expect(descriptor.apiVersion).toMatch(/^v\d+\.\d$/);
  });
});

describe('facebook code exchange', () => {
  it('exchanges code -> short -> long-lived, reads scopes and data-access expiry, preselects the first Page', async () => {
    graph()
      .intercept({ path: (p) => p.startsWith('/v24.0/oauth/access_token?') && q(p).get('code') === 'AQDcode' && q(p).get('redirect_uri') === 'http://127.0.0.1:8742/callback' })
      .reply(200, { access_token: 'EAAshort-1', token_type: 'bearer', expires_in: 5400 }, JSONH);
    graph()
      .intercept({ path: (p) => p.startsWith('/v24.0/oauth/access_token?') && q(p).get('grant_type') === 'fb_exchange_token' && q(p).get('fb_exchange_token') === 'EAAshort-1' })
      .reply(200, { access_token: 'EAAlong-1', token_type: 'bearer', expires_in: 5183944 }, JSONH);
    debugOk('EAAlong-1');
    graph().intercept({ path: (p) => p.startsWith('/v24.0/me/accounts?') && q(p).get('access_token') === 'EAAlong-1' }).reply(200, { data: pages, paging: { cursors: { before: 'a', after: 'b' } } }, JSONH);
    const t = await provider.exchangeCode({ code: 'AQDcode#_', redirectUri: 'http://127.0.0.1:8742/callback', codeVerifier: '', callbackParams: {} }, d);
    expect(t.accessToken).toBe('EAAlong-1');
    // Deadlines from debug_token, not from expires_in: user token expiry and end of data access.
    expect(t.expiresAt).toBe(S(T0 + 60 * DAY) * 1000);
    expect(t.refreshExpiresAt).toBe(S(T0 + 90 * DAY) * 1000);
    expect(t.refreshExpiresEstimated).toBe(false);
    expect(t.scopes).toContain('pages_manage_posts');
    expect(t.extra).toEqual({ userId: '9001', pageId: '101', pageName: 'Alice Bakery', pageAccessToken: 'EAApage101' });
  });
});

describe('facebook Page choice', () => {
  it('lists Pages and picks one by id or by name', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/me/accounts?') }).reply(200, { data: pages }, JSONH);
    const list = await listPages(token(), d);
    expect(list.map((p) => p.id)).toEqual(['101', '102']);
    expect(choosePage(list, '102').name).toBe('Alice Books');
    expect(choosePage(list, 'alice books').id).toBe('102');
    expect(choosePage(list).id).toBe('101');
    expect(withPage(token(), choosePage(list, '102')).extra?.pageAccessToken).toBe('EAApage102');
  });
  it('names the Pages and the --page flag when the choice matches none', () => {
    const list = pages.map((p) => ({ id: p.id, name: p.name, accessToken: p.access_token, tasks: p.tasks }));
    expect(() => choosePage(list, 'Nope')).toThrow(/Alice Bakery \(101\), Alice Books \(102\)/);
    expect(() => choosePage([], undefined)).toThrow(/no Facebook Page/);
  });
});

/** debug_token answering for an invalid token: HTTP 200, is_valid false, the reason in error.subcode. */
function debugInvalid(token: string, code: number, subcode: number | undefined, message: string) {
  graph()
    .intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') && q(p).get('input_token') === token })
    .reply(200, { data: { app_id: 'fb-app', type: 'USER', is_valid: false, user_id: '9001', scopes: [], error: { code, message, ...(subcode !== undefined ? { subcode } : {}) } } }, JSONH);
}

describe('facebook refresh: a debug_token check, never a re-exchange (docs/platforms/facebook.md#tokens)', () => {
  it('declares the check kind', () => {
    expect(descriptor.refresh.kind).toBe('check');
  });
  it('keeps both tokens and records the deadlines debug_token reports (Page token: no expiry)', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0, data_access_expires_at: S(T0 + 77 * DAY) });
    debugOk('EAAlong-1', { expires_at: S(T0 + 19 * DAY), data_access_expires_at: S(T0 + 77 * DAY) });
    const t = await provider.refresh(token(), d);
    expect(t).toMatchObject({ accessToken: 'EAAlong-1', expiresAt: S(T0 + 19 * DAY) * 1000, refreshExpiresAt: S(T0 + 77 * DAY) * 1000, refreshExpiresEstimated: false, obtainedAt: T0 - 40 * DAY });
    expect(t.extra).toMatchObject({ pageId: '102', pageAccessToken: 'EAApage102-old' });
  });
  it('a Page token that does expire (taken with a short-lived user token) makes its expiry the deadline', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: S(T0 + 2 * DAY) });
    debugOk('EAAlong-1');
    expect((await provider.refresh(token(), d)).refreshExpiresAt).toBe(S(T0 + 2 * DAY) * 1000);
  });
  it('an expired user token (190/463) does not stop Page posts: recorded as expired, Page deadline kept', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0 });
    debugInvalid('EAAlong-1', 190, 463, 'Error validating access token: Session has expired on Friday, 01-Jan-27 10:00:00 PST.');
    const t = await provider.refresh(token(), d);
    expect(t.expiresAt).toBe(T0);
    expect(t.refreshExpiresAt).toBe(S(T0 + 90 * DAY) * 1000);
  });
  it('once the user token is known to be expired, only the Page token is checked', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0 });
    const t = await provider.refresh(token({ expiresAt: T0 - DAY }), d);
    expect(t.expiresAt).toBe(T0 - DAY);
  });
  it('without a Page, the user token is checked: valid -> its deadlines', async () => {
    debugOk('EAAlong-1');
    const t = await provider.refresh(token({ extra: { userId: '9001' } }), d);
    expect(t).toMatchObject({ accessToken: 'EAAlong-1', expiresAt: S(T0 + 60 * DAY) * 1000, refreshExpiresAt: S(T0 + 90 * DAY) * 1000 });
  });
  const invalid: [string, number, number | undefined, string, string][] = [
    ['password changed', 190, 460, 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', 'password_changed'],
    ['app removed', 190, 458, 'Error validating access token: The user has not authorized application fb-app.', 'app_removed'],
    ['checkpoint', 190, 459, 'Error validating access token: The user is enrolled in a blocking, logged-in checkpoint', 'platform_revoked'],
    ['expired', 190, 463, 'Error validating access token: Session has expired on Friday, 01-Jan-27 10:00:00 PST.', 'token_expired'],
    ['no subcode', 190, undefined, 'Invalid OAuth access token - Cannot parse access token', 'unknown'],
  ];
  it.each(invalid)('an invalid Page token (%s, %i/%s) -> reconnect_needed %s', async (_what, code, subcode, message, reason) => {
    debugInvalid('EAApage102-old', code, subcode, message);
    const e = await provider.refresh(token(), d).catch((x) => x);
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason, platformCode: subcode === undefined ? '190' : `190/${subcode}` });
  });
  it('a user token invalidated by a password change is a reconnect too (not "expired")', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0 });
    debugInvalid('EAAlong-1', 190, 460, 'Error validating access token: The session has been invalidated because the user changed their password.');
    expect(await provider.refresh(token(), d).catch((x) => x.reason)).toBe('password_changed');
  });
  it('data access over (data_access_expires_at passed) -> reconnect_needed inactive', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0, data_access_expires_at: S(T0 - 1000) });
    expect(await provider.refresh(token(), d).catch((x) => x.reason)).toBe('inactive');
  });
  it('a 5xx from debug_token is transient (the connection stays healthy)', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') }).reply(503, 'busy');
    expect(await provider.refresh(token(), d).catch((x) => x.errorClass)).toBe('transient');
  });
});

describe('facebook who-am-I', () => {
  it('validates with debug_token, reads the user and the Page, reports data-access expiry', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0 });
    debugOk('EAAlong-1');
    graph().intercept({ path: (p) => p.startsWith('/v24.0/me?') && q(p).get('fields') === 'id,name' }).reply(200, { id: '9001', name: 'Alice Example' }, JSONH);
    graph().intercept({ path: (p) => p.startsWith('/v24.0/102?') && q(p).get('access_token') === 'EAApage102-old' }).reply(200, { id: '102', name: 'Alice Books' }, JSONH);
    const a = await provider.whoami(token(), d);
    expect(a).toMatchObject({ id: '9001', displayName: 'Alice Example', dataAccessExpiresAt: S(T0 + 90 * DAY) * 1000, meta: { pageId: '102', pageName: 'Alice Books', userName: 'Alice Example' } });
    expect(provider.unsupportedAccount?.(a)).toBeUndefined();
  });
  it('after the user token expired, checks only the Page token (Page posts do not need the user token)', async () => {
    debugOk('EAApage102-old', { type: 'PAGE', expires_at: 0 });
    graph().intercept({ path: (p) => p.startsWith('/v24.0/102?') && q(p).get('access_token') === 'EAApage102-old' }).reply(200, { id: '102', name: 'Alice Books' }, JSONH);
    const a = await provider.whoami(token({ expiresAt: T0 - DAY }), d);
    expect(a).toMatchObject({ id: '9001', meta: { pageId: '102', pageName: 'Alice Books', userId: '9001' } });
  });
  it('an invalid token reported by debug_token (app removed, 458) -> reconnect_needed app_removed', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') }).reply(200, {
      data: { app_id: 'fb-app', is_valid: false, user_id: '9001', error: { code: 190, message: 'Error validating access token: The user has not authorized application fb-app.', subcode: 458 }, scopes: [] },
    }, JSONH);
    const e = await provider.whoami(token(), d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('app_removed');
  });
  it('passed data-access expiry -> reconnect_needed inactive', async () => {
    debugOk('EAApage102-old', { data_access_expires_at: S(T0 - DAY) });
    const e = await provider.whoami(token(), d).catch((x) => x);
    expect(e.reason).toBe('inactive');
  });
  it('explains an account with no Page', () => {
    expect(provider.unsupportedAccount?.({ id: '9001', displayName: 'Alice', meta: {} })).toMatch(/no Page/);
  });
});

describe('facebook revoke', () => {
  it('DELETEs /{user-id}/permissions', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/9001/permissions?') && q(p).get('access_token') === 'EAAlong-1', method: 'DELETE' }).reply(200, { success: true }, JSONH);
    await provider.revoke?.(token(), d);
  });
});

describe('facebook rate limits', () => {
  it('takes the retry delay from X-Business-Use-Case-Usage when there is no Retry-After', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v24.0/debug_token?') }).reply(400, { error: { message: '(#32) Page request limit reached', type: 'OAuthException', code: 32, fbtrace_id: 'x' } }, {
      headers: { 'content-type': 'application/json', 'x-business-use-case-usage': JSON.stringify({ '101': [{ type: 'pages', call_count: 100, total_cputime: 30, total_time: 40, estimated_time_to_regain_access: 12 }] }) },
    });
    const e = await provider.whoami(token(), d).catch((x) => x);
    expect(e.errorClass).toBe('rate_limited');
    expect(e.retryAfterMs).toBe(12 * 60_000);
  });
});

describe('classifyFacebookError', () => {
  const cases: [number, unknown, string, string?][] = [
    [400, { error: { message: 'Error validating access token: Session has expired on Tuesday, 24-Nov-26 10:00:00 PST. The current time is Thursday, 26-Nov-26 04:00:00 PST.', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'x' } }, 'reconnect_needed', 'token_expired'],
    [400, { error: { message: 'Error validating access token: The user has not authorized application 1234.', type: 'OAuthException', code: 190, error_subcode: 458 } }, 'reconnect_needed', 'app_removed'],
    [400, { error: { message: 'Error validating access token: The user is enrolled in a blocking, logged-in checkpoint', type: 'OAuthException', code: 190, error_subcode: 459 } }, 'reconnect_needed', 'platform_revoked'],
    [400, { error: { message: 'The access token is invalid since the user hasn\'t engaged the app in longer than 90 days.', type: 'OAuthException', code: 190, error_subcode: 468 } }, 'reconnect_needed', 'inactive'],
    [400, { error: { message: 'Error validating access token: The session is invalid because the user logged out.', type: 'OAuthException', code: 190, error_subcode: 467 } }, 'reconnect_needed', 'unknown'],
    [400, { error: { message: 'Session key invalid or no longer valid', code: 102 } }, 'reconnect_needed'],
    [400, { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 } }, 'rate_limited'],
    [400, { error: { message: '(#341) Feed action request limit reached', code: 341 } }, 'rate_limited'],
    [400, { error: { message: 'You are posting too fast', code: 368, error_subcode: 1390008 } }, 'rate_limited'],
    [400, { error: { message: 'It looks like you were misusing this feature by going too fast.', code: 368 } }, 'permission'],
    [403, { error: { message: '(#200) The user hasn\'t authorized the application to perform this action', type: 'OAuthException', code: 200 } }, 'permission'],
    [400, { error: { message: '(#10) This endpoint requires the \'pages_read_engagement\' permission', code: 10 } }, 'permission'],
    [400, { error: { message: 'Duplicate status message', type: 'OAuthException', code: 506 } }, 'invalid_request'],
    [500, { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 } }, 'transient'],
    [502, undefined, 'transient'],
    [400, { error: { message: 'Error validating client secret.', type: 'OAuthException', code: 1, fbtrace_id: 'x' } }, 'invalid_request'],
  ];
  it.each(cases)('HTTP %i %j -> %s', (status, body, cls, reason) => {
    const c = classifyFacebookError(status, body);
    expect(c.errorClass).toBe(cls);
    if (reason) expect(c.reason).toBe(reason);
  });
});
