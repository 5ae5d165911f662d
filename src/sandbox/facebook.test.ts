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
  const graphGet = async (path: string, params: Record<string, string>) => {
    const u = new URL(`/${descriptor.apiVersion}${path}`, env.d.hosts.graph);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const r = await fetch(u);
    return { status: r.status, body: (await r.json()) as Record<string, any> };
  };
  const debug = async (token: string) => (await graphGet('/debug_token', { input_token: token, access_token: `${env.d.app.clientId}|${env.d.app.clientSecret}` })).body.data;

  it('refuses to exchange a long-lived token again (undocumented): the old "re-exchange" refresh fails here', async () => {
    const t = await connect();
    const r = await graphGet('/oauth/access_token', { grant_type: 'fb_exchange_token', client_id: env.d.app.clientId, client_secret: env.d.app.clientSecret!, fb_exchange_token: t.accessToken });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100 });
    expect(env.sandbox.control.stats().facebook?.refusedReexchanges).toBe(1);
  });
  it('debug_token: the user token ends 60 days after login, data access 90 days after, the Page token never', async () => {
    const t = await connect();
    const s = (ms: number) => Math.floor(ms / 1000);
    expect(await debug(t.accessToken)).toMatchObject({ is_valid: true, type: 'USER', expires_at: s(env.now + 60 * DAY), data_access_expires_at: s(env.now + 90 * DAY) });
    expect(await debug(t.extra!.pageAccessToken!)).toMatchObject({ is_valid: true, type: 'PAGE', expires_at: 0, data_access_expires_at: s(env.now + 90 * DAY) });
  });
  it('refresh only checks: same tokens, deadlines from debug_token, no exchange call at all', async () => {
    let t = await connect();
    t = withPage(t, choosePage(await listPages(t, env.d), 'Alice Books'));
    const login = env.now;
    const before = env.sandbox.control.stats().facebook!;
    env.now += 50 * DAY;
    const next = await provider.refresh(t, env.d);
    expect(next.accessToken).toBe(t.accessToken);
    expect(next.extra?.pageAccessToken).toBe(t.extra?.pageAccessToken);
    expect(next).toMatchObject({ expiresAt: login + 60 * DAY, refreshExpiresAt: login + 90 * DAY, refreshExpiresEstimated: false });
    const after = env.sandbox.control.stats().facebook!;
    expect(after.tokenCalls).toBe(before.tokenCalls);
    expect(after.refusedReexchanges ?? 0).toBe(0);
  });
  it('after the user token expired, the Page token still works: refresh and who-am-I go on, deadline recorded', async () => {
    const t = await connect();
    const login = env.now;
    env.now += 61 * DAY;
    const next = await provider.refresh(t, env.d);
    expect(next.expiresAt).toBe(login + 60 * DAY);
    expect(next.refreshExpiresAt).toBe(login + 90 * DAY);
    expect((await provider.whoami(next, env.d)).meta).toMatchObject({ pageName: 'Alice Bakery' });
    expect(env.sandbox.control.validate(t.extra!.pageAccessToken!).valid).toBe(true);
    // The platform itself says the user token is gone (190/463).
    expect((await debug(t.accessToken)).error).toMatchObject({ code: 190, subcode: 463 });
  });
  it('password change -> 190/460 on user and Page tokens: refresh says password_changed', async () => {
    const t = await connect();
    env.sandbox.control.passwordChange('alice');
    const e = await provider.refresh(t, env.d).catch((x) => x);
    expect(e.reason).toBe('password_changed');
    expect(env.sandbox.control.validate(t.extra!.pageAccessToken!)).toMatchObject({ valid: false, reason: 'password_changed' });
  });
  it('app removed (revoked grant) -> refresh says app_removed', async () => {
    const t = await connect();
    env.sandbox.control.revoke('alice');
    expect(await provider.refresh(t, env.d).catch((x) => x.reason)).toBe('app_removed');
  });
  it('data access ends 90 days after login: refresh and who-am-I -> reconnect_needed inactive', async () => {
    const t = await connect();
    env.now += 91 * DAY;
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
