import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../core/clock.js';
import { classifyLinkedInError, descriptor, provider, restHeaders, versionSunset } from './linkedin.js';
import { systemClock } from '../core/clock.js';
import type { ProviderDeps, TokenSet } from './types.js';
import { JSON_HEADERS as JSONH, T0, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';
import { errorFixture } from '../../test/helpers/fixtures.js';

let kit: ProviderKit;
let d: ProviderDeps;
let agent: ProviderKit['agent'];

beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'li-app', clientSecret: 'li-secret-123' });
  kit.d.apiVersion = '202609';
  d = kit.d;
  agent = kit.agent;
});
afterEach(() => kit.done());

const www = () => agent.get('https://www.linkedin.com');
const api = () => agent.get('https://api.linkedin.com');
const form = (b: unknown) => new URLSearchParams(String(b));
const LI = (name: string) => errorFixture('linkedin', name);
/** Replies to the next call with the recorded error `name` (test/fixtures/linkedin). */
const recorded = (name: string): [number, object, typeof JSONH] => [LI(name).status, LI(name).body as object, JSONH];
const code = { code: 'AQTcode', redirectUri: 'http://127.0.0.1:8743/callback', codeVerifier: '', callbackParams: {} };

function token(over: Partial<TokenSet> = {}): TokenSet {
  return { accessToken: 'AQVaccess-1', expiresAt: T0 + 20 * DAY, refreshToken: 'AQXrefresh-1', refreshExpiresAt: T0 + 306 * DAY, scopes: ['openid', 'profile', 'w_member_social'], obtainedAt: T0 - 40 * DAY, ...over };
}

describe('linkedin authorize URL', () => {
  it('space-separated scopes, no PKCE, fixed redirect port', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: 'http://127.0.0.1:8743/callback', state: 'st', codeVerifier: 'v'.repeat(43), scopes: ['openid', 'profile', 'w_member_social'] }, d);
    expect(u.origin + u.pathname).toBe('https://www.linkedin.com/oauth/v2/authorization');
    expect(u.searchParams.get('scope')).toBe('openid profile w_member_social');
    expect(u.searchParams.get('code_challenge')).toBeNull();
    expect(typeof descriptor.redirect.port).toBe('number');
  });
});

describe('linkedin code exchange', () => {
  it('sends credentials in the body; an app with programmatic refresh gets a 365-day refresh deadline', async () => {
    www()
      .intercept({ path: '/oauth/v2/accessToken', method: 'POST', body: (b) => form(b).get('client_secret') === 'li-secret-123' && form(b).get('grant_type') === 'authorization_code' && form(b).get('code') === 'AQTcode' })
      .reply(200, { access_token: 'AQVaccess-1', expires_in: 5184000, refresh_token: 'AQXrefresh-1', refresh_token_expires_in: 31536000, scope: 'openid,profile,w_member_social' }, JSONH);
    const t = await provider.exchangeCode(code, d);
    expect(t.expiresAt).toBe(T0 + 60 * DAY);
    expect(t.refreshToken).toBe('AQXrefresh-1');
    expect(t.refreshExpiresAt).toBe(T0 + 365 * DAY);
    expect(t.scopes).toEqual(['openid', 'profile', 'w_member_social']);
  });
  it('without programmatic refresh the reconnect deadline is the access expiry', async () => {
    www().intercept({ path: '/oauth/v2/accessToken', method: 'POST' }).reply(200, { access_token: 'AQVaccess-2', expires_in: 5184000, scope: 'openid profile w_member_social' }, JSONH);
    const t = await provider.exchangeCode(code, d);
    expect(t.refreshToken).toBeUndefined();
    expect(t.refreshExpiresAt).toBe(T0 + 60 * DAY);
  });
  it('an expired or replayed code is invalid_request (not a reconnect)', async () => {
    www().intercept({ path: '/oauth/v2/accessToken', method: 'POST' }).reply(...recorded('code-mismatch-or-expired'));
    const e = await provider.exchangeCode(code, d).catch((x) => x);
    expect(e.errorClass).toBe('invalid_request');
  });
});

