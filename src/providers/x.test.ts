import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../core/errors.js';
import { DAY, HOUR } from '../core/clock.js';
import { JSON_HEADERS, T0, formOf, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';
import { errorFixture } from '../../test/helpers/fixtures.js';
import { classify, descriptor, provider } from './x.js';
import type { TokenSet } from './types.js';

const V = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const REDIRECT = 'http://127.0.0.1:8976/callback';
const SCOPES = descriptor.scopes.map((s) => s.scope);
const BASIC = `Basic ${Buffer.from('x-client:x-secret').toString('base64')}`;

let kit: ProviderKit;
beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'x-client', clientSecret: 'x-secret', clientType: 'confidential' });
});
afterEach(() => kit.done());
const api = () => kit.agent.get('https://api.x.com');
const X = (name: string) => errorFixture('x', name);
/** The token endpoint answers with the recorded error `name` (test/fixtures/x). */
const tokenError = (name: string) => api().intercept({ path: '/2/oauth2/token', method: 'POST' }).reply(X(name).status, X(name).body as object, JSON_HEADERS);
const held = (over: Partial<TokenSet> = {}): TokenSet => ({
  accessToken: 'xat-old', refreshToken: 'xrt-old', expiresAt: T0 - 60_000, refreshExpiresAt: T0 + 100 * DAY, refreshExpiresEstimated: true, scopes: SCOPES, obtainedAt: T0 - 2 * HOUR, ...over,
});
async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('x authorize URL', () => {
  it('fixed registered port, space scopes incl. offline.access, S256', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 's', codeVerifier: V, scopes: SCOPES }, kit.d);
    expect(u.origin + u.pathname).toBe('https://x.com/i/oauth2/authorize');
    expect(u.searchParams.get('scope')).toBe('tweet.read users.read tweet.write offline.access media.write');
    expect(u.searchParams.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(u.searchParams.get('redirect_uri')).toBe(REDIRECT);
    expect(descriptor.redirect).toMatchObject({ port: 8976, host: '127.0.0.1', path: '/callback' });
  });
});

describe('x tokens', () => {
  it('confidential client: HTTP Basic on the code exchange; ~6-month refresh deadline marked as estimate', async () => {
    let sent: URLSearchParams | undefined;
    api()
      .intercept({ path: '/2/oauth2/token', method: 'POST', headers: { authorization: BASIC }, body: (b) => ((sent = formOf(b)), true) })
      .reply(200, { token_type: 'bearer', expires_in: 7200, access_token: 'xat-1', scope: SCOPES.join(' '), refresh_token: 'xrt-1' }, JSON_HEADERS);
    const t = await provider.exchangeCode({ code: 'xc', redirectUri: REDIRECT, codeVerifier: V, callbackParams: {} }, kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ code: 'xc', grant_type: 'authorization_code', redirect_uri: REDIRECT, code_verifier: V });
    expect(t).toMatchObject({ accessToken: 'xat-1', refreshToken: 'xrt-1', expiresAt: T0 + 2 * HOUR, refreshExpiresAt: T0 + 180 * DAY, refreshExpiresEstimated: true });
  });

  it('public client: client_id in the body and no Authorization header', async () => {
    kit.d.app = { clientId: 'x-public', clientType: 'public' };
    let sent: URLSearchParams | undefined;
    let auth: unknown;
    api()
      .intercept({ path: '/2/oauth2/token', method: 'POST', headers: (h) => ((auth = (h as Record<string, string>)['authorization']), true), body: (b) => ((sent = formOf(b)), true) })
      .reply(200, { token_type: 'bearer', expires_in: 7200, access_token: 'xat-1', scope: 'tweet.read', refresh_token: 'xrt-1' }, JSON_HEADERS);
    await provider.exchangeCode({ code: 'xc', redirectUri: REDIRECT, codeVerifier: V, callbackParams: {} }, kit.d);
    expect(sent!.get('client_id')).toBe('x-public');
    expect(auth).toBeUndefined();
  });

  it('refresh rotates (new single-use token, new estimate) even when the access token already lapsed', async () => {
    let sent: URLSearchParams | undefined;
    api()
      .intercept({ path: '/2/oauth2/token', method: 'POST', headers: { authorization: BASIC }, body: (b) => ((sent = formOf(b)), true) })
      .reply(200, { token_type: 'bearer', expires_in: 7200, access_token: 'xat-2', scope: SCOPES.join(' '), refresh_token: 'xrt-2' }, JSON_HEADERS);
    const t = await provider.refresh(held(), kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'xrt-old' });
    expect(t).toMatchObject({ accessToken: 'xat-2', refreshToken: 'xrt-2', refreshExpiresAt: T0 + 180 * DAY, refreshExpiresEstimated: true });
  });

  it('a dead refresh token (invalid_request) -> reconnect_needed; a missing Basic header -> permission', async () => {
    tokenError('refresh-token-invalid');
    expect(await rejection(provider.refresh(held(), kit.d))).toMatchObject({ errorClass: 'reconnect_needed', platformCode: 'invalid_request' });
    tokenError('missing-basic-auth');
    expect(await rejection(provider.refresh(held(), kit.d))).toMatchObject({ errorClass: 'permission' });
  });

  it('without offline.access there is nothing to refresh: reconnect with the scope', async () => {
    const e = await rejection(provider.refresh(held({ refreshToken: undefined, scopes: ['tweet.read', 'users.read'] }), kit.d));
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason: 'scope_missing' });
  });

  it('a 30-second-old code is invalid_request (restart the login), not a reconnect', async () => {
    tokenError('code-invalid');
    expect(await rejection(provider.exchangeCode({ code: 'old', redirectUri: REDIRECT, codeVerifier: V, callbackParams: {} }, kit.d))).toMatchObject({ errorClass: 'invalid_request' });
  });
});

