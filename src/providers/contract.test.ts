/**
 * One contract suite over every registered provider, against the real sandbox
 * over HTTP (STYLE.md §3): every platform in PLATFORMS (src/providers/types.ts) and Instagram's
 * Facebook Login variant. A provider or sandbox module that fails to load fails its own test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { systemClock, HOUR } from '../core/clock.js';
import { createHttp } from '../core/http.js';
import { ProviderError } from '../core/errors.js';
import { challengeS256, challengeS256Hex, generateVerifier } from '../auth/pkce.js';
import { startSandbox, loadSandboxModule, type Sandbox } from '../sandbox/server.js';
import { loadProvider } from './registry.js';
import { consentVia, type ConsentChoice } from '../../test/helpers/sandbox-consent.js';
import { PLATFORMS, type PlatformId, type Provider, type ProviderDeps, type TokenSet } from './types.js';

/** `server`: the sandbox playing it (Instagram with Facebook Login runs on Facebook's). */
interface Entry {
  id: PlatformId;
  name: string;
  provider: Provider;
  server: PlatformId;
}

/** Platforms without a token-revocation endpoint for user tokens (docs/platforms/instagram.md, threads.md#oauth, pinterest.md#oauth). */
const NO_REVOKE_API = ['instagram', 'threads', 'pinterest'];

/** The Instagram variant picked by `app set instagram --login facebook`. */
const IG_FACEBOOK_LOGIN = 'instagram (facebook login)';
const facebookLoginConfig = { get: <T>(k: string) => (k === 'apps.instagram.login' ? ('facebook' as T) : undefined) };

/**
 * Every registered platform plus the Instagram Facebook-Login variant. A provider or sandbox module
 * that fails to load is kept with its error, so its own test fails naming it instead of the
 * platform silently dropping out of the suite.
 */
async function load(): Promise<{ entries: Entry[]; failures: Map<string, unknown> }> {
  const entries: Entry[] = [];
  const failures = new Map<string, unknown>();
  const wanted: [name: string, id: PlatformId, server: PlatformId, config?: typeof facebookLoginConfig][] = [
    ...PLATFORMS.map((id): [string, PlatformId, PlatformId] => [id, id, id]),
    [IG_FACEBOOK_LOGIN, 'instagram', 'facebook', facebookLoginConfig],
  ];
  for (const [name, id, server, config] of wanted) {
    try {
      const provider = await loadProvider(id, config);
      await loadSandboxModule(server);
      entries.push({ id, name, provider, server });
    } catch (e) {
      failures.set(name, e);
    }
  }
  return { entries, failures };
}
const { entries: registered, failures } = await load();

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ platforms: [...new Set(registered.map((r) => r.server))] });
});
afterAll(() => sb?.close());

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

/** The consent page must render (no demo mode here), then the form is posted over HTTP. */
async function consent(authorizeUrl: URL, o: ConsentChoice = {}): Promise<URL> {
  const page = await (await fetch(authorizeUrl, { redirect: 'manual' })).text();
  expect(page).toContain('<button id="approve"');
  return consentVia(authorizeUrl, o);
}