describe('linkedin refresh', () => {
  it('keeps the fixed refresh deadline from the response (decreasing refresh_token_expires_in)', async () => {
    www()
      .intercept({ path: '/oauth/v2/accessToken', method: 'POST', body: (b) => form(b).get('grant_type') === 'refresh_token' && form(b).get('refresh_token') === 'AQXrefresh-1' && form(b).get('client_id') === 'li-app' })
      .reply(200, { access_token: 'AQVaccess-3', expires_in: 5184000, refresh_token: 'AQXrefresh-1', refresh_token_expires_in: 306 * 86400 }, JSONH);
    const t = await provider.refresh(token(), d);
    expect(t.accessToken).toBe('AQVaccess-3');
    expect(t.refreshToken).toBe('AQXrefresh-1');
    expect(t.refreshExpiresAt).toBe(T0 + 306 * DAY);
    expect(t.scopes).toEqual(['openid', 'profile', 'w_member_social']);
  });
  it('a dead refresh token (400 invalid_request) -> reconnect_needed', async () => {
    www().intercept({ path: '/oauth/v2/accessToken', method: 'POST' }).reply(...recorded('refresh-token-invalid'));
    const e = await provider.refresh(token(), d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('unknown');
  });
  it('a refresh token past its fixed 365-day deadline is refresh_token_expired, without a call', async () => {
    const e = await provider.refresh(token({ refreshExpiresAt: T0 - 1 }), d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('refresh_token_expired');
  });
  it('without a refresh token: skip while valid (after a who-am-I check), reconnect_needed once expired', async () => {
    api().intercept({ path: '/v2/userinfo', method: 'GET' }).reply(200, { sub: 'abc', name: 'Alice' }, JSONH);
    const t = token({ refreshToken: undefined, refreshExpiresAt: T0 + 20 * DAY });
    expect(await provider.refresh(t, d)).toBe(t);
    const e = await provider.refresh({ ...t, expiresAt: T0 - 1 }, d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('token_expired');
  });
  it('5xx on refresh is transient', async () => {
    www().intercept({ path: '/oauth/v2/accessToken', method: 'POST' }).reply(503, 'upstream unavailable');
    expect((await provider.refresh(token(), d).catch((x) => x)).errorClass).toBe('transient');
  });
});

describe('linkedin who-am-I', () => {
  it('reads /v2/userinfo and builds the author URN', async () => {
    api()
      .intercept({ path: '/v2/userinfo', method: 'GET', headers: { authorization: 'Bearer AQVaccess-1' } })
      .reply(200, { sub: '782bbtaQ', name: 'Alice Example', given_name: 'Alice', family_name: 'Example', locale: { country: 'US', language: 'en' }, email: 'alice@example.com', email_verified: true }, JSONH);
    const a = await provider.whoami(token(), d);
    expect(a).toEqual({ id: '782bbtaQ', displayName: 'Alice Example', username: 'alice@example.com', meta: { authorUrn: 'urn:li:person:782bbtaQ' } });
  });
  it('retries a spurious 65601 right after login', async () => {
    api().intercept({ path: '/v2/userinfo', method: 'GET' }).reply(...recorded('revoked-access-token'));
    api().intercept({ path: '/v2/userinfo', method: 'GET' }).reply(200, { sub: 'abc', name: 'Alice' }, JSONH);
    const a = await provider.whoami(token({ obtainedAt: T0 - 5_000 }), d);
    expect(a.id).toBe('abc');
  });
  it('65601 on an older token is a reconnect (app_removed)', async () => {
    api().intercept({ path: '/v2/userinfo', method: 'GET' }).reply(...recorded('revoked-access-token'));
    const e = await provider.whoami(token(), d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('app_removed');
  });
});

describe('linkedin as an organization (docs/platforms/linkedin.md#organizations)', () => {
  const orgScopes = ['openid', 'profile', 'w_member_social', 'w_organization_social', 'r_organization_social'];
  it('an app with the Community Management API (flag organizations) also asks for the organization scopes', () => {
    const i = { redirectUri: 'http://127.0.0.1:8743/callback', state: 'st', codeVerifier: '', scopes: ['openid', 'profile', 'w_member_social'] };
    expect(provider.buildAuthorizeUrl(i, d).searchParams.get('scope')).toBe('openid profile w_member_social');
    const flagged = { ...d, app: { ...d.app, flags: { organizations: true } } };
    expect(provider.buildAuthorizeUrl(i, flagged).searchParams.get('scope')).toBe('openid profile w_member_social w_organization_social r_organization_social');
  });
  it('--page <id> binds the connection to the organization: author URN, identity and name', async () => {
    expect(await provider.chooseTarget!(token(), d, undefined)).toEqual(token());
    const t = await provider.chooseTarget!(token({ scopes: orgScopes }), d, 'urn:li:organization:2414183');
    expect(t.extra).toEqual({ organizationId: '2414183' });
    api().intercept({ path: '/v2/userinfo', method: 'GET' }).reply(200, { sub: 'abc', name: 'Alice' }, JSONH);
    expect(await provider.whoami(t, d)).toEqual({ id: 'abc', displayName: 'Alice as organization 2414183', meta: { authorUrn: 'urn:li:organization:2414183', memberUrn: 'urn:li:person:abc', pageId: '2414183' } });
  });
  it('--page without the organization scopes, or with a name, is refused with what to run', async () => {
    await expect(provider.chooseTarget!(token(), d, '2414183')).rejects.toMatchObject({ errorClass: 'permission', message: expect.stringContaining('app set linkedin --organizations') });
    await expect(provider.chooseTarget!(token({ scopes: orgScopes }), d, 'Acme Corp')).rejects.toMatchObject({ errorClass: 'invalid_request' });
  });
});

describe('linkedin revoke and REST headers', () => {
  it('POSTs the token to /oauth/v2/revoke with credentials in the body', async () => {
    www().intercept({ path: '/oauth/v2/revoke', method: 'POST', body: (b) => form(b).get('token') === 'AQVaccess-1' && form(b).get('client_secret') === 'li-secret-123' }).reply(200, '');
    await provider.revoke?.(token(), d);
  });
  it('pins LinkedIn-Version from the resolved API version', () => {
    expect(restHeaders(token(), d)).toMatchObject({ 'linkedin-version': '202609', 'x-restli-protocol-version': '2.0.0' });
  });
});

describe('classifyLinkedInError', () => {
  const cases: ['code' | 'refresh' | 'api', string, string, string?][] = [
    ['api', 'expired-access-token', 'reconnect_needed', 'token_expired'],
    ['api', 'revoked-access-token', 'reconnect_needed', 'app_removed'],
    ['api', 'invalid-access-token', 'reconnect_needed', 'unknown'],
    ['refresh', 'refresh-token-invalid', 'reconnect_needed', 'unknown'],
    ['code', 'code-not-found', 'invalid_request'],
    ['api', 'nonexistent-version', 'invalid_request'],
    ['api', 'access-denied', 'permission'],
    ['api', 'throttled', 'rate_limited'],
    ['api', 'internal-server-error', 'transient'],
  ];
  it.each(cases)('%s: %s -> %s', (ctx, name, cls, reason) => {
    const c = classifyLinkedInError(LI(name).status, LI(name).body, ctx);
    expect(c.errorClass).toBe(cls);
    if (reason) expect(c.reason).toBe(reason);
  });
  it('no answer at all (network failure) is transient', () => {
    expect(classifyLinkedInError(0, undefined, 'api').errorClass).toBe('transient');
  });
  it('426 tells how to bump LinkedIn-Version', () => {
    expect(classifyLinkedInError(426, LI('nonexistent-version').body, 'api').message).toContain('SOCIALYNC_LINKEDIN_API_VERSION=<YYYYMM>');
  });
});

describe('LinkedIn-Version sunset', () => {
  it('computes the end of a version (about a year)', () => {
    expect(new Date(versionSunset('202604')!).toISOString().slice(0, 10)).toBe('2027-04-15');
    expect(versionSunset('2026-04')).toBeUndefined();
  });
  // Deliberately on the wall clock: fails when the default version is within 60 days of its sunset
  // (docs/platforms/linkedin.md#versions). Fix: bump descriptor.apiVersion in src/providers/linkedin.ts.
  it('the default LinkedIn-Version is not close to sunset', () => {
    expect(versionSunset(descriptor.apiVersion!)! - systemClock.now()).toBeGreaterThan(60 * DAY);
  });
});
