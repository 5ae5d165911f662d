import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { DAY, HOUR } from '../core/clock.js';
import { descriptor, provider } from '../providers/instagram.js';
import { authorize, codeFromRedirect, loginRedirect, sandboxProvider, type SandboxProviderEnv } from '../../test/helpers/sandbox-login.js';

const REDIRECT = 'https://127.0.0.1:8741/callback';
let env: SandboxProviderEnv;

beforeEach(async () => {
  env = await sandboxProvider('instagram', descriptor);
});
afterEach(async () => {
  await env.close();
});

const authUrl = (redirectUri = REDIRECT) =>
  provider.buildAuthorizeUrl({ redirectUri, state: 'st-1', codeVerifier: '', scopes: descriptor.scopes.map((s) => s.scope) }, env.d);

async function connect(account = 'alice') {
  const { code, state } = codeFromRedirect(await loginRedirect(authUrl(), { account }));
  expect(state).toBe('st-1');
  return provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d);
}

describe('instagram sandbox: login', () => {
  it('refuses an http redirect_uri with an HTML error page (HTTPS required even for loopback)', async () => {
    const r = await authorize(authUrl('http://127.0.0.1:8741/callback'));
    expect(r.status).toBe(400);
    expect(r.body).toContain('redirect');
  });
  it('appends #_ to the redirect; the provider strips it and gets a long-lived token', async () => {
    const loc = await loginRedirect(authUrl());
    expect(loc).toMatch(/^https:\/\/127\.0\.0\.1:8741\/callback\?code=.+&state=st-1#_$/);
    const t = await provider.exchangeCode({ code: codeFromRedirect(loc).code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d);
    expect(t.expiresAt).toBe(env.now + 60 * DAY);
    expect(t.scopes).toEqual(['instagram_business_basic', 'instagram_business_content_publish']);
    expect(env.sandbox.control.validate(t.accessToken)).toMatchObject({ valid: true, account: 'alice' });
    const a = await provider.whoami(t, env.d);
    expect(a).toMatchObject({ username: 'alice', accountType: 'BUSINESS' });
    expect(provider.unsupportedAccount?.(a)).toBeUndefined();
  });
  it('rejects a replayed code', async () => {
    const { code } = codeFromRedirect(await loginRedirect(authUrl()));
    await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d);
    const e = await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d).catch((x) => x);
    expect(e.errorClass).toBe('invalid_request');
    expect(e.message).toContain('has been used');
  });
  it('requires the identical redirect_uri at the token endpoint', async () => {
    const { code } = codeFromRedirect(await loginRedirect(authUrl()));
    const e = await provider.exchangeCode({ code, redirectUri: 'https://127.0.0.1:9999/callback', codeVerifier: '', callbackParams: {} }, env.d).catch((x) => x);
    expect(e.errorClass).toBe('invalid_request');
    expect(e.message).toContain('redirect_uri is identical');
  });
  it('serves the wrapped {data:[...]} token shape (account bob)', async () => {
    const t = await connect('bob');
    expect((await provider.whoami(t, env.d)).username).toBe('bob');
  });
  it('carol is a personal account: explained, with the fix', async () => {
    const a = await provider.whoami(await connect('carol'), env.d);
    expect(a.accountType).toBe('PERSONAL');
    expect(provider.unsupportedAccount?.(a)).toMatch(/personal account.*professional account.*reconnect/s);
  });
  it('Deny -> error=access_denied', async () => {
    const loc = new URL(await loginRedirect(authUrl(), { decision: 'deny' }));
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('st-1');
  });
  it('a 503 from the token endpoint is transient', async () => {
    const { code } = codeFromRedirect(await loginRedirect(authUrl()));
    env.sandbox.control.platform('instagram').fault({ path: '/oauth/access_token', status: 503, body: 'Service Unavailable' });
    const e = await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d).catch((x) => x);
    expect(e.errorClass).toBe('transient');
  });
});

describe('instagram sandbox: refresh and invalidation', () => {
  it('refreshes only once the token is 24 h old; the sandbox refuses younger tokens and POST', async () => {
    const t = await connect();
    expect(await provider.refresh(t, env.d)).toBe(t);
    const young = await fetch(`${env.d.hosts.graph}/refresh_access_token?grant_type=ig_refresh_token&access_token=${encodeURIComponent(t.accessToken)}`);
    expect(young.status).toBe(400);
    const post = await fetch(`${env.d.hosts.graph}/refresh_access_token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'ig_refresh_token', access_token: t.accessToken }) });
    expect(((await post.json()) as { error: { error_subcode: number } }).error.error_subcode).toBe(33);
    env.now += 25 * HOUR;
    const next = await provider.refresh(t, env.d);
    expect(next.accessToken).not.toBe(t.accessToken);
    expect(next.expiresAt).toBe(env.now + 60 * DAY);
    expect(env.sandbox.control.validate(next.accessToken).valid).toBe(true);
    expect(env.sandbox.control.stats().instagram?.refreshes).toBe(1);
  });
  it('an expired long-lived token cannot be refreshed: reconnect_needed token_expired', async () => {
    const t = await connect();
    env.now += 61 * DAY;
    expect((await provider.refresh(t, env.d).catch((x) => x)).reason).toBe('token_expired');
    expect((await provider.whoami(t, env.d).catch((x) => x)).reason).toBe('token_expired');
  });
  it('password change -> 190/460 -> reconnect_needed password_changed', async () => {
    const t = await connect();
    env.sandbox.control.passwordChange('alice');
    env.now += 2 * DAY;
    const e = await provider.refresh(t, env.d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.reason).toBe('password_changed');
    expect(e.platformCode).toBe('190/460');
  });
  it('revocation (app removed) -> reconnect_needed app_removed', async () => {
    const t = await connect();
    env.sandbox.control.revoke('alice');
    expect((await provider.whoami(t, env.d).catch((x) => x)).reason).toBe('app_removed');
  });
});
