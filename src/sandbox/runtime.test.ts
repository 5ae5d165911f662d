import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { json, redirectUrl, type PlatformContext, type SandboxModule } from './common.js';
import { createPlatformServer, type PlatformServer } from './runtime.js';
import { startSandbox } from './server.js';

/** A minimal platform module exercising the framework. */
const demoModule: SandboxModule = {
  hosts: ['www', 'api'],
  apps: [{ clientId: 'app-1', clientSecret: 's3cret', name: 'Test <App>' }],
  createRoutes: (ctx: PlatformContext) => [
    {
      method: 'GET',
      path: '/authorize',
      handler: (req) => {
        const redirectUri = req.query.get('redirect_uri')!;
        const state = req.query.get('state') ?? '';
        return ctx.consent({
          appName: 'Test <App>',
          scopes: ['read', 'write<x>'],
          partialConsent: true,
          onApprove: (account, granted) =>
            redirectUrl(redirectUri, { code: ctx.codes.issue({ clientId: 'app-1', redirectUri, account, scopes: granted }, 600_000), state }),
          onDeny: () => redirectUrl(redirectUri, { error: 'access_denied', state }),
        });
      },
    },
    {
      method: 'POST',
      path: '/token',
      tokenCall: true,
      maxBodyBytes: 256,
      handler: (req) => {
        if (req.param('grant_type') === 'refresh_token') {
          const r = ctx.families.refresh(req.param('refresh_token'), undefined);
          return r.ok ? json(200, { access_token: r.tokens.accessToken, refresh_token: r.tokens.refreshToken }) : json(400, { error: r.error });
        }
        const c = ctx.codes.consume(req.param('code'));
        if (!c.ok) return json(400, { error: c.error });
        const { tokens } = ctx.families.start(c.data.account, 'app-1', c.data.scopes, { accessTtlMs: 3600_000, refreshTtlMs: 86_400_000, rotate: true, revokeFamilyOnReuse: true });
        return json(200, { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, account: c.data.account.name, scope: c.data.scopes.join(' ') });
      },
    },
    { method: 'GET', path: '/:version/me', handler: (req) => json(200, { version: req.params['version'], ok: ctx.families.checkAccess(req.bearer()).ok }) },
  ],
};