describe('x who-am-I and revoke', () => {
  it('GET /2/users/me', async () => {
    api().intercept({ path: '/2/users/me', method: 'GET', headers: { authorization: 'Bearer xat-old' } }).reply(200, { data: { id: '2244994945', name: 'Alice', username: 'alice' } }, JSON_HEADERS);
    expect(await provider.whoami(held(), kit.d)).toEqual({ id: '2244994945', displayName: 'Alice', username: 'alice' });
  });
  it('revokes the refresh token with Basic auth', async () => {
    let sent: URLSearchParams | undefined;
    api().intercept({ path: '/2/oauth2/revoke', method: 'POST', headers: { authorization: BASIC }, body: (b) => ((sent = formOf(b)), true) }).reply(200, { revoked: true }, JSON_HEADERS);
    await provider.revoke!(held(), kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ token: 'xrt-old', token_type_hint: 'refresh_token' });
  });
});

describe('x classification (docs/platforms/x.md#errors)', () => {
  const H = (h: Record<string, string> = {}) => new Headers(h);
  it.each([
    ['refresh', 'refresh-token-invalid', 'reconnect_needed'],
    ['refresh', 'refresh-token-invalid-grant', 'reconnect_needed'],
    ['code', 'code-invalid', 'invalid_request'],
    ['refresh', 'missing-basic-auth', 'permission'],
    ['api', 'unauthorized', 'reconnect_needed'],
    ['api', 'client-not-enrolled', 'permission'],
    ['api', 'client-forbidden', 'permission'],
    ['api', 'too-many-requests', 'rate_limited'],
    ['api', 'v1-rate-limit', 'rate_limited'],
    ['api', 'service-unavailable', 'transient'],
    ['api', 'invalid-request', 'invalid_request'],
  ] as const)('%s: %s -> %s', (context, name, cls) => {
    expect(classify(X(name).status, X(name).body, H(), { now: T0, context }).errorClass).toBe(cls);
  });
  it('a 500 without a body is transient', () => {
    expect(classify(500, undefined, H(), { now: T0, context: 'api' }).errorClass).toBe('transient');
  });
  it('429 waits until x-rate-limit-reset (epoch seconds)', () => {
    const e = classify(429, X('too-many-requests').body, H({ 'x-rate-limit-reset': String(T0 / 1000 + 90) }), { now: T0, context: 'api' });
    expect(e.retryAfterMs).toBe(90_000);
  });
});
