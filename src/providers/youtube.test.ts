import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../core/errors.js';
import { DAY, HOUR } from '../core/clock.js';
import { JSON_HEADERS, T0, formOf, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';
import { errorFixture } from '../../test/helpers/fixtures.js';
import { classify, descriptor, provider } from './youtube.js';
import type { TokenSet } from './types.js';

const V = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const REDIRECT = 'http://127.0.0.1:49152/';
const SCOPES = descriptor.scopes.map((s) => s.scope);

let kit: ProviderKit;
beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'yt-id.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret' });
});
afterEach(() => kit.done());
const oauth2 = () => kit.agent.get('https://oauth2.googleapis.com');
const YT = (name: string) => errorFixture('youtube', name);
const held = (over: Partial<TokenSet> = {}): TokenSet => ({
  accessToken: 'ya29.old', refreshToken: '1//keep-me', expiresAt: T0 + 10 * 60_000, refreshExpiresAt: T0 + 90 * DAY, refreshExpiresEstimated: true, scopes: SCOPES, obtainedAt: T0 - HOUR, ...over,
});
async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}
const tokenReply = (body: object, sink?: (f: URLSearchParams) => void) =>
  oauth2().intercept({ path: '/token', method: 'POST', body: (b) => (sink?.(formOf(b)), true) }).reply(200, body, JSON_HEADERS);

describe('youtube authorize URL', () => {
  it('space scopes, base64url S256, any loopback port', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 's', codeVerifier: V, scopes: SCOPES }, kit.d);
    expect(u.origin + u.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(u.searchParams.get('client_id')).toBe('yt-id.apps.googleusercontent.com');
    expect(u.searchParams.get('scope')).toBe(SCOPES.join(' '));
    expect(u.searchParams.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(descriptor.redirect.port).toBe('any');
  });
});

describe('youtube tokens', () => {
  it('exchanges the code (client_id + secret in the body); production apps get a ~6-month estimate', async () => {
    let sent: URLSearchParams | undefined;
    tokenReply({ access_token: 'ya29.A', expires_in: 3920, refresh_token: '1//R', scope: SCOPES.join(' '), token_type: 'Bearer' }, (f) => (sent = f));
    const t = await provider.exchangeCode({ code: '4/0c', redirectUri: REDIRECT, codeVerifier: V, callbackParams: {} }, kit.d);
    expect(Object.fromEntries(sent!)).toEqual({ client_id: 'yt-id.apps.googleusercontent.com', client_secret: 'GOCSPX-secret', code: '4/0c', code_verifier: V, grant_type: 'authorization_code', redirect_uri: REDIRECT });
    expect(t).toMatchObject({ accessToken: 'ya29.A', refreshToken: '1//R', expiresAt: T0 + 3920_000, refreshExpiresAt: T0 + 180 * DAY, refreshExpiresEstimated: true, scopes: SCOPES });
  });

  it('Testing-status apps: 7-day refresh deadline from the app flag, or from refresh_token_expires_in', async () => {
    kit.d.app.flags = { testing: true };
    tokenReply({ access_token: 'ya29.A', expires_in: 3599, refresh_token: '1//R', scope: SCOPES.join(' ') });
    const t = await provider.exchangeCode({ code: 'c', redirectUri: REDIRECT, codeVerifier: V, callbackParams: {} }, kit.d);
    expect(t.refreshExpiresAt).toBe(T0 + 7 * DAY);
    expect(t.refreshExpiresEstimated).toBeUndefined();
    kit.d.app.flags = {};
    tokenReply({ access_token: 'ya29.B', expires_in: 3599, refresh_token: '1//S', refresh_token_expires_in: 604_799, scope: SCOPES.join(' ') });
    const t2 = await provider.exchangeCode({ code: 'c2', redirectUri: REDIRECT, codeVerifier: V, callbackParams: {} }, kit.d);
    expect(t2.refreshExpiresAt).toBe(T0 + 604_799_000);
  });

  it('refresh: no refresh_token in the response keeps the stored one (never replaced by empty)', async () => {
    let sent: URLSearchParams | undefined;
    tokenReply({ access_token: 'ya29.new', expires_in: 3599, scope: SCOPES.join(' '), token_type: 'Bearer' }, (f) => (sent = f));
    kit.now = T0 + 5 * DAY;
    const t = await provider.refresh(held(), kit.d);
    expect(sent!.get('grant_type')).toBe('refresh_token');
    expect(sent!.get('refresh_token')).toBe('1//keep-me');
    expect(t.refreshToken).toBe('1//keep-me');
    expect(t.accessToken).toBe('ya29.new');
    // "6 months unused": using it restarts the estimate.
    expect(t).toMatchObject({ refreshExpiresAt: kit.now + 180 * DAY, refreshExpiresEstimated: true });
  });

  it('refresh in Testing keeps the fixed 7-day deadline', async () => {
    kit.d.app.flags = { testing: true };
    tokenReply({ access_token: 'ya29.new', expires_in: 3599 });
    kit.now = T0 + 2 * DAY;
    const t = await provider.refresh(held({ refreshExpiresAt: T0 + 7 * DAY, refreshExpiresEstimated: false }), kit.d);
    expect(t.refreshExpiresAt).toBe(T0 + 7 * DAY);
  });

  it('invalid_grant at refresh -> reconnect_needed; network failure -> transient', async () => {
    oauth2().intercept({ path: '/token', method: 'POST' }).reply(YT('refresh-token-invalid').status, YT('refresh-token-invalid').body as object, JSON_HEADERS);
    expect(await rejection(provider.refresh(held(), kit.d))).toMatchObject({ errorClass: 'reconnect_needed', platformCode: 'invalid_grant' });
    oauth2().intercept({ path: '/token', method: 'POST' }).replyWithError(new Error('getaddrinfo ENOTFOUND'));
    expect(await rejection(provider.refresh(held(), kit.d))).toMatchObject({ errorClass: 'transient' });
  });
});

