import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, type Kit } from '../../test/helpers/refresh-kit.js';
import { ProviderError } from '../core/errors.js';
import { HOUR, MINUTE, DAY } from '../core/clock.js';
import { secretKeys } from '../secrets/types.js';
import type { TokenSet } from '../providers/types.js';
import { fakeProvider } from '../../test/helpers/fake-provider.js';
import { ensureFreshToken, refreshConnection } from './refresh.js';
import { saveTokens } from './tokens.js';
import { fingerprint, readJournal, writeJournal } from './journal.js';

type RefreshFn = (t: TokenSet) => Promise<TokenSet>;

const tok = (now: number, o: Partial<TokenSet> = {}): TokenSet => ({ accessToken: 'access-0000', refreshToken: 'refresh-0000', expiresAt: now + 10 * MINUTE, scopes: ['a'], obtainedAt: now - HOUR, ...o });

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.cleanup();
  kit = undefined;
});

function rotating(now: () => number): RefreshFn {
  let n = 0;
  return async (t) => {
    if (!t.refreshToken) throw new Error('no refresh token');
    n++;
    return { accessToken: `access-${n}xyz`, refreshToken: `refresh-${n}xyz`, expiresAt: now() + 2 * HOUR, scopes: [], obtainedAt: now() };
  };
}

