import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { DAY } from '../core/clock.js';
import { descriptor, provider } from '../providers/linkedin.js';
import { apps } from './linkedin.js';
import { codeFromRedirect, loginRedirect, sandboxProvider, type SandboxProviderEnv } from '../../test/helpers/sandbox-login.js';

const REDIRECT = 'http://127.0.0.1:8743/callback';
const SCOPES = descriptor.scopes.map((s) => s.scope);
let env: SandboxProviderEnv;

beforeEach(async () => {
  env = await sandboxProvider('linkedin', descriptor);
});
afterEach(async () => {
  await env.close();
});

const basicApp = () => {
  const a = apps.find((x) => x.clientId === 'sandbox-linkedin-basic')!;
  return { ...env.d, app: { clientId: a.clientId, clientSecret: a.clientSecret } };
};
const authUrl = (d = env.d, scopes = SCOPES) => provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 'st-li', codeVerifier: '', scopes }, d);

async function connect(d = env.d, account = 'alice', scopes = SCOPES) {
  const { code } = codeFromRedirect(await loginRedirect(authUrl(d, scopes), { account }));
  return provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, d);
}

describe('linkedin sandbox: login', () => {
  it('app with programmatic refresh: 60-day access, 365-day refresh, author URN from userinfo', async () => {
    const t = await connect();
    expect(t.expiresAt).toBe(env.now + 60 * DAY);
    expect(t.refreshToken).toBeTruthy();
    expect(t.refreshExpiresAt).toBe(env.now + 365 * DAY);
    expect(t.scopes).toEqual(SCOPES);
    const a = await provider.whoami(t, env.d);
    expect(a.displayName).toBe('Alice');
    expect(a.meta?.authorUrn).toBe(`urn:li:person:${a.id}`);
  });
  it('app without programmatic refresh: no refresh token, the reconnect deadline is the access expiry', async () => {
    const t = await connect(basicApp());
    expect(t.refreshToken).toBeUndefined();
    expect(t.refreshExpiresAt).toBe(t.expiresAt);
  });
  it('Deny -> error=user_cancelled_authorize', async () => {
    const loc = new URL(await loginRedirect(authUrl(), { decision: 'deny' }));
    expect(loc.searchParams.get('error')).toBe('user_cancelled_authorize');
    expect(loc.searchParams.get('state')).toBe('st-li');
  });
  it('an unknown scope comes back as unauthorized_scope_error', async () => {
    const loc = new URL(await loginRedirect(authUrl(env.d, ['openid', 'r_liteprofile'])));
    expect(loc.searchParams.get('error')).toBe('unauthorized_scope_error');
  });
  it('a replayed code is invalid_request', async () => {
    const { code } = codeFromRedirect(await loginRedirect(authUrl()));
    await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d);
    const e = await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d).catch((x) => x);
    expect(e.errorClass).toBe('invalid_request');
  });
  it('refuses Basic client authentication (credentials belong in the body)', async () => {
    const { code } = codeFromRedirect(await loginRedirect(authUrl()));
    const res = await fetch(`${env.d.hosts.www}/oauth/v2/accessToken`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${env.d.app.clientId}:${env.d.app.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }),
    });
    expect(res.status).toBe(401);
  });
  it('a different scope set invalidates the earlier tokens', async () => {
    const first = await connect();
    await connect(env.d, 'alice', ['openid', 'profile']);
    expect((await provider.whoami(first, env.d).catch((x) => x)).errorClass).toBe('reconnect_needed');
  });
});

describe('linkedin sandbox: refresh and invalidation', () => {
  it('refresh keeps the same refresh token and the deadline fixed from the first login', async () => {
    const t = await connect();
    env.now += 59 * DAY;
    const next = await provider.refresh(t, env.d);
    expect(next.refreshToken).toBe(t.refreshToken);
    expect(next.refreshExpiresAt).toBe(t.refreshExpiresAt);
    expect(Math.round((next.refreshExpiresAt! - env.now) / DAY)).toBe(306);
    expect(next.expiresAt).toBe(env.now + 60 * DAY);
  });
  it('a revoked refresh token -> 400 invalid_request -> reconnect_needed', async () => {
    const t = await connect();
    env.sandbox.control.revoke('alice');
    const e = await provider.refresh(t, env.d).catch((x) => x);
    expect(e.errorClass).toBe('reconnect_needed');
    expect(e.status).toBe(400);
  });
  it('API errors: expired 65602, revoked 65601', async () => {
    const t = await connect();
    env.sandbox.control.expire('access', 'alice');
    expect((await provider.whoami(t, env.d).catch((x) => x)).platformCode).toBe('65602');
    const u = await connect(env.d, 'bob');
    env.now += 10 * 60_000;
    env.sandbox.control.revoke('bob');
    const e = await provider.whoami(u, env.d).catch((x) => x);
    expect(e.platformCode).toBe('65601');
    expect(e.reason).toBe('app_removed');
  });
  it('revoke kills the token', async () => {
    const t = await connect();
    await provider.revoke?.(t, env.d);
    expect(env.sandbox.control.validate(t.accessToken).valid).toBe(false);
  });
  it('/rest calls with a sunset LinkedIn-Version get 426 NONEXISTENT_VERSION', async () => {
    const { linkedinVersion } = await import('./linkedin.js');
    const ctx = { now: () => env.now } as Parameters<typeof linkedinVersion>[0];
    const req = (v: string) => ({ headers: { 'linkedin-version': v } }) as unknown as Parameters<typeof linkedinVersion>[1];
    expect(linkedinVersion(ctx, req('202609'))).toBeUndefined();
    expect(linkedinVersion(ctx, req('202410'))?.status).toBe(426);
    expect(linkedinVersion(ctx, req('202705'))?.status).toBe(426);
  });
});
