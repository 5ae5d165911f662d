import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../core/errors.js';
import { DAY, HOUR } from '../core/clock.js';
import { JSON_HEADERS, T0, formOf, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';
import { errorFixture } from '../../test/helpers/fixtures.js';
import { classify, descriptor, provider } from './tiktok.js';
import type { TokenSet } from './types.js';

// RFC 7636 Appendix B verifier; TikTok wants the same SHA-256 written as hex.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const HEX_CHALLENGE = Buffer.from('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'base64url').toString('hex');
const REDIRECT = 'http://127.0.0.1:53111/callback/';

let kit: ProviderKit;
beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'tt-key', clientSecret: 'tt-secret-123' });
});
afterEach(() => kit.done());
const api = () => kit.agent.get('https://open.tiktokapis.com');
const TT = (name: string) => errorFixture('tiktok', name);
const held = (over: Partial<TokenSet> = {}): TokenSet => ({
  accessToken: 'act.old', refreshToken: 'rft.old', expiresAt: T0 + HOUR, refreshExpiresAt: T0 + 100 * DAY, scopes: ['user.info.basic', 'video.publish'], obtainedAt: T0 - HOUR, ...over,
});
async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('tiktok authorize URL', () => {
  it('uses client_key, comma scopes and a hex S256 challenge', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 'st-1', codeVerifier: VERIFIER, scopes: ['user.info.basic', 'video.publish'] }, kit.d);
    expect(u.origin + u.pathname).toBe('https://www.tiktok.com/v2/auth/authorize/');
    expect(u.searchParams.get('client_key')).toBe('tt-key');
    expect(u.searchParams.get('client_id')).toBeNull();
    expect(u.searchParams.get('scope')).toBe('user.info.basic,video.publish');
    expect(u.searchParams.get('code_challenge')).toBe(HEX_CHALLENGE);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(descriptor.redirect.port).toBe('any');
  });
});

describe('tiktok tokens', () => {
  it('exchanges the code with client_key + client_secret in the body; lifetimes from the response (2026: 2 h / 180 d)', async () => {
    let sent: URLSearchParams | undefined;
    api()
      .intercept({ path: '/v2/oauth/token/', method: 'POST', body: (b) => ((sent = formOf(b)), true) })
      .reply(200, { open_id: 'oid-1', scope: 'user.info.basic,video.publish', access_token: 'act.A', expires_in: 7200, refresh_token: 'rft.A', refresh_expires_in: 15_552_000, token_type: 'Bearer' }, JSON_HEADERS);
    const t = await provider.exchangeCode({ code: 'c-1', redirectUri: REDIRECT, codeVerifier: VERIFIER, callbackParams: { scopes: 'user.info.basic' } }, kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ client_key: 'tt-key', client_secret: 'tt-secret-123', code: 'c-1', grant_type: 'authorization_code', redirect_uri: REDIRECT, code_verifier: VERIFIER });
    expect(t).toMatchObject({ accessToken: 'act.A', refreshToken: 'rft.A', expiresAt: T0 + 2 * HOUR, refreshExpiresAt: T0 + 180 * DAY, scopes: ['user.info.basic', 'video.publish'], obtainedAt: T0 });
    expect(t.refreshExpiresEstimated).toBeUndefined();
  });

  it('tracks the legacy 24 h / 365 d lifetimes when that is what the response says; falls back to callback scopes', async () => {
    api().intercept({ path: '/v2/oauth/token/', method: 'POST' }).reply(200, { access_token: 'act.L', expires_in: 86_400, refresh_token: 'rft.L', refresh_expires_in: 31_536_000 }, JSON_HEADERS);
    const t = await provider.exchangeCode({ code: 'c', redirectUri: REDIRECT, codeVerifier: VERIFIER, callbackParams: { scopes: 'user.info.basic,video.upload' } }, kit.d);
    expect(t).toMatchObject({ expiresAt: T0 + DAY, refreshExpiresAt: T0 + 365 * DAY, scopes: ['user.info.basic', 'video.upload'] });
  });

  it('refresh rotates: stores the new refresh token and its new deadline', async () => {
    let sent: URLSearchParams | undefined;
    api()
      .intercept({ path: '/v2/oauth/token/', method: 'POST', body: (b) => ((sent = formOf(b)), true) })
      .reply(200, { access_token: 'act.new', expires_in: 7200, refresh_token: 'rft.new', refresh_expires_in: 1000, scope: 'user.info.basic,video.publish' }, JSON_HEADERS);
    const t = await provider.refresh(held(), kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ client_key: 'tt-key', client_secret: 'tt-secret-123', grant_type: 'refresh_token', refresh_token: 'rft.old' });
    expect(t).toMatchObject({ accessToken: 'act.new', refreshToken: 'rft.new', refreshExpiresAt: T0 + 1_000_000 });
  });

  it('an error under HTTP 200 at the token endpoint is still an error (invalid_grant -> reconnect)', async () => {
    const f = TT('refresh-token-invalid-http-200');
    api().intercept({ path: '/v2/oauth/token/', method: 'POST' }).reply(f.status, f.body as object, JSON_HEADERS);
    const e = await rejection(provider.refresh(held(), kit.d));
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', platformCode: 'invalid_grant' });
    expect(e.message).not.toContain('rft.old');
  });

  it('a rejected refresh past the known deadline says "refresh token expired"', async () => {
    api().intercept({ path: '/v2/oauth/token/', method: 'POST' }).reply(400, { error: 'invalid_grant', error_description: 'expired' }, JSON_HEADERS);
    const e = await rejection(provider.refresh(held({ refreshExpiresAt: T0 - 1 }), kit.d));
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason: 'refresh_token_expired' });
  });

  it('network errors and timeouts are transient', async () => {
    api().intercept({ path: '/v2/oauth/token/', method: 'POST' }).replyWithError(new Error('ECONNRESET'));
    expect(await rejection(provider.refresh(held(), kit.d))).toMatchObject({ errorClass: 'transient' });
    api().intercept({ path: '/v2/oauth/token/', method: 'POST' }).reply(200, {}, JSON_HEADERS).delay(500);
    const slow = { ...kit.d, http: { ...kit.d.http, fetch: (u: string | URL, i = {}) => kit.d.http.fetch(u, { ...i, timeoutMs: 50 }) } };
    expect(await rejection(provider.refresh(held(), slow))).toMatchObject({ errorClass: 'transient' });
  });
});

