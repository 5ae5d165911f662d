import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import { classifyInstagramError, descriptor, parseShortLived, provider } from './instagram.js';
import type { ProviderDeps, TokenSet } from './types.js';
import { JSON_HEADERS as JSONH, T0, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';

let kit: ProviderKit;
let d: ProviderDeps;
let agent: ProviderKit['agent'];

beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'ig-app', clientSecret: 'ig-secret-123' });
  kit.d.apiVersion = 'v25.0';
  d = kit.d;
  agent = kit.agent;
});
afterEach(() => kit.done());

const api = () => agent.get('https://api.instagram.com');
const graph = () => agent.get('https://graph.instagram.com');

function token(over: Partial<TokenSet> = {}): TokenSet {
  return { accessToken: 'IGlong-abcdef', expiresAt: T0 + 30 * DAY, refreshExpiresAt: T0 + 30 * DAY, scopes: ['instagram_business_basic'], obtainedAt: T0 - 30 * DAY, ...over };
}

describe('instagram authorize URL', () => {
  it('uses www.instagram.com by default, comma scopes, no PKCE', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: 'https://127.0.0.1:8741/callback', state: 's1', codeVerifier: 'v'.repeat(43), scopes: ['instagram_business_basic', 'instagram_business_content_publish'] }, d);
    expect(u.origin).toBe('https://www.instagram.com');
    expect(u.pathname).toBe('/oauth/authorize');
    expect(u.searchParams.get('scope')).toBe('instagram_business_basic,instagram_business_content_publish');
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('code_challenge')).toBeNull();
  });
  it('follows the configured authorize host (api.instagram.com per the reference page)', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: 'https://127.0.0.1:8741/callback', state: 's', codeVerifier: 'v', scopes: [] }, { ...d, hosts: { ...d.hosts, www: 'https://api.instagram.com' } });
    expect(u.origin).toBe('https://api.instagram.com');
  });
  it('declares an https redirect on a fixed port', () => {
    expect(descriptor.redirect.https).toBe(true);
    expect(typeof descriptor.redirect.port).toBe('number');
    expect(descriptor.pkce).toBe('none');
  });
});

describe('instagram code exchange', () => {
  it('strips #_ from the code, then exchanges short for long-lived (flat response)', async () => {
    api()
      .intercept({ path: '/oauth/access_token', method: 'POST', body: (b) => new URLSearchParams(b).get('code') === 'AQBx' && new URLSearchParams(b).get('client_secret') === 'ig-secret-123' })
      .reply(200, { access_token: 'IGshort-111111', user_id: 17841400000000001, permissions: 'instagram_business_basic,instagram_business_content_publish' }, JSONH);
    graph()
      .intercept({ path: (p) => p.startsWith('/access_token?') && p.includes('grant_type=ig_exchange_token') && p.includes('access_token=IGshort-111111'), method: 'GET' })
      .reply(200, { access_token: 'IGlong-222222', token_type: 'bearer', expires_in: 5183944 }, JSONH);
    const t = await provider.exchangeCode({ code: 'AQBx#_', redirectUri: 'https://127.0.0.1:8741/callback', codeVerifier: '', callbackParams: {} }, d);
    expect(t.accessToken).toBe('IGlong-222222');
    expect(t.expiresAt).toBe(T0 + 5183944 * 1000);
    expect(t.refreshExpiresAt).toBe(t.expiresAt);
    expect(t.refreshToken).toBeUndefined();
    expect(t.scopes).toEqual(['instagram_business_basic', 'instagram_business_content_publish']);
    expect(t.obtainedAt).toBe(T0);
  });
  it('assumes the requested scopes when the flat response has no permissions field', async () => {
    api().intercept({ path: '/oauth/access_token', method: 'POST' }).reply(200, { access_token: 'IGshort-333333', user_id: 17841400000000002 }, JSONH);
    graph().intercept({ path: (p) => p.startsWith('/access_token?'), method: 'GET' }).reply(200, { access_token: 'IGlong-444444', token_type: 'bearer', expires_in: 5183944 }, JSONH);
    const t = await provider.exchangeCode({ code: 'AQBy', redirectUri: 'https://127.0.0.1:8741/callback', codeVerifier: '', callbackParams: {} }, d);
    expect(t.scopes).toEqual(descriptor.scopes.map((s) => s.scope));
  });
  it('parses the wrapped {data:[...]} response shape too', () => {
    expect(parseShortLived({ data: [{ access_token: 'IGx', user_id: '42', permissions: ['a', 'b'] }] })).toEqual({ accessToken: 'IGx', userId: '42', scopes: ['a', 'b'] });
  });
  it('classifies a rejected code (flat OAuthException body) as invalid_request', async () => {
    api().intercept({ path: '/oauth/access_token', method: 'POST' }).reply(400, { error_type: 'OAuthException', code: 400, error_message: 'Invalid authorization code' }, JSONH);
    const e = await provider.exchangeCode({ code: 'bad', redirectUri: 'https://127.0.0.1:8741/callback', codeVerifier: '', callbackParams: {} }, d).catch((x) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.errorClass).toBe('invalid_request');
    expect(e.message).toContain('Invalid authorization code');
  });
  it('treats a non-JSON 502 from the token endpoint as transient', async () => {
    api().intercept({ path: '/oauth/access_token', method: 'POST' }).reply(502, '<html>Bad Gateway</html>');
    const e = await provider.exchangeCode({ code: 'c', redirectUri: 'https://127.0.0.1:8741/callback', codeVerifier: '', callbackParams: {} }, d).catch((x) => x);
    expect(e.errorClass).toBe('transient');
  });
});

