/**
 * Platform rules of the TikTok, YouTube and X sandboxes that the generic
 * contract suite does not reach (src/providers/contract.test.ts covers the rest).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { DAY, HOUR, systemClock } from '../core/clock.js';
import { createHttp } from '../core/http.js';
import { ProviderError } from '../core/errors.js';
import { generateVerifier, challengeS256 } from '../auth/pkce.js';
import { consentVia, type ConsentChoice } from '../../test/helpers/sandbox-consent.js';
import { provider as tiktok } from '../providers/tiktok.js';
import { provider as youtube } from '../providers/youtube.js';
import { provider as x } from '../providers/x.js';
import type { AppCredentials, Provider, ProviderDeps, TokenSet } from '../providers/types.js';
import { startSandbox, type Sandbox } from './server.js';

let sb: Sandbox;
let legacy: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ platforms: ['tiktok', 'youtube', 'x'] });
  legacy = await startSandbox({ platforms: ['tiktok'], tiktokLifetimes: 'legacy' });
});
afterAll(async () => {
  await sb?.close();
  await legacy?.close();
});
beforeEach(() => sb.control.reset());

let offset = 0;
function deps(p: 'tiktok' | 'youtube' | 'x', app?: AppCredentials, box = sb): ProviderDeps {
  offset = 0;
  const a = box.allApps[p][0]!;
  return {
    http: createHttp({ timeoutMs: 5_000 }),
    clock: { now: () => systemClock.now() + offset, sleep: async () => undefined },
    hosts: box.endpoints()[p]!,
    app: app ?? { clientId: a.clientId, clientSecret: a.clientSecret, ...(a.clientType ? { clientType: a.clientType } : {}), ...(a.flags ? { flags: a.flags } : {}) },
  };
}
const REDIRECT = { tiktok: 'http://127.0.0.1:50001/callback/', youtube: 'http://127.0.0.1:50002/', x: 'http://127.0.0.1:8976/callback' } as const;

async function login(p: Provider, d: ProviderDeps, o: ConsentChoice & { scopes?: string[]; redirectAtExchange?: string; beforeExchange?: () => void } = {}) {
  const id = p.descriptor.id as 'tiktok' | 'youtube' | 'x';
  const verifier = generateVerifier();
  const scopes = o.scopes ?? p.descriptor.scopes.map((s) => s.scope);
  const cb = await consentVia(p.buildAuthorizeUrl({ redirectUri: REDIRECT[id], state: 's', codeVerifier: verifier, scopes }, d), o);
  o.beforeExchange?.();
  const tokens = await p.exchangeCode({ code: cb.searchParams.get('code')!, redirectUri: o.redirectAtExchange ?? REDIRECT[id], codeVerifier: verifier, callbackParams: Object.fromEntries(cb.searchParams) }, d);
  return { tokens, cb };
}
async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe('tiktok sandbox', () => {
  it('lets the user untick a scope; the callback and tokens report what was granted', async () => {
    const { tokens, cb } = await login(tiktok, deps('tiktok'), { untick: ['video.publish'] });
    expect(cb.searchParams.get('scopes')).toBe('user.info.basic,video.upload');
    expect(tokens.scopes).toEqual(['user.info.basic', 'video.upload']);
  });

  it('rejects a base64url challenge at the authorize page (TikTok wants hex)', async () => {
    const d = deps('tiktok');
    const url = tiktok.buildAuthorizeUrl({ redirectUri: REDIRECT.tiktok, state: 's', codeVerifier: generateVerifier(), scopes: ['user.info.basic'] }, d);
    url.searchParams.set('code_challenge', challengeS256(generateVerifier()));
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('hex SHA-256');
  });

  it('answers token errors with HTTP 200, and the provider still classifies them', async () => {
    const d = deps('tiktok');
    const res = await fetch(`${sb.origins.tiktok}/v2/oauth/token/`, {
      method: 'POST',
      body: new URLSearchParams({ client_key: d.app.clientId, client_secret: d.app.clientSecret!, grant_type: 'refresh_token', refresh_token: 'rft.nope' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    const e = await rejection(tiktok.refresh({ accessToken: 'a', refreshToken: 'rft.nope', scopes: [], obtainedAt: 0 }, d));
    expect(e.errorClass).toBe('reconnect_needed');
  });

  it('2026 lifetimes (2 h / 180 d) by default, 24 h / 365 d in legacy mode; refresh deadline fixed from first login', async () => {
    const d = deps('tiktok');
    const t0 = d.clock.now();
    const { tokens } = await login(tiktok, d);
    expect(tokens.expiresAt! - t0).toBeGreaterThan(2 * HOUR - 5_000);
    expect(tokens.expiresAt! - t0).toBeLessThanOrEqual(2 * HOUR + 5_000);
    expect(Math.round((tokens.refreshExpiresAt! - t0) / DAY)).toBe(180);
    offset = 10 * DAY;
    sb.control.platform('tiktok').clock({ offsetMs: offset });
    const next = await tiktok.refresh(tokens, d);
    expect(Math.round((next.refreshExpiresAt! - t0) / DAY)).toBe(180);
    const l = await login(tiktok, deps('tiktok', undefined, legacy));
    expect(Math.round((l.tokens.expiresAt! - l.tokens.obtainedAt) / HOUR)).toBe(24);
    expect(Math.round((l.tokens.refreshExpiresAt! - l.tokens.obtainedAt) / DAY)).toBe(365);
  });
});

describe('youtube sandbox', () => {
  it('refresh answers carry no refresh_token; the provider keeps the stored one', async () => {
    const d = deps('youtube');
    const { tokens } = await login(youtube, d);
    const raw = await fetch(`${sb.origins.youtube}/token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: d.app.clientId, client_secret: d.app.clientSecret!, grant_type: 'refresh_token', refresh_token: tokens.refreshToken! }),
    });
    expect(await raw.json()).not.toHaveProperty('refresh_token');
    const next = await youtube.refresh(tokens, d);
    expect(next.refreshToken).toBe(tokens.refreshToken);
  });

  it('a Testing-status app gets 7-day refresh tokens, detected from refresh_token_expires_in', async () => {
    const a = sb.allApps.youtube.find((x) => x.flags?.['testing'])!;
    const d = deps('youtube', { clientId: a.clientId, clientSecret: a.clientSecret });
    const { tokens } = await login(youtube, d);
    expect(Math.round((tokens.refreshExpiresAt! - tokens.obtainedAt) / DAY)).toBe(7);
    expect(tokens.refreshExpiresEstimated).toBeUndefined();
  });

  it('an account without a channel is explained; a wrong client secret is a configuration error', async () => {
    const d = deps('youtube');
    const { tokens } = await login(youtube, d, { account: 'nochannel' });
    expect(youtube.unsupportedAccount!(await youtube.whoami(tokens, d))).toMatch(/no YouTube channel/);
    const wrong = deps('youtube', { ...d.app, clientSecret: 'wrong' });
    expect((await rejection(youtube.refresh(tokens, wrong))).errorClass).toBe('permission');
  });
});

describe('x sandbox', () => {
  it('codes live 30 seconds', async () => {
    const d = deps('x');
    const e = await rejection(login(x, d, { beforeExchange: () => sb.control.platform('x').clock({ offsetMs: 31_000 }) }));
    expect(e.errorClass).toBe('invalid_request');
  });

  it('the redirect_uri at the token endpoint must be identical', async () => {
    const e = await rejection(login(x, deps('x'), { redirectAtExchange: 'http://127.0.0.1:8976/callback/' }));
    expect(e.errorClass).toBe('invalid_request');
  });

  it('a confidential client without Basic auth is refused (configuration, not reconnect)', async () => {
    const d = deps('x', { clientId: 'sandbox-x', clientType: 'public' });
    const e = await rejection(login(x, d));
    expect(e).toMatchObject({ errorClass: 'permission', platformCode: 'unauthorized_client' });
  });

  it('public clients send client_id in the body and get tokens', async () => {
    const pub = sb.allApps.x.find((a) => a.clientType === 'public')!;
    const { tokens } = await login(x, deps('x', { clientId: pub.clientId, clientType: 'public' }));
    expect(tokens.refreshToken).toBeTruthy();
  });

  it('no offline.access, no refresh token', async () => {
    const { tokens } = await login(x, deps('x'), { scopes: ['tweet.read', 'users.read'] });
    expect(tokens.refreshToken).toBeUndefined();
  });

  it('reusing a rotated refresh token revokes the whole family', async () => {
    const d = deps('x');
    const { tokens } = await login(x, d);
    const next = await x.refresh(tokens, d);
    expect((await rejection(x.refresh(tokens, d))).errorClass).toBe('reconnect_needed');
    expect((await rejection(x.refresh(next, d))).errorClass).toBe('reconnect_needed');
    expect(sb.control.validate(next.accessToken)).toMatchObject({ valid: false, reason: 'reuse_detected' });
    expect(sb.control.platform('x').stats()).toMatchObject({ reusedRefreshTokens: 1, activeFamilies: 0 });
  });

  it('password change on a non-Meta platform behaves as a revocation', async () => {
    const d = deps('x');
    const { tokens } = await login(x, d);
    expect(sb.control.passwordChange('alice')).toBeGreaterThan(0);
    expect((await rejection(x.whoami(tokens, d))).errorClass).toBe('reconnect_needed');
  });
});

describe('sandbox HTTP control API and Date header', () => {
  it('serves info, skews Date, and validates tokens over HTTP', async () => {
    const origin = sb.origins.x;
    const info = (await (await fetch(`${origin}/__sandbox/info`)).json()) as { platform: string; hosts: string[] };
    expect(info).toMatchObject({ platform: 'x', hosts: ['x', 'api'] });
    await fetch(`${origin}/__sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dateSkewMs: 2 * HOUR }) });
    const res = await fetch(`${origin}/2/users/me`);
    const skew = Date.parse(res.headers.get('date')!) - systemClock.now();
    expect(skew).toBeGreaterThan(2 * HOUR - 5_000);
    const v = await (await fetch(`${origin}/__sandbox/validate?token=nope`)).json();
    expect(v).toEqual({ valid: false, reason: 'unknown' });
    const t: TokenSet = (await login(x, deps('x'))).tokens;
    expect(await (await fetch(`${origin}/__sandbox/validate?token=${encodeURIComponent(t.accessToken)}`)).json()).toMatchObject({ valid: true, account: 'alice', kind: 'access' });
  });
});