describe('tiktok who-am-I and revoke', () => {
  it('reads open_id and display_name with a Bearer token', async () => {
    api()
      .intercept({ path: '/v2/user/info/?fields=open_id%2Cunion_id%2Cavatar_url%2Cdisplay_name', method: 'GET', headers: { authorization: 'Bearer act.old' } })
      .reply(200, { data: { user: { open_id: 'oid-9', union_id: 'u-9', display_name: 'Alice' } }, error: { code: 'ok', message: '', log_id: 'L' } }, JSON_HEADERS);
    expect(await provider.whoami(held(), kit.d)).toEqual({ id: 'oid-9', displayName: 'Alice', meta: { unionId: 'u-9' } });
  });

  it('HTTP 200 with error.code access_token_invalid -> reconnect_needed', async () => {
    const f = TT('access-token-invalid-http-200');
    api().intercept({ path: /\/v2\/user\/info\//, method: 'GET' }).reply(f.status, f.body as object, JSON_HEADERS);
    expect(await rejection(provider.whoami(held(), kit.d))).toMatchObject({ errorClass: 'reconnect_needed', reason: 'token_expired', platformCode: 'access_token_invalid' });
  });

  it('revokes the access token with client credentials in the body', async () => {
    let sent: URLSearchParams | undefined;
    api().intercept({ path: '/v2/oauth/revoke/', method: 'POST', body: (b) => ((sent = formOf(b)), true) }).reply(200, {}, JSON_HEADERS);
    await provider.revoke!(held(), kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ client_key: 'tt-key', client_secret: 'tt-secret-123', token: 'act.old' });
  });
});

describe('tiktok classification (docs/platforms/tiktok.md#errors)', () => {
  const H = (h: Record<string, string> = {}) => new Headers(h);
  it.each([
    ['refresh', 'refresh-token-invalid', 'reconnect_needed'],
    ['code', 'code-expired', 'invalid_request'],
    ['code', 'code-verifier-invalid', 'invalid_request'],
    ['code', 'client-invalid', 'permission'],
    ['code', 'client-unauthorized', 'permission'],
    ['code', 'scope-invalid', 'permission'],
    ['refresh', 'token-server-error', 'transient'],
    ['refresh', 'token-temporarily-unavailable-http-200', 'transient'],
    ['api', 'access-token-invalid', 'reconnect_needed'],
    ['api', 'scope-not-authorized', 'permission'],
    ['api', 'unaudited-client', 'permission'],
    ['api', 'url-ownership-unverified', 'permission'],
    ['api', 'privacy-level-option-mismatch', 'permission'],
    ['api', 'spam-risk-user-banned', 'permission'],
    ['api', 'rate-limit-exceeded', 'rate_limited'],
    ['api', 'spam-risk-too-many-posts', 'rate_limited'],
    ['api', 'reached-active-user-cap', 'rate_limited'],
    ['api', 'spam-risk-too-many-pending-share', 'rate_limited'],
    ['api', 'invalid-param', 'invalid_request'],
    ['api', 'internal-error', 'transient'],
  ] as const)('%s: %s -> %s', (context, name, cls) => {
    expect(classify(TT(name).status, TT(name).body, H(), { now: T0, context }).errorClass).toBe(cls);
  });

  it('a 502 without a body is transient', () => {
    expect(classify(502, undefined, H(), { now: T0, context: 'api' }).errorClass).toBe('transient');
  });

  it('429 carries the Retry-After delay', () => {
    const e = classify(429, TT('rate-limit-exceeded').body, H({ 'retry-after': '30' }), { now: T0, context: 'api' });
    expect(e.retryAfterMs).toBe(30_000);
  });
});