describe.each(registered)('provider contract: $name', ({ id, name, provider, server }) => {
  const desc = provider.descriptor;
  const scopes = desc.scopes.map((s) => s.scope);
  const r = desc.redirect;
  const redirectUri = `${r.https ? 'https' : 'http'}://${r.host}:${r.port === 'any' ? 54_321 : r.port}${r.path}`;
  let offset = 0;
  let d: ProviderDeps;
  beforeEach(() => {
    offset = 0;
    sb.control.platform(server).reset();
    const app = sb.allApps[server][0]!;
    d = {
      http: createHttp({ timeoutMs: 5_000 }),
      // Providers' retry pauses return at once: the suite stays fast and bounded.
      clock: { now: () => systemClock.now() + offset, sleep: async () => undefined },
      hosts: Object.fromEntries(Object.keys(desc.hosts).map((h) => [h, sb.endpoints()[id]![h]!])),
      app: { clientId: app.clientId, clientSecret: app.clientSecret, ...(app.clientType ? { clientType: app.clientType } : {}), ...(app.flags ? { flags: app.flags } : {}) },
      ...(desc.apiVersion ? { apiVersion: desc.apiVersion } : {}),
    };
  });
  /** Moves the provider's and the sandbox's clocks together. */
  const advance = (ms: number) => {
    offset += ms;
    sb.control.platform(server).clock({ offsetMs: offset });
  };

  /**
   * The authorization request: buildAuthorizeUrl + exchangeCode, or, where the platform's library
   * owns state, PKCE and DPoP (Bluesky), startLogin with the account as login hint.
   */
  async function beginLogin(state: string, verifier: string, account = 'alice'): Promise<{ url: URL; state: string; exchange(cb: URL): Promise<TokenSet> }> {
    if (provider.startLogin) {
      const p = await provider.startLogin({ redirectUri, loginHint: `${account}.bsky.social` }, d);
      return { url: p.url, state: p.state, exchange: (cb) => p.exchange(Object.fromEntries(cb.searchParams)) };
    }
    const url = provider.buildAuthorizeUrl({ redirectUri, state, codeVerifier: verifier, scopes }, d);
    return { url, state, exchange: (cb) => provider.exchangeCode({ code: cb.searchParams.get('code')!, redirectUri, codeVerifier: verifier, callbackParams: Object.fromEntries(cb.searchParams) }, d) };
  }

  async function connect(account = 'alice'): Promise<{ tokens: TokenSet; verifier: string; callback: URL }> {
    const verifier = generateVerifier();
    const login = await beginLogin(`st-${account}`, verifier, account);
    const callback = await consent(login.url, { account });
    expect(callback.searchParams.get('state')).toBe(login.state);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await login.exchange(callback);
    return { tokens, verifier, callback };
  }

  it('the sandbox serves every host the descriptor names (so env/config overrides cover all of them)', () => {
    const variants = registered.filter((r) => r.id === id).flatMap((r) => Object.keys(r.provider.descriptor.hosts));
    expect(Object.keys(sb.endpoints()[id]!).sort()).toEqual([...new Set(variants)].sort());
    for (const h of Object.keys(desc.hosts)) expect(sb.hostEnv()[`SOCIALYNC_${id.toUpperCase()}_${h.toUpperCase()}_URL`]).toBe(sb.origins[server]);
  });

  it('builds an authorize URL the sandbox accepts, with the platform PKCE format', async () => {
    if (provider.startLogin) {
      // PAR (docs/platforms/bluesky.md#oauth): the browser gets only client_id and request_uri; PKCE went in the pushed request.
      const login = await beginLogin('unused', generateVerifier());
      expect(login.url.origin).toBe(sb.origins[server]);
      expect(login.url.searchParams.get('client_id')).toMatch(/^http:\/\/localhost\?/);
      expect(login.url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      expect(login.url.searchParams.get('code_challenge')).toBeNull();
      expect(await (await fetch(login.url)).text()).toContain('sandbox — authorize');
      return;
    }
    const verifier = generateVerifier();
    const url = provider.buildAuthorizeUrl({ redirectUri, state: 'st-1', codeVerifier: verifier, scopes }, d);
    expect(url.origin).toBe(sb.origins[server]);
    expect([...url.searchParams.values()]).toContain(d.app.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(redirectUri);
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(url.searchParams.get('scope')).toBe(scopes.join(desc.scopeSeparator));
    const expected = { S256: challengeS256(verifier), 'S256-hex': challengeS256Hex(verifier), none: null }[desc.pkce];
    expect(url.searchParams.get('code_challenge')).toBe(expected);
    const page = await (await fetch(url)).text();
    expect(page).toContain('sandbox — authorize');
  });

  it('connects: consent, code exchange, who-am-I (stable id per account)', async () => {
    const t0 = d.clock.now();
    const { tokens } = await connect('alice');
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.obtainedAt).toBeGreaterThanOrEqual(t0);
    if (tokens.expiresAt !== undefined) expect(tokens.expiresAt).toBeGreaterThan(t0);
    expect(sb.control.validate(tokens.accessToken)).toMatchObject({ valid: true, account: 'alice' });
    const me = await provider.whoami(tokens, d);
    expect(me.id).toBeTruthy();
    expect(provider.unsupportedAccount?.(me)).toBeUndefined();
    const again = await provider.whoami((await connect('alice')).tokens, d);
    expect(again.id).toBe(me.id);
    const bob = await provider.whoami((await connect('bob')).tokens, d);
    expect(bob.id).not.toBe(me.id);
  });

  it('deny comes back as an error redirect with the state', async () => {
    const login = await beginLogin('st-deny', generateVerifier());
    const cb = await consent(login.url, { decision: 'deny' });
    expect(cb.searchParams.get('error')).toMatch(/denied|cancel/);
    expect(cb.searchParams.get('state')).toBe(login.state);
  });

  it('a replayed code is refused and is not a reconnect', async () => {
    const login = await beginLogin('s', generateVerifier());
    const cb = await consent(login.url);
    await login.exchange(cb);
    const e = await rejection(login.exchange(cb));
    expect(e.errorClass).not.toBe('transient');
    expect(e.errorClass).not.toBe('reconnect_needed');
  });

  it('refreshes by its own mechanism; rotation respected; the refresh token is never lost', async () => {
    const { tokens } = await connect();
    advance(25 * HOUR); // old enough for Instagram's 24 h rule, past TikTok/X/Google access lifetimes
    const before = sb.control.platform(server).stats();
    const next = await provider.refresh(tokens, d);
    expect(next.accessToken).toBeTruthy();
    expect(sb.control.validate(next.accessToken).valid).toBe(true);
    expect((await provider.whoami(next, d)).id).toBeTruthy();
    if (desc.refresh.kind === 'check') {
      // No refresh grant: the same token comes back with the deadlines the platform reports, and
      // nothing was exchanged (the platform documents no renewal).
      expect(next.accessToken).toBe(tokens.accessToken);
      expect(next.refreshToken).toBeUndefined();
      expect(next.expiresAt).toBe(tokens.expiresAt);
      if (id === 'mastodon') {
        // Tokens that never expire: no deadline to report (docs/platforms/mastodon.md#lifetimes).
        expect(next.expiresAt).toBeUndefined();
        expect(next.refreshExpiresAt).toBeUndefined();
      } else {
        expect(next.refreshExpiresAt).toBeGreaterThan(d.clock.now());
        expect(next.refreshExpiresEstimated).toBe(false);
      }
      expect(sb.control.platform(server).stats().tokenCalls).toBe(before.tokenCalls);
      return;
    }
    expect(next.accessToken).not.toBe(tokens.accessToken);
    if (tokens.refreshToken) expect(next.refreshToken).toBeTruthy();
    if (desc.refresh.rotates) {
      expect(next.refreshToken).not.toBe(tokens.refreshToken);
      const reused = await rejection(provider.refresh(tokens, d));
      expect(reused.errorClass).toBe('reconnect_needed');
      expect(sb.control.platform(server).stats().reusedRefreshTokens).toBe(1);
    } else if (tokens.refreshToken) {
      expect(next.refreshToken).toBe(tokens.refreshToken);
    }
  });

  it('revoke (every platform but Instagram Login, Threads and Pinterest, which have no revocation API for user tokens) kills the tokens at the platform', async () => {
    expect(Boolean(provider.revoke)).toBe(!NO_REVOKE_API.includes(name));
    if (!provider.revoke) return;
    const { tokens } = await connect();
    await provider.revoke(tokens, d);
    expect(sb.control.validate(tokens.accessToken).valid).toBe(false);
    expect((await rejection(provider.whoami(tokens, d))).errorClass).toBe('reconnect_needed');
  });

  it('classifies injected faults: 503 and dropped connections transient, 429 rate limited with a delay', async () => {
    const { tokens } = await connect();
    const c = sb.control.platform(server);
    c.fault({ status: 503 });
    expect((await rejection(provider.whoami(tokens, d))).errorClass).toBe('transient');
    c.fault({ dropConnection: true });
    expect((await rejection(provider.whoami(tokens, d))).errorClass).toBe('transient');
    c.fault({ status: 429, headers: { 'retry-after': '7' } });
    const limited = await rejection(provider.whoami(tokens, d));
    expect(limited.errorClass).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(7_000);
    expect((await provider.whoami(tokens, d)).id).toBeTruthy();
    advance(25 * HOUR); // so that every platform's refresh really calls out (Instagram: >= 24 h)
    c.fault({ status: 502 });
    expect((await rejection(provider.refresh(tokens, d))).errorClass).toBe('transient');
  });

  it('a revoked grant is reconnect_needed with a reason, at refresh and at who-am-I', async () => {
    const { tokens } = await connect();
    sb.control.platform(server).revoke('alice');
    const who = await rejection(provider.whoami(tokens, d));
    expect(who.errorClass).toBe('reconnect_needed');
    expect(who.reason).toBeTruthy();
    advance(25 * HOUR);
    const ref = await rejection(provider.refresh(tokens, d));
    expect(ref.errorClass).toBe('reconnect_needed');
    expect(ref.reason).toBeTruthy();
  });
});

it.each([...PLATFORMS, IG_FACEBOOK_LOGIN])('%s: provider and sandbox load', (name) => {
  const e = failures.get(name);
  if (e) throw new Error(`${name} failed to load: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  expect(registered.map((r) => r.name)).toContain(name);
});

it('the suite runs over every registered platform and the Instagram Facebook-Login variant', () => {
  expect(registered.map((r) => r.name).sort()).toEqual([...PLATFORMS, IG_FACEBOOK_LOGIN].sort());
});

it('Facebook Login and Mastodon declare the check refresh kind; every other provider refreshes by a grant', () => {
  const kinds = Object.fromEntries(registered.map((r) => [r.name, r.provider.descriptor.refresh.kind]));
  expect(kinds).toEqual({
    facebook: 'check',
    [IG_FACEBOOK_LOGIN]: 'check',
    instagram: 'ig_refresh',
    tiktok: 'refresh_token',
    youtube: 'refresh_token',
    x: 'refresh_token',
    linkedin: 'refresh_token',
    bluesky: 'refresh_token',
    threads: 'ig_refresh',
    pinterest: 'refresh_token',
    mastodon: 'check',
  });
});