describe('youtube who-am-I and revoke', () => {
  it('reads the channel; an account without a channel is explained', async () => {
    const api = kit.agent.get('https://www.googleapis.com');
    api.intercept({ path: '/youtube/v3/channels?part=snippet&mine=true', method: 'GET', headers: { authorization: 'Bearer ya29.old' } })
      .reply(200, { items: [{ id: 'UC123', snippet: { title: 'Alice Films', customUrl: '@alicefilms' } }] }, JSON_HEADERS);
    expect(await provider.whoami(held(), kit.d)).toEqual({ id: 'UC123', displayName: 'Alice Films', username: 'alicefilms', accountType: 'CHANNEL' });
    api.intercept({ path: '/youtube/v3/channels?part=snippet&mine=true', method: 'GET' }).reply(200, { kind: 'youtube#channelListResponse', items: [] }, JSON_HEADERS);
    const none = await provider.whoami(held(), kit.d);
    expect(provider.unsupportedAccount!(none)).toMatch(/no YouTube channel/);
  });

  it('revokes the refresh token (the whole grant)', async () => {
    let sent: URLSearchParams | undefined;
    oauth2().intercept({ path: '/revoke', method: 'POST', body: (b) => ((sent = formOf(b)), true) }).reply(200, '');
    await provider.revoke!(held(), kit.d);
    expect(sent!.get('token')).toBe('1//keep-me');
  });
});

describe('youtube classification (docs/platforms/youtube.md#errors)', () => {
  const H = (h: Record<string, string> = {}) => new Headers(h);
  it.each([
    ['refresh', 'refresh-token-invalid', 'reconnect_needed'],
    ['code', 'code-invalid', 'invalid_request'],
    ['refresh', 'client-invalid', 'permission'],
    ['refresh', 'client-unauthorized', 'permission'],
    ['refresh', 'admin-policy-enforced', 'permission'],
    ['refresh', 'client-deleted', 'permission'],
    ['api', 'auth-error', 'reconnect_needed'],
    ['api', 'quota-exceeded', 'rate_limited'],
    ['api', 'upload-limit-exceeded', 'rate_limited'],
    ['api', 'insufficient-permissions', 'permission'],
    ['api', 'rate-limit-exceeded', 'rate_limited'],
    ['api', 'backend-error', 'transient'],
    ['api', 'invalid-title', 'invalid_request'],
  ] as const)('%s: %s -> %s', (context, name, cls) => {
    expect(classify(YT(name).status, YT(name).body, H(), { now: T0, context }).errorClass).toBe(cls);
  });
  it('a 503 without a body is transient', () => {
    expect(classify(503, undefined, H(), { now: T0, context: 'api' }).errorClass).toBe('transient');
  });
  it('an API 401 is "token expired" (refresh, then retry)', () => {
    expect(classify(401, YT('auth-error').body, H(), { now: T0, context: 'api' }).reason).toBe('token_expired');
  });
  it('honours Retry-After on 429', () => {
    expect(classify(429, undefined, H({ 'retry-after': '120' }), { now: T0, context: 'api' }).retryAfterMs).toBe(120_000);
  });
});