describe('instagram refresh (ig_refresh_token)', () => {
  it('refreshes a token at least 24 h old with a GET, 60 days from now', async () => {
    graph()
      .intercept({ path: (p) => p.startsWith('/refresh_access_token?') && p.includes('grant_type=ig_refresh_token') && p.includes('access_token=IGlong-abcdef'), method: 'GET' })
      .reply(200, { access_token: 'IGlong-new', token_type: 'bearer', expires_in: 5184000 }, JSONH);
    const t = await provider.refresh(token(), d);
    expect(t.accessToken).toBe('IGlong-new');
    expect(t.expiresAt).toBe(T0 + 5184000 * 1000);
    expect(t.obtainedAt).toBe(T0);
    expect(t.scopes).toEqual(['instagram_business_basic']);
  });
  it('skips a token younger than 24 h: only checks it is alive, returns it unchanged', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v25.0/me?'), method: 'GET' }).reply(200, { user_id: '1', username: 'a' }, JSONH);
    const t = token({ obtainedAt: T0 - 23 * HOUR });
    expect(await provider.refresh(t, d)).toBe(t);
  });
  it('a young token that was revoked is reported as such instead of skipped', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v25.0/me?'), method: 'GET' }).reply(400, { error: { message: 'Error validating access token: The user has not authorized application 123.', type: 'OAuthException', code: 190, error_subcode: 458 } }, JSONH);
    const e = await provider.refresh(token({ obtainedAt: T0 - HOUR }), d).catch((x) => x);
    expect(e.reason).toBe('app_removed');
  });
  it('refuses an expired token: reconnect_needed, token_expired, no network call', async () => {
    const e = await provider.refresh(token({ expiresAt: T0 - 1 }), d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('token_expired');
  });
  it('maps the password-change 190/460 answer to reconnect_needed (password_changed)', async () => {
    graph().intercept({ path: (p) => p.startsWith('/refresh_access_token?'), method: 'GET' }).reply(400, {
      error: { message: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.', type: 'OAuthException', code: 190, error_subcode: 460, fbtrace_id: 'AbC' },
    }, JSONH);
    const e = await provider.refresh(token(), d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('password_changed');
    expect(e.platformCode).toBe('190/460');
  });
});

describe('instagram who-am-I and account types', () => {
  it('reads /v25.0/me with the professional account id', async () => {
    graph()
      .intercept({ path: (p) => p.startsWith('/v25.0/me?') && p.includes('fields=user_id%2Cusername%2Cname%2Caccount_type'), method: 'GET' })
      .reply(200, { id: '7000', user_id: '17841400000000001', username: 'alice.shop', name: 'Alice', account_type: 'BUSINESS' }, JSONH);
    const a = await provider.whoami(token(), d);
    expect(a).toMatchObject({ id: '17841400000000001', username: 'alice.shop', displayName: 'Alice', accountType: 'BUSINESS', meta: { igUserId: '17841400000000001' } });
    expect(provider.unsupportedAccount?.(a)).toBeUndefined();
  });
  it('explains a personal account: switch to professional, then reconnect', () => {
    const msg = provider.unsupportedAccount?.({ id: '1', username: 'carol', displayName: 'Carol', accountType: 'PERSONAL' });
    expect(msg).toMatch(/personal account/);
    expect(msg).toMatch(/professional account/);
    expect(msg).toMatch(/Switch to professional account.*then reconnect/);
  });
  it('has no revoke (no API exists)', () => {
    expect(provider.revoke).toBeUndefined();
  });
});

describe('classifyInstagramError', () => {
  const cases: [number, unknown, string, string?][] = [
    [400, { error: { message: 'Error validating access token: Session has expired on Thursday, 26-Nov-26 04:00:00 PST.', type: 'OAuthException', code: 190, error_subcode: 463 } }, 'reconnect_needed', 'token_expired'],
    [400, { error: { message: 'Error validating access token: The user has not authorized application 123.', type: 'OAuthException', code: 190, error_subcode: 458 } }, 'reconnect_needed', 'app_removed'],
    [400, { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } }, 'reconnect_needed', 'unknown'],
    [400, { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4 } }, 'rate_limited'],
    [400, { error: { message: 'The user has reached the daily publishing limit', type: 'OAuthException', code: 9, error_subcode: 2207042 } }, 'rate_limited'],
    [400, { error: { message: 'User request limit reached', code: 17 } }, 'rate_limited'],
    [400, { error: { message: 'Application does not have permission for this action', type: 'OAuthException', code: 10 } }, 'permission'],
    [403, { error: { message: '(#200) Requires instagram_business_content_publish permission', code: 200 } }, 'permission'],
    [400, { error: { message: 'The aspect ratio is not supported.', code: 36003, error_subcode: 2207009 } }, 'invalid_request'],
    [500, { error: { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } }, 'transient'],
    [503, undefined, 'transient'],
  ];
  it.each(cases)('HTTP %i %j -> %s', (status, body, cls, reason) => {
    const c = classifyInstagramError(status, body);
    expect(c.errorClass).toBe(cls);
    if (reason) expect(c.reason).toBe(reason);
  });
});