describe('refreshConnection', () => {
  it('refreshes a due X connection, persists the rotated token and bumps the generation', async () => {
    const p = fakeProvider('x', {}, async (t) => ({ ...t, accessToken: 'access-new1', refreshToken: 'refresh-new1', expiresAt: kit!.clock.now() + 2 * HOUR, obtainedAt: kit!.clock.now() }));
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    const out = await refreshConnection(kit.deps, c.id);
    expect(out.status).toBe('refreshed');
    const stored = JSON.parse(kit.secrets.map.get(secretKeys.connection(c.id))!) as TokenSet;
    expect(stored.refreshToken).toBe('refresh-new1');
    const after = (await (await kit.deps.store()).getConnection(c.id))!;
    expect(after.tokenGeneration).toBe(c.tokenGeneration + 1);
    expect(after.accessExpiresAt).toBe(kit.clock.now() + 2 * HOUR);
    expect(after.lastRefreshAt).toBe(kit.clock.now());
    // The journal entry written before the request is gone once the new tokens are stored.
    expect(await readJournal(kit.deps.paths, c.id)).toBeUndefined();
  });

  it('does not refresh when more than the threshold is left, and respects the config override', async () => {
    const p = fakeProvider('x', {}, rotating(() => kit!.clock.now()));
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now(), { expiresAt: kit.clock.now() + HOUR }));
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('not_due');
    await kit.deps.config.set('refreshThresholdMinutes.x', 90);
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('refreshed');
    expect(p.calls).toHaveLength(1);
  });

  it('keeps the held refresh token when the platform returns none (Google)', async () => {
    const p = fakeProvider('youtube', { rotates: false, thresholdMinutes: 65 }, async () => ({ accessToken: 'ya29-new', expiresAt: kit!.clock.now() + HOUR, scopes: [], obtainedAt: kit!.clock.now() }));
    kit = makeKit({ providers: { youtube: p } });
    const c = await kit.addConnection('youtube', 'alice', tok(kit.clock.now(), { refreshToken: '1//held-token' }));
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('refreshed');
    const stored = JSON.parse(kit.secrets.map.get(secretKeys.connection(c.id))!) as TokenSet;
    expect(stored.accessToken).toBe('ya29-new');
    expect(stored.refreshToken).toBe('1//held-token');
  });

  it('marks needs_reconnect with the reason only for reconnect_needed, and records an event', async () => {
    const p = fakeProvider('tiktok', { thresholdMinutes: 720 }, async () => {
      throw new ProviderError('tiktok: invalid_grant', { errorClass: 'reconnect_needed', reason: 'refresh_token_expired', status: 400 });
    });
    kit = makeKit({ providers: { tiktok: p } });
    const c = await kit.addConnection('tiktok', 'alice', tok(kit.clock.now()));
    const out = await refreshConnection(kit.deps, c.id);
    expect(out).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_token_expired', hint: 'run: socialync connect tiktok --name alice' });
    const after = (await (await kit.deps.store()).getConnection(c.id))!;
    expect(after).toMatchObject({ health: 'needs_reconnect', reason: 'refresh_token_expired' });
    // Not retried on the next run: the refresh token is dead.
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('reconnect_needed');
    expect(p.calls).toHaveLength(1);
  });

  it('retries transient failures with backoff, honouring Retry-After, and stays healthy when they persist', async () => {
    let n = 0;
    const p = fakeProvider('x', {}, async (t) => {
      n++;
      if (n === 1) throw new ProviderError('x: HTTP 429', { errorClass: 'rate_limited', status: 429, retryAfterMs: 7000 });
      if (n === 2) throw new TypeError('fetch failed');
      return { ...t, accessToken: 'access-ok', refreshToken: 'refresh-ok', expiresAt: kit!.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    const out = await refreshConnection(kit.deps, c.id, { backoffMs: 100 });
    expect(out).toMatchObject({ status: 'refreshed', attempts: 3 });
    expect(kit.clock.sleeps.filter((s) => s >= 50)[0]).toBe(7000);

    const c2 = await kit.addConnection('x', 'bob', tok(kit.clock.now()));
    p.refresh = async () => {
      throw new ProviderError('x: HTTP 503', { errorClass: 'transient', status: 503 });
    };
    const out2 = await refreshConnection(kit.deps, c2.id, { backoffMs: 10, maxAttempts: 3 });
    expect(out2).toMatchObject({ status: 'transient', attempts: 3, errorClass: 'transient' });
    expect((await (await kit.deps.store()).getConnection(c2.id))!.health).toBe('healthy');
  });

  it('gives up at once on a Retry-After longer than the run may wait', async () => {
    const p = fakeProvider('x', {}, async () => {
      throw new ProviderError('x: HTTP 429', { errorClass: 'rate_limited', status: 429, retryAfterMs: 15 * MINUTE });
    });
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    const out = await refreshConnection(kit.deps, c.id);
    expect(out).toMatchObject({ status: 'transient', attempts: 1, errorClass: 'rate_limited' });
  });

  it('a permission or configuration failure is reported as failed, not retried, and the connection stays healthy', async () => {
    const p = fakeProvider('x', {}, async () => {
      throw new ProviderError('x: unauthorized_client "Missing valid authorization header"', { errorClass: 'permission', status: 401, platformCode: 'unauthorized_client' });
    });
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    const out = await refreshConnection(kit.deps, c.id);
    expect(out).toMatchObject({ status: 'failed', errorClass: 'permission', attempts: 1 });
    expect((await (await kit.deps.store()).getConnection(c.id))!.health).toBe('healthy');
  });

  it('retries once with the newer token when a rotating refresh is rejected after another writer stored new tokens', async () => {
    const p = fakeProvider('x', {}, async (t) => {
      const k = kit!;
      if (t.refreshToken === 'refresh-0000') {
        // Someone (e.g. `connect`) stored newer tokens without the lock; the old token is now spent.
        const conn = (await (await k.deps.store()).getConnection('cx'))!;
        await saveTokens(k.deps, conn, { ...t, accessToken: 'access-other', refreshToken: 'refresh-other' });
        throw new ProviderError('x: invalid_request', { errorClass: 'reconnect_needed', reason: 'refresh_token_expired' });
      }
      return { ...t, accessToken: 'access-final', refreshToken: 'refresh-final', expiresAt: k.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { x: p } });
    await kit.addConnection('x', 'alice', tok(kit.clock.now()), { id: 'cx' });
    const out = await refreshConnection(kit.deps, 'cx');
    expect(out.status).toBe('refreshed');
    expect(p.calls.map((t) => t.refreshToken)).toEqual(['refresh-0000', 'refresh-other']);
    expect(JSON.parse(kit.secrets.map.get(secretKeys.connection('cx'))!).refreshToken).toBe('refresh-final');
  });

  it('serializes concurrent refreshes of one connection: the token is spent once', async () => {
    const p = fakeProvider('tiktok', { thresholdMinutes: 720 }, async (t) => {
      await new Promise((r) => setTimeout(r, 30));
      return { ...t, accessToken: `a-${t.refreshToken}`, refreshToken: `${t.refreshToken}+`, expiresAt: kit!.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { tiktok: p } });
    const c = await kit.addConnection('tiktok', 'alice', tok(kit.clock.now()));
    const outs = await Promise.all(Array.from({ length: 5 }, () => refreshConnection(kit!.deps, c.id)));
    expect(p.calls).toHaveLength(1);
    expect(outs.filter((o) => o.status === 'refreshed')).toHaveLength(1);
    expect(outs.filter((o) => o.status === 'already_refreshed' || o.status === 'not_due')).toHaveLength(4);
  });

  it('does not refresh again right after a refresh even if the lifetime is below the threshold (TikTok 2 h vs 12 h)', async () => {
    const p = fakeProvider('tiktok', { thresholdMinutes: 720 }, rotating(() => kit!.clock.now()));
    kit = makeKit({ providers: { tiktok: p } });
    const c = await kit.addConnection('tiktok', 'alice', tok(kit.clock.now()));
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('refreshed');
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('not_due');
    kit.clock.t += HOUR;
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('refreshed');
    expect(p.calls).toHaveLength(2);
  });

  it('Instagram: waits until the token is 24 h old; LinkedIn without a refresh token: reconnect soon, token only checked', async () => {
    const ig = fakeProvider('instagram', { kind: 'ig_refresh', rotates: false, thresholdMinutes: 15 * 24 * 60 }, async (t) => ({ ...t, accessToken: 'IGnew', expiresAt: kit!.clock.now() + 60 * DAY, obtainedAt: kit!.clock.now() }));
    // Like the real provider: no refresh token -> checks the token and hands the same object back.
    const li = fakeProvider('linkedin', { rotates: false, thresholdMinutes: 30 * 24 * 60 }, async (t) => t);
    kit = makeKit({ providers: { instagram: ig, linkedin: li } });
    const now = kit.clock.now();
    const young = await kit.addConnection('instagram', 'young', tok(now, { refreshToken: undefined, expiresAt: now + 10 * DAY, obtainedAt: now - HOUR }));
    const old = await kit.addConnection('instagram', 'old', tok(now, { refreshToken: undefined, expiresAt: now + 10 * DAY, obtainedAt: now - 50 * DAY }));
    const lic = await kit.addConnection('linkedin', 'li', tok(now, { refreshToken: undefined, expiresAt: now + 20 * DAY }));
    expect((await refreshConnection(kit.deps, young.id)).status).toBe('not_due');
    expect((await refreshConnection(kit.deps, old.id)).status).toBe('refreshed');
    expect((await refreshConnection(kit.deps, lic.id)).status).toBe('reconnect_soon');
    expect(ig.calls).toHaveLength(1);
    expect(li.calls).toHaveLength(1);
    const after = (await (await kit.deps.store()).getConnection(lic.id))!;
    expect(after.tokenGeneration).toBe(lic.tokenGeneration);
  });

  it('after a refresh that died half-way (journal entry left), the next run tries the token once and names the interruption', async () => {
    let answer: 'refuse' | 'ok' = 'refuse';
    const p = fakeProvider('tiktok', { thresholdMinutes: 720 }, async (t) => {
      if (answer === 'refuse') throw new ProviderError('tiktok: invalid_grant', { errorClass: 'reconnect_needed', status: 400 });
      return { ...t, accessToken: 'access-after', refreshToken: 'refresh-after', expiresAt: kit!.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { tiktok: p } });
    const now = kit.clock.now();
    const clean = await kit.addConnection('tiktok', 'clean', tok(now, { expiresAt: now + 2 * HOUR }), { lastRefreshAt: now - MINUTE });
    const died = await kit.addConnection('tiktok', 'died', tok(now, { expiresAt: now + 2 * HOUR }), { lastRefreshAt: now - 5 * MINUTE });
    const alive = await kit.addConnection('tiktok', 'alive', tok(now, { expiresAt: now + 2 * HOUR, refreshToken: 'refresh-alive' }), { lastRefreshAt: now - 5 * MINUTE });
    const entry = (id: string, rt: string) => ({ connectionId: id, state: 'sent' as const, at: now - 2 * MINUTE, generation: 1, fingerprint: fingerprint(rt), owner: 'h/1//x' });
    await writeJournal(kit.deps.paths, entry(died.id, 'refresh-0000'));
    await writeJournal(kit.deps.paths, entry(alive.id, 'refresh-alive'));
    // No entry: "refreshed a minute ago" is trusted.
    expect((await refreshConnection(kit.deps, clean.id)).status).toBe('not_due');
    expect(p.calls).toHaveLength(0);
    // The platform refuses the token: it was rotated by the request that got no answer. One call, no retry.
    const out = await refreshConnection(kit.deps, died.id);
    expect(out).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_interrupted', hint: 'run: socialync connect tiktok --name died' });
    expect(out.detail).toMatch(/^refresh interrupted: the platform may have rotated the token/);
    expect(p.calls).toHaveLength(1);
    expect((await (await kit.deps.store()).getConnection(died.id))!.reason).toBe('refresh_interrupted');
    // The platform never got the interrupted request: the old token still works.
    answer = 'ok';
    expect((await refreshConnection(kit.deps, alive.id)).status).toBe('refreshed');
    expect(await readJournal(kit.deps.paths, alive.id)).toBeUndefined();
    expect(JSON.parse(kit.secrets.map.get(secretKeys.connection(alive.id))!).refreshToken).toBe('refresh-after');
  });

  it('a journal entry about an older token (the refresh finished, its bookkeeping did not) is dropped, not reported', async () => {
    const p = fakeProvider('x', {}, rotating(() => kit!.clock.now()));
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    await writeJournal(kit.deps.paths, { connectionId: c.id, state: 'sent', at: kit.clock.now(), generation: 1, fingerprint: fingerprint('refresh-older'), owner: 'h/1//x' });
    expect((await refreshConnection(kit.deps, c.id)).status).toBe('refreshed');
    expect(await readJournal(kit.deps.paths, c.id)).toBeUndefined();
  });

  it('a spent token (new tokens lost) is never sent again, not even with --force', async () => {
    const p = fakeProvider('x', {}, rotating(() => kit!.clock.now()));
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    await writeJournal(kit.deps.paths, { connectionId: c.id, state: 'spent', at: kit.clock.now(), generation: 1, fingerprint: fingerprint('refresh-0000'), owner: 'h/1//x', detail: 'ENOSPC' });
    for (const force of [false, true]) {
      expect(await refreshConnection(kit.deps, c.id, { force })).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_interrupted' });
    }
    expect(p.calls).toHaveLength(0);
  });

  it('a vault that cannot take the rotated tokens: retried, then set aside; the spent token is never sent again', async () => {
    const p = fakeProvider('x', {}, rotating(() => kit!.clock.now()));
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    const key = secretKeys.connection(c.id);
    const full = Object.assign(new Error("ENOSPC: no space left on device, open '/v/.tmp-1'"), { code: 'ENOSPC' });
    const aside = new Map<string, string>();
    const realSet = kit.secrets.set.bind(kit.secrets);
    let setCalls = 0;
    let failing = true;
    kit.secrets.set = async (k, v) => {
      if (!failing) return realSet(k, v);
      setCalls++;
      throw full;
    };
    Object.assign(kit.secrets, { setAside: async (k: string, v: string) => (aside.set(k, v), '/elsewhere/recovery/x.sec') });
    const out = await refreshConnection(kit.deps, c.id);
    expect(p.calls).toHaveLength(1);
    expect(setCalls).toBe(3);
    expect(out).toMatchObject({ status: 'failed', storedAside: '/elsewhere/recovery/x.sec' });
    expect(out.detail).toContain('ENOSPC: no space left on device');
    expect(out.detail).not.toContain('.tmp-');
    expect(out.hint).toMatch(/^free space in .*vault/);
    expect(JSON.parse(aside.get(key)!).refreshToken).toBe('refresh-1xyz');
    expect((await (await kit.deps.store()).getConnection(c.id))!.health).toBe('healthy');
    // Nowhere at all: the tokens are lost, the old token is journaled as spent and never sent again.
    failing = false;
    const c2 = await kit.addConnection('x', 'bob', tok(kit.clock.now()));
    failing = true;
    Object.assign(kit.secrets, { setAside: async () => { throw full; } });
    expect(await refreshConnection(kit.deps, c2.id)).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_interrupted' });
    expect(await readJournal(kit.deps.paths, c2.id)).toMatchObject({ state: 'spent', fingerprint: fingerprint('refresh-0000') });
    failing = false;
    expect(await refreshConnection(kit.deps, c2.id, { force: true })).toMatchObject({ status: 'reconnect_needed', reason: 'refresh_interrupted' });
    expect(p.calls).toHaveLength(2);
  });

  it('--dry-run reports what would be refreshed and changes nothing', async () => {
    const p = fakeProvider('x', {}, rotating(() => kit!.clock.now()));
    kit = makeKit({ providers: { x: p } });
    const c = await kit.addConnection('x', 'alice', tok(kit.clock.now()));
    expect((await refreshConnection(kit.deps, c.id, { dryRun: true })).status).toBe('would_refresh');
    expect(p.calls).toHaveLength(0);
  });
});

describe('ensureFreshToken', () => {
  it('returns the stored token when fresh, refreshes an expired one, and throws reconnect_needed when broken', async () => {
    let fail = false;
    const p = fakeProvider('x', {}, async (t) => {
      if (fail) throw new ProviderError('x: invalid_request', { errorClass: 'reconnect_needed', reason: 'platform_revoked' });
      return { ...t, accessToken: 'access-fresh', refreshToken: 'refresh-fresh', expiresAt: kit!.clock.now() + 2 * HOUR };
    });
    kit = makeKit({ providers: { x: p } });
    const now = kit.clock.now();
    const fresh = await kit.addConnection('x', 'fresh', tok(now, { expiresAt: now + HOUR }));
    const expired = await kit.addConnection('x', 'expired', tok(now, { expiresAt: now - MINUTE }));
    expect((await ensureFreshToken(kit.deps, fresh.id)).accessToken).toBe('access-0000');
    expect((await ensureFreshToken(kit.deps, expired.id)).accessToken).toBe('access-fresh');
    fail = true;
    const err = await ensureFreshToken(kit.deps, fresh.id, { force: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ errorClass: 'reconnect_needed', reason: 'platform_revoked' });
  });
});
