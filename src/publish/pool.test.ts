/**
 * The publishing pool's limits with a fake clock and fake targets: global concurrency, per
 * platform, per account (one at a time), a rate-limit pause that holds only its account (or its
 * platform), a long pause left to a later run, and --limit.
 */
import { describe, expect, it } from 'vitest';
import type { PlatformId } from '../providers/types.js';
import type { Target } from '../store/posts.js';
import { Pauses, poolLimits, runPool, type Pause, type PoolLimits } from './pool.js';

const target = (id: number, platform: PlatformId, connectionId: string) => ({ id, platform, connectionId }) as Target;

interface Seen {
  outcome: string;
  id: number;
  startedAt: number;
  pause?: Pause;
}

/** Runs the pool over `targets`; each run takes `ms` of fake time; records peak concurrency per key. */
async function pool(
  targets: Target[],
  limits: Partial<PoolLimits>,
  o: { ms?: number | ((t: Target) => number); pauseOn?: (t: Target, now: number) => Pause | undefined; limit?: number; ended?: { at: number; t: Target }[]; everyMs?: number; announceEnds?: boolean } = {},
) {
  let now = 0;
  const timers: { at: number; fire: () => void }[] = [];
  const sleep = (ms: number) => new Promise<void>((r) => timers.push({ at: now + ms, fire: r }));
  // Fake time: when every job waits, jump to the next timer.
  const tick = setInterval(() => {
    timers.sort((a, b) => a.at - b.at);
    const t = timers.shift();
    if (t) {
      now = Math.max(now, t.at);
      t.fire();
    }
  }, 1);
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const bump = (k: string, d: number) => {
    const n = (inFlight.get(k) ?? 0) + d;
    inFlight.set(k, n);
    peak.set(k, Math.max(peak.get(k) ?? 0, n));
  };
  let left = [...targets];
  // Claims another holder left (it died): each shows up once its lease has ended, to whichever read comes first.
  const ended = [...(o.ended ?? [])];
  const endedNow = () => ended.filter((e) => e.at <= now).map((e) => (ended.splice(ended.indexOf(e), 1), e.t));
  const looks: number[] = [];
  try {
    const results = await runPool<Seen>({
      limits: { concurrency: 8, perPlatform: {}, perAccount: {}, maxPauseWaitMs: 30_000, ...limits },
      pauses: new Pauses(),
      now: () => now,
      sleep,
      stopped: () => false,
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      fetch: async () => {
        const batch = left.slice(0, 5);
        left = left.slice(5);
        return batch.length ? batch : endedNow();
      },
      ...(o.everyMs
        ? {
            takeovers: {
              everyMs: o.everyMs,
              fetch: async () => (looks.push(now), endedNow()),
              // The claims a look sees still running end when their holders stop renewing them.
              ...(o.announceEnds ? { nextEndAt: () => ended.reduce<number | undefined>((m, e) => Math.min(m ?? Infinity, e.at), undefined) } : {}),
              wake: (ms: number) => sleep(ms),
            },
          }
        : {}),
      run: async (t) => {
        const keys = ['all', t.platform, t.connectionId];
        keys.forEach((k) => bump(k, 1));
        const startedAt = now;
        await sleep(typeof o.ms === 'function' ? o.ms(t) : (o.ms ?? 100));
        keys.forEach((k) => bump(k, -1));
        const pause = o.pauseOn?.(t, now);
        return { outcome: 'published', id: t.id, startedAt, ...(pause ? { pause } : {}) };
      },
    });
    return { results, peak, now: () => now, looks };
  } finally {
    clearInterval(tick);
  }
}

