/**
 * The publishing engine with a fake platform: live validation with one more
 * refresh, Retry-After honoured, unknown outcomes reconciled instead of re-sent,
 * bounded retries, and a progress bar only on a terminal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createDeps } from '../deps.js';
import { createIO } from '../core/io.js';
import { ProviderError } from '../core/errors.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite.js';
import { SqlitePostStore } from '../store/posts.js';
import type { Provider, Publisher, PublishContext, TokenSet } from '../providers/types.js';
import { engineOptions, processTarget, runTick, type Engine } from './engine.js';

let dir: string;
let store: SqliteStore;
afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Fake {
  en: Engine;
  calls: string[];
  clock: { t: number };
  err(): string;
}

async function setup(o: { publish: Publisher['publish']; reconcile?: Publisher['reconcile']; whoami?: Provider['whoami']; tty?: boolean }): Promise<Fake> {
  dir = mkdtempSync(join(tmpdir(), 'engine-'));
  store = openSqliteStore(join(dir, 'state.db'));
  const calls: string[] = [];
  const clock = { t: Date.UTC(2026, 10, 26, 12) };
  let errText = '';
  const stderr = new Writable({ write: (c, _e, cb) => ((errText += c), cb()) }) as Writable & { isTTY?: boolean };
  if (o.tty) stderr.isTTY = true;
  const env = { SOCIALYNC_HOME: dir };
  const deps = createDeps({
    env,
    io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {} }),
    clock: { now: () => clock.t, sleep: async (ms) => void (clock.t += ms) },
    store: async () => store,
    provider: async () => ({ descriptor: { id: 'x' }, whoami: o.whoami ?? (async () => ({ id: '1', displayName: 'a' })) }) as unknown as Provider,
  });
  deps.providerDeps = async () => ({ http: deps.http, clock: deps.clock, hosts: {}, app: { clientId: 'c' } });
  await store.insertConnection(
    { id: 'c1', platform: 'x', name: 'alice', accountId: '1', username: null, displayName: null, accountType: null, scopes: [], accessExpiresAt: null, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: null, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {} },
    clock.t,
  );
  const posts = new SqlitePostStore(store.db);
  await posts.createPost({ text: 'hi', options: {}, overrides: {}, scheduledAt: clock.t, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: 'c1' }] }, clock.t);
  const publisher: Publisher = {
    validate: () => [],
    publish: async (...a) => (calls.push('publish'), o.publish(...a)),
    reconcile: async (...a) => (calls.push('reconcile'), o.reconcile ? o.reconcile(...a) : { status: 'not_posted' }),
  };
  const en: Engine = {
    deps,
    store,
    posts,
    opts: { owner: 'me', claimTtlMs: 60_000, maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 8000 },
    loadPublisher: async () => publisher,
    freshToken: async (_id, f) => (calls.push(f?.force ? 'refresh:force' : 'token'), { accessToken: f?.force ? 'new' : 'old', scopes: [], obtainedAt: 0 } as TokenSet),
  };
  return { en, calls, clock, err: () => errText };
}

const target = async (f: Fake) => (await f.en.posts.targets(1))[0]!;

describe('publishing engine', () => {
  it('a token the platform rejects gets one more refresh, then publishes with the new token', async () => {
    let used = '';
    const f = await setup({
      whoami: async (t) => {
        if (t.accessToken === 'old') throw new ProviderError('x: 401', { errorClass: 'reconnect_needed' });
        return { id: '1', displayName: 'a' };
      },
      publish: async (_p, t) => ((used = t.accessToken), { remoteId: '42', url: 'https://x.com/i/web/status/42' }),
    });
    const [r] = await runTick(f.en);
    expect(r).toMatchObject({ outcome: 'published', remoteId: '42' });
    expect(f.calls).toEqual(['token', 'refresh:force', 'publish']);
    expect(used).toBe('new');
    expect(await target(f)).toMatchObject({ state: 'published', remoteId: '42', claimedBy: null });
  });

  it("another machine's claim that ends during a long tick is taken over in that tick, not left until the next", async () => {
    const f = await setup({ publish: async (_p, _t, d) => ((f.clock.t += 4000), { remoteId: String(d.clock.now()) }) });
    expect(await f.en.posts.claim(1, 'otherhost/4242/1/dead', 5000, f.clock.t)).toBe('scheduled'); // then that machine died
    await f.en.posts.createPost({ text: 'later', options: {}, overrides: {}, scheduledAt: f.clock.t, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: 'c1' }] }, f.clock.t);
    await f.en.posts.createPost({ text: 'later 2', options: {}, overrides: {}, scheduledAt: f.clock.t, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: 'c1' }] }, f.clock.t);
    const results = await runTick(f.en);
    expect(results.map((r) => [r.targetId, r.outcome])).toEqual([[2, 'published'], [3, 'published'], [1, 'published']]);
    expect(f.calls.filter((c) => c === 'reconcile')).toHaveLength(1); // it may have been sent before the holder died: checked first
  });

  it('a claim that ends mid-batch is taken at the first look after its lease ends (a fifth of a lease), before the targets queued behind', async () => {
    const f = await setup({ publish: async (_p, _t, d) => ((f.clock.t += 4000), { remoteId: String(d.clock.now()) }) });
    f.en.opts.claimTtlMs = 5000; // looks every 1 s of a running tick
    for (const text of ['a', 'b', 'c']) await f.en.posts.createPost({ text, options: {}, overrides: {}, scheduledAt: f.clock.t, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: 'c1' }] }, f.clock.t);
    expect(await f.en.posts.claim(1, 'otherhost/4242/1/dead', 3000, f.clock.t)).toBe('scheduled'); // that machine died at once
    const start = f.clock.t;
    const results = await runTick(f.en);
    expect(results.map((r) => [r.targetId, r.outcome])).toEqual([[2, 'published'], [1, 'published'], [3, 'published'], [4, 'published']]);
    expect(Number(results[1]!.remoteId) - start).toBe(8000); // right after the one upload that was running when its lease ended
    expect(f.calls.filter((c) => c === 'reconcile')).toHaveLength(1);
  });

  it('an account another machine keeps busy for a whole claim lease: the target is given back untouched for a later run, with a message', async () => {
    const f = await setup({ publish: async () => ({ remoteId: '1' }) });
    f.en.opts.claimTtlMs = 5000;
    expect(await f.en.store.tryLock('publish-account:c1', 'otherhost/4242/1/live/t9', 600_000, f.clock.t)).toBe(true); // a stuck upload that still renews
    const start = f.clock.t;
    expect(await runTick(f.en)).toEqual([]);
    expect(f.clock.t - start).toBeGreaterThanOrEqual(5000);
    expect(f.clock.t - start).toBeLessThan(6000);
    expect(await target(f)).toMatchObject({ state: 'scheduled', attempts: 0, claimedBy: null });
    expect(f.err()).toMatch(/x:alice: another process kept this account busy for 5 s \(publish\.claimTtlMs\); post 1 is left for the next run/);
    expect(f.calls).toEqual([]);
    await f.en.store.releaseLock('publish-account:c1', 'otherhost/4242/1/live/t9');
    expect((await runTick(f.en))[0]).toMatchObject({ outcome: 'published' });
  });

  it('a lost hold stops the upload: the claim taken by another machine (skipped, left to it), the account slot taken (retried later)', async () => {
    // A platform that never answers: only the hold's abort ends the call (its own timeout is 30 s).
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/upload`;
    const stoppedAfter: number[] = [];
    const upload = async (d: { http: { fetch(u: string): Promise<unknown> } }) => {
      const t0 = performance.now();
      await d.http.fetch(url).finally(() => stoppedAfter.push(performance.now() - t0));
      return { remoteId: 'never' };
    };
    try {
      let steal = async () => void (await f.en.posts.updateTarget(1, null, { claimedBy: 'otherhost/4242/1/took-over' }, f.clock.t));
      const f = await setup({ publish: async (_p, _t, d) => (await steal(), upload(d)) });
      f.en.opts.claimTtlMs = 300; // heartbeat every 100 ms
      expect(await runTick(f.en)).toEqual([]);
      expect(stoppedAfter[0]).toBeLessThan(2_000);
      expect(await target(f)).toMatchObject({ state: 'publishing', claimedBy: 'otherhost/4242/1/took-over' });
      expect(await f.en.posts.attempts(1)).toEqual([]);

      await f.en.posts.createPost({ text: 'two', options: {}, overrides: {}, scheduledAt: f.clock.t, tz: 'UTC', localTime: '', media: [], targets: [{ platform: 'x', connectionId: 'c1' }] }, f.clock.t);
      f.en.opts.claimTtlMs = 60_000;
      f.en.opts.accountLeaseMs = 300; // renewed every 100 ms
      steal = async () => {
        await f.en.store.releaseLock('publish-account:c1', 'me/t2');
        expect(await f.en.store.tryLock('publish-account:c1', 'otherhost/4242/1/x/t9', 600_000, f.clock.t)).toBe(true);
      };
      const [r] = await runTick(f.en);
      expect(stoppedAfter[1]).toBeLessThan(2_000);
      expect(r).toMatchObject({ targetId: 2, outcome: 'retry_scheduled', errorClass: 'transient', message: expect.stringMatching(/x:alice: lost this account's upload slot/) });
      expect((await f.en.posts.getTarget(2))).toMatchObject({ state: 'scheduled', claimedBy: null });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('rate limited: retried after Retry-After (not sooner), then fails with the reason after maxAttempts', async () => {
    const f = await setup({ publish: async () => Promise.reject(new ProviderError('x: 429', { errorClass: 'rate_limited', retryAfterMs: 120_000 })) });
    const start = f.clock.t;
    expect((await runTick(f.en))[0]).toMatchObject({ outcome: 'retry_scheduled', nextAttemptAt: start + 120_000 });
    expect(await runTick(f.en)).toEqual([]);
    f.clock.t += 120_000;
    expect((await runTick(f.en))[0]!.outcome).toBe('retry_scheduled');
    f.clock.t += 120_000;
    const [last] = await runTick(f.en);
    expect(last).toMatchObject({ outcome: 'failed', errorClass: 'rate_limited', message: 'gave up after 3 attempts: x: 429' });
    expect((await f.en.posts.attempts(1)).map((a) => a.outcome)).toEqual(['retry_scheduled', 'retry_scheduled', 'failed']);
  });

  it('a timeout after the create request was sent becomes unconfirmed; the next tick reconciles it instead of sending again', async () => {
    const f = await setup({
      publish: async (_p, _t, d, ctx: PublishContext) => {
        await ctx.saveCheckpoint({ sent: String(d.clock.now()) });
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }); // undici's dropped socket
      },
      reconcile: async () => ({ status: 'published', result: { remoteId: '7' } }),
    });
    expect((await runTick(f.en))[0]!.outcome).toBe('unconfirmed');
    expect(await target(f)).toMatchObject({ state: 'unconfirmed', checkpoint: { sent: expect.any(String) } });
    f.clock.t += 60_000;
    expect((await runTick(f.en))[0]).toMatchObject({ outcome: 'published', remoteId: '7' });
    expect(f.calls.filter((c) => c === 'publish')).toHaveLength(1);
  });

  it('reconcile that cannot tell leaves the target unconfirmed with a reason and no automatic retry', async () => {
    const f = await setup({
      publish: async (_p, _t, d, ctx) => (await ctx.saveCheckpoint({ sent: String(d.clock.now()) }), Promise.reject(new ProviderError('x: 503', { errorClass: 'transient' }))),
      reconcile: async () => ({ status: 'unknown' }),
    });
    await runTick(f.en);
    f.clock.t += 60_000;
    expect((await runTick(f.en))[0]!.outcome).toBe('unconfirmed');
    const t = await target(f);
    expect(t).toMatchObject({ state: 'unconfirmed', nextAttemptAt: null });
    expect(t.reason).toMatch(/cannot be checked automatically/);
    f.clock.t += 3_600_000;
    expect(await runTick(f.en)).toEqual([]);
  });

  it('invalid requests fail at once; a target claimed by another live publisher is skipped', async () => {
    const f = await setup({ publish: async () => Promise.reject(new ProviderError('x: text too long', { errorClass: 'invalid_request' })) });
    const t = await target(f);
    expect(await f.en.posts.claim(t.id, 'other', 60_000, f.clock.t)).toBe('scheduled');
    expect((await processTarget(f.en, t)).outcome).toBe('skipped');
    f.clock.t += 61_000; // the other publisher died: its claim expired
    expect(await processTarget(f.en, t)).toMatchObject({ outcome: 'failed', message: 'x: text too long' });
    expect(f.calls).toEqual(['token', 'reconcile', 'publish']);
  });

  it('shows upload progress on a terminal only', async () => {
    const prog = async (_p: unknown, _t: unknown, _d: unknown, ctx: PublishContext) => {
      ctx.onProgress?.(50, 100);
      ctx.onProgress?.(100, 100);
      return { remoteId: '1' };
    };
    const tty = await setup({ publish: prog, tty: true });
    await runTick(tty.en);
    expect(tty.err()).toMatch(/x:\S+ +\[█+\] +100% {2}0\.0\/0\.0 MiB .* done/);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    const cron = await setup({ publish: prog });
    await runTick(cron.en);
    expect(cron.err()).toBe('');
  });
});

describe('engineOptions: lease lengths from config', () => {
  const opts = (cfg: Record<string, number>) => engineOptions({ processId: 'p', config: { get: <T,>(k: string) => cfg[k] as T | undefined } } as unknown as Parameters<typeof engineOptions>[0]);

  it("an account's slot never outlives a claim: a 5 s claim gives a 5 s slot lease, so a dead machine's target is not held 60 s", () => {
    expect(opts({ 'publish.claimTtlMs': 5000 }).accountLeaseMs).toBe(5000);
    expect(opts({ 'publish.claimTtlMs': 5000, 'publish.accountLeaseMs': 2000 }).accountLeaseMs).toBe(2000);
  });

  it('the defaults: a 10-minute claim, a 60 s slot lease', () => {
    expect(opts({})).toMatchObject({ claimTtlMs: 600_000, accountLeaseMs: 60_000 });
  });
});