let ps: PlatformServer;
let origin: string;
let now = 1_800_000_000_000;
const clock = { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

async function start(demo = false) {
  ps = createPlatformServer('tiktok', demoModule, [], { clock, demo });
  await new Promise<void>((r) => ps.server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(ps.server.address() as AddressInfo).port}`;
}

const post = (path: string, body: Record<string, string>) =>
  fetch(origin + path, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual' });
const control = (op: string, body: unknown) =>
  fetch(`${origin}/__sandbox/${op}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function consentAndCode(decision = 'approve', extra: Record<string, string> = {}): Promise<URL> {
  const page = await (await fetch(`${origin}/authorize?redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&state=st`)).text();
  const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
  const res = await post('/sandbox/consent', { request, decision, account: 'bob', ...extra });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

beforeEach(() => {
  now = 1_800_000_000_000;
});
afterEach(async () => {
  if (!ps?.server.listening) return;
  ps.server.closeAllConnections();
  await new Promise((r) => ps.server.close(r));
});

describe('sandbox framework', () => {
  it('renders an escaped consent page with Approve and Deny', async () => {
    await start();
    const page = await (await fetch(`${origin}/authorize?redirect_uri=http://127.0.0.1:9/cb&state=s`)).text();
    expect(page).toContain('<title>TikTok sandbox — authorize Test &lt;App&gt;</title>');
    expect(page).toContain('<button id="approve"');
    expect(page).toContain('<button id="deny"');
    expect(page).toContain('value="write&lt;x&gt;"');
    expect(page).not.toContain('<App>');
  });

  it('approve redirects with a single-use code for the typed account and ticked scopes', async () => {
    await start();
    const loc = await consentAndCode('approve', { scope: 'read' });
    expect(loc.searchParams.get('state')).toBe('st');
    const code = loc.searchParams.get('code')!;
    const tok = (await (await post('/token', { code })).json()) as Record<string, string>;
    expect(tok['account']).toBe('bob');
    expect(tok['scope']).toBe('read');
    expect((await (await post('/token', { code })).json()) as object).toEqual({ error: 'used' });
  });

  it('deny redirects with access_denied; demo mode skips the page', async () => {
    await start();
    expect((await consentAndCode('deny')).searchParams.get('error')).toBe('access_denied');
    ps.server.closeAllConnections();
    await new Promise((r) => ps.server.close(r));
    await start(true);
    const res = await fetch(`${origin}/authorize?redirect_uri=http://127.0.0.1:9/cb&state=s`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('code')).toMatch(/^code\./);
  });

  it('rotates refresh tokens and detects reuse (family revoked)', async () => {
    await start();
    const code = (await consentAndCode()).searchParams.get('code')!;
    const t1 = (await (await post('/token', { code })).json()) as Record<string, string>;
    const t2 = (await (await post('/token', { grant_type: 'refresh_token', refresh_token: t1['refresh_token']! })).json()) as Record<string, string>;
    expect(t2['refresh_token']).not.toBe(t1['refresh_token']);
    const reuse = await post('/token', { grant_type: 'refresh_token', refresh_token: t1['refresh_token']! });
    expect(await reuse.json()).toEqual({ error: 'reused' });
    const after = await post('/token', { grant_type: 'refresh_token', refresh_token: t2['refresh_token']! });
    expect(await after.json()).toEqual({ error: 'revoked' });
    const stats = (await (await fetch(`${origin}/__sandbox/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ refreshes: 1, reusedRefreshTokens: 1, rejectedRefreshes: 2, activeFamilies: 0, tokenCalls: 4 });
    const v = await (await fetch(`${origin}/__sandbox/validate?token=${encodeURIComponent(t2['access_token']!)}`)).json();
    expect(v).toMatchObject({ valid: false, account: 'bob', reason: 'reuse_detected' });
  });

  it('injects faults (status, count, path prefix) and dropped connections', async () => {
    await start();
    await control('faults', { path: '/tok*', status: 429, headers: { 'retry-after': '7' }, body: { error: 'slow_down' }, count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await post('/token', { code: 'x' });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('7');
    }
    expect((await post('/token', { code: 'x' })).status).toBe(400);
    ps.control.fault({ path: '/token', dropConnection: true });
    await expect(post('/token', { code: 'x' })).rejects.toThrow();
  });

  it('adds latency to token calls and rejects oversized bodies with 413', async () => {
    await start();
    await control('latency', { ms: 150 });
    const t0 = performance.now();
    await post('/token', { code: 'x' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    const big = await post('/token', { code: 'x'.repeat(400) });
    expect(big.status).toBe(413);
  });

  it('serves Date from the sandbox clock with offset and skew; 404/405; path params', async () => {
    await start();
    await control('clock', { offsetMs: 60_000, dateSkewMs: 3_600_000 });
    const r = await fetch(`${origin}/v25.0/me`);
    expect(await r.json()).toEqual({ version: 'v25.0', ok: false });
    expect(Date.parse(r.headers.get('date')!)).toBe(Math.floor((now + 60_000 + 3_600_000) / 1000) * 1000);
    expect((await fetch(`${origin}/nope`)).status).toBe(404);
    expect((await fetch(`${origin}/token`)).status).toBe(405);
  });

  it('revoke / expire / reset controls affect tokens', async () => {
    await start();
    const code = (await consentAndCode()).searchParams.get('code')!;
    const t = (await (await post('/token', { code })).json()) as Record<string, string>;
    const me = async () => ((await (await fetch(`${origin}/v1/me`, { headers: { authorization: `Bearer ${t['access_token']}` } })).json()) as { ok: boolean }).ok;
    expect(await me()).toBe(true);
    expect(await (await control('expire', { what: 'access', account: 'bob' })).json()).toEqual({ expired: 1 });
    expect(await me()).toBe(false);
    expect(await (await control('revoke', {})).json()).toEqual({ revoked: 1 });
    expect(ps.control.validate(t['refresh_token']!)).toMatchObject({ valid: false, reason: 'revoked' });
    await control('reset', {});
    expect(ps.control.stats().activeFamilies).toBe(0);
  });
});

describe('startSandbox', () => {
  it('starts only platforms whose module exists and exposes hostEnv/endpoints', async () => {
    const sb = await startSandbox({ platforms: ['tiktok', 'youtube', 'x'] });
    try {
      for (const p of sb.platforms) {
        expect(sb.origins[p]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(Object.values(sb.endpoints()[p]!)).toContain(sb.origins[p]);
      }
      for (const v of Object.values(sb.hostEnv())) expect(v).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await sb.close();
    }
  });
});
