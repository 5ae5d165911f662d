import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../core/clock.js';
import { choosePage, descriptor, listPages, provider, withPage } from '../providers/facebook.js';
import { authorize, codeFromRedirect, loginRedirect, sandboxProvider, type LoginScript, type SandboxProviderEnv } from '../../test/helpers/sandbox-login.js';

const REDIRECT = 'http://127.0.0.1:8742/callback';
let env: SandboxProviderEnv;

beforeEach(async () => {
  env = await sandboxProvider('facebook', descriptor);
});
afterEach(async () => {
  await env.close();
});

const authUrl = () => provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 'st-fb', codeVerifier: '', scopes: descriptor.scopes.map((s) => s.scope) }, env.d);

async function connect(script: LoginScript = {}) {
  const { code } = codeFromRedirect(await loginRedirect(authUrl(), script));
  return provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d);
}

describe('facebook sandbox: login and Pages', () => {
  it('serves the versioned dialog with uncheckable scopes (partial consent)', async () => {
    const u = authUrl();
    expect(u.pathname).toBe(`/${descriptor.apiVersion}/dialog/oauth`);
    const page = await authorize(u);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Facebook sandbox — authorize');
    expect(page.body).not.toMatch(/value="pages_manage_posts" checked disabled/);
  });
  it('connects alice: long-lived user token, data-access expiry, first of her two Pages preselected', async () => {
    const t = await connect();
    expect(t.expiresAt).toBe(env.now + 60 * DAY);
    expect(t.scopes).toEqual(expect.arrayContaining(['pages_show_list', 'pages_manage_posts', 'pages_read_engagement']));
    expect(t.extra?.pageName).toBe('Alice Bakery');
    const a = await provider.whoami(t, env.d);
    expect(a).toMatchObject({ displayName: 'Alice', dataAccessExpiresAt: env.now + 90 * DAY, meta: { pageName: 'Alice Bakery', userName: 'Alice' } });
    expect(provider.unsupportedAccount?.(a)).toBeUndefined();
  });
  it('lets the user choose the other Page (--page), whose token then validates', async () => {
    let t = await connect();
    const pages = await listPages(t, env.d);
    expect(pages.map((p) => p.name)).toEqual(['Alice Bakery', 'Alice Books']);
    t = withPage(t, choosePage(pages, 'Alice Books'));
    const a = await provider.whoami(t, env.d);
    expect(a.meta).toMatchObject({ pageId: pages[1]!.id, pageName: 'Alice Books' });
    expect(env.sandbox.control.validate(t.extra!.pageAccessToken!).valid).toBe(true);
  });
  it('bob has one Page', async () => {
    const t = await connect({ account: 'bob' });
    expect((await listPages(t, env.d)).length).toBe(1);
  });
  it('unticking pages_show_list leaves no Page: granted scopes show it and the account is explained', async () => {
    const t = await connect({ untick: ['pages_show_list'] });
    expect(t.scopes).not.toContain('pages_show_list');
    expect(t.extra?.pageId).toBeUndefined();
    expect(provider.unsupportedAccount?.(await provider.whoami(t, env.d))).toMatch(/no Page/);
  });
  it('Deny -> error=access_denied with state', async () => {
    const loc = new URL(await loginRedirect(authUrl(), { decision: 'deny' }));
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('st-fb');
  });
  it('a replayed code is refused (invalid_request)', async () => {
    const { code } = codeFromRedirect(await loginRedirect(authUrl()));
    await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d);
    const e = await provider.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: '', callbackParams: {} }, env.d).catch((x) => x);
    expect(e.errorClass).toBe('invalid_request');
    expect(e.platformCode).toBe('100/36009');
  });
});

describe('facebook sandbox: refresh, invalidation, revoke', () => {
  it('re-exchanges a valid token (fb_exchange_token) and keeps the chosen Page', async () => {
    let t = await connect();
    t = withPage(t, choosePage(await listPages(t, env.d), 'Alice Books'));
    env.now += 50 * DAY;
    const next = await provider.refresh(t, env.d);
    expect(next.accessToken).not.toBe(t.accessToken);
    expect(next.expiresAt).toBe(env.now + 60 * DAY);
    expect(next.extra?.pageName).toBe('Alice Books');
    expect(env.sandbox.control.stats().facebook?.refreshes).toBe(1);
  });
  it('an expired token cannot be re-exchanged: reconnect_needed token_expired', async () => {
    const t = await connect();
    env.now += 61 * DAY;
    expect((await provider.refresh(t, env.d).catch((x) => x)).reason).toBe('token_expired');
    // The platform says the same when asked anyway (190/463).
    expect((await provider.whoami(t, env.d).catch((x) => x)).platformCode).toBe('190/463');
  });
  it('password change -> 190/460 on user and Page tokens', async () => {
    const t = await connect();
    env.sandbox.control.passwordChange('alice');
    const e = await provider.refresh(t, env.d).catch((x) => x);
    expect(e.reason).toBe('password_changed');
    expect(env.sandbox.control.validate(t.extra!.pageAccessToken!)).toMatchObject({ valid: false, reason: 'password_changed' });
  });
  it('data access expires 90 days after login even with re-exchanged tokens -> reconnect_needed inactive', async () => {
    let t = await connect();
    env.now += 50 * DAY;
    t = await provider.refresh(t, env.d);
    env.now += 41 * DAY;
    expect((await provider.whoami(t, env.d).catch((x) => x)).reason).toBe('inactive');
    expect((await provider.refresh(t, env.d).catch((x) => x)).reason).toBe('inactive');
  });
  it('revoke deletes the permissions: the token is dead afterwards (app_removed)', async () => {
    const t = await connect();
    await provider.revoke?.(t, env.d);
    expect(env.sandbox.control.validate(t.accessToken).valid).toBe(false);
    expect((await provider.whoami(t, env.d).catch((x) => x)).reason).toBe('app_removed');
  });
});