describe('publishing pool', () => {
  it('never runs two targets of one account at once, and stays within the global concurrency', async () => {
    const ts = Array.from({ length: 30 }, (_, i) => target(i, 'x', `acct${i % 3}`));
    const r = await pool(ts, { concurrency: 8 });
    expect(r.results).toHaveLength(30);
    for (const a of ['acct0', 'acct1', 'acct2']) expect(r.peak.get(a)).toBe(1);
    const many = Array.from({ length: 40 }, (_, i) => target(i, 'linkedin', `a${i}`));
    const g = await pool(many, { concurrency: 6 });
    expect(g.results).toHaveLength(40);
    expect(g.peak.get('all')).toBe(6);
  });

  it('a per-account limit of 2 allows two at once, and a per-platform limit holds the platform', async () => {
    const ts = Array.from({ length: 12 }, (_, i) => target(i, i % 2 ? 'youtube' : 'x', i % 2 ? `yt${i % 6}` : 'solo'));
    const r = await pool(ts, { concurrency: 10, perAccount: { x: 2 }, perPlatform: { youtube: 2 } });
    expect(r.results).toHaveLength(12);
    expect(r.peak.get('solo')).toBe(2);
    expect(r.peak.get('youtube')).toBe(2);
  });

  it('a rate limit pauses only its account until the time given; the others keep going', async () => {
    const ts = [target(1, 'x', 'limited'), target(2, 'x', 'limited'), target(3, 'x', 'other'), target(4, 'x', 'other'), target(5, 'x', 'other')];
    const r = await pool(ts, { concurrency: 4 }, { pauseOn: (t, now) => (t.id === 1 ? { scope: 'account', until: now + 5_000 } : undefined) });
    const at = (id: number) => r.results.find((x) => x.id === id)!.startedAt;
    expect(r.results).toHaveLength(5);
    expect(at(2)).toBeGreaterThanOrEqual(5_100); // after the pause, not at 100 ms
    expect(at(5)).toBe(200); // the other account went on one after another
  });

  it('a platform-wide pause holds every account of that platform, not other platforms', async () => {
    const ts = [target(1, 'youtube', 'a'), target(2, 'youtube', 'b'), target(3, 'x', 'c'), target(4, 'x', 'c')];
    const r = await pool(ts, { concurrency: 1 }, { pauseOn: (t, now) => (t.id === 1 ? { scope: 'platform', until: now + 2_000 } : undefined) });
    const at = (id: number) => r.results.find((x) => x.id === id)!.startedAt;
    expect(at(3)).toBe(100);
    expect(at(4)).toBe(200);
    expect(at(2)).toBeGreaterThanOrEqual(2_100);
  });

  it('a pause longer than maxPauseWaitMs leaves the account to a later run (its targets stay scheduled)', async () => {
    const ts = [target(1, 'instagram', 'capped'), target(2, 'instagram', 'capped'), target(3, 'instagram', 'free')];
    const r = await pool(ts, { concurrency: 4, maxPauseWaitMs: 30_000 }, { pauseOn: (t, now) => (t.id === 1 ? { scope: 'account', until: now + 3_600_000 } : undefined) });
    expect(r.results.map((x) => x.id).sort()).toEqual([1, 3]);
    expect(r.now()).toBeLessThan(1_000);
  });

  it('--limit stops starting new targets once reached', async () => {
    const ts = Array.from({ length: 20 }, (_, i) => target(i, 'x', `a${i}`));
    const r = await pool(ts, { concurrency: 4 }, { limit: 6 });
    expect(r.results).toHaveLength(6);
  });

  it('a claim that ends while a long batch runs is started within one look interval, before the batch finishes', async () => {
    const long = [target(1, 'youtube', 'a'), target(2, 'youtube', 'b')];
    const orphan = target(3, 'youtube', 'c'); // a dead machine's claim, ended at 3 s
    const ms = (t: Target) => (t.id === 3 ? 500 : 10_000);
    const r = await pool(long, { concurrency: 4 }, { ms, ended: [{ at: 3_000, t: orphan }], everyMs: 1_000 });
    const at = (id: number) => r.results.find((x) => x.id === id)!.startedAt;
    expect(at(3)).toBeGreaterThanOrEqual(3_000);
    expect(at(3)).toBeLessThanOrEqual(4_000); // within one interval of its end, not at 10 s when the batch drains
    expect(r.looks.length).toBeGreaterThanOrEqual(3);
    expect(r.looks.length).toBeLessThanOrEqual(11); // one look per interval while targets run, not a busy loop
    // Without the periodic look, the same target waits for the batch (what the kill -9 bench measured).
    const old = await pool(long, { concurrency: 4 }, { ms, ended: [{ at: 3_000, t: orphan }] });
    expect(old.results.find((x) => x.id === 3)!.startedAt).toBe(10_000);
  });

  it('a claim seen to end before the next look is looked at the moment it ends (no wait for the interval)', async () => {
    const long = [target(1, 'youtube', 'a'), target(2, 'youtube', 'b')];
    const orphan = target(3, 'youtube', 'c'); // a dead machine's claim, ending at 2.3 s
    const ms = (t: Target) => (t.id === 3 ? 500 : 10_000);
    const r = await pool(long, { concurrency: 4 }, { ms, ended: [{ at: 2_300, t: orphan }], everyMs: 1_000, announceEnds: true });
    const started = r.results.find((x) => x.id === 3)!.startedAt;
    expect(started).toBeGreaterThanOrEqual(2_300);
    expect(started).toBeLessThanOrEqual(2_301); // at its end, not at the next interval (3 s)
    const plain = await pool(long, { concurrency: 4 }, { ms, ended: [{ at: 2_300, t: orphan }], everyMs: 1_000 });
    expect(plain.results.find((x) => x.id === 3)!.startedAt).toBe(3_000);
  });

  it('a taken-over target goes before the queued ones, and a target read twice runs once', async () => {
    const queued = Array.from({ length: 4 }, (_, i) => target(i + 1, 'x', 'busy')); // one account: one at a time
    const orphan = target(9, 'x', 'busy');
    const twice = target(4, 'x', 'busy'); // already queued: another read of it must not add a second run
    const r = await pool(queued, { concurrency: 4 }, { ms: 1_000, ended: [{ at: 1_500, t: orphan }, { at: 1_500, t: twice }], everyMs: 500 });
    expect(r.results.map((x) => x.id)).toEqual([1, 2, 9, 3, 4]);
  });

  it('limits come from config, with defaults and a floor of 1', () => {
    const cfg = (v: Record<string, unknown>) => ({ get: <T>(k: string) => v[k] as T | undefined });
    const d = poolLimits(cfg({}));
    expect(d.concurrency).toBe(64);
    expect(d.perAccount.tiktok).toBe(1);
    expect(d.perPlatform.youtube).toBe(32);
    const c = poolLimits(cfg({ 'publish.concurrency': 4, 'publish.perAccount.x': 3, 'publish.perPlatform.youtube': 0 }));
    expect([c.concurrency, c.perAccount.x, c.perPlatform.youtube]).toEqual([4, 3, 32]);
  });
});
