/**
 * The publishing pool (issue 14): due targets run concurrently within one process, bounded three
 * ways — a global concurrency, a per-platform limit and a per-account limit (one upload per
 * account at a time by default: docs/platforms/README.md#concurrency). A rate-limited answer
 * (429 with Retry-After, a daily cap) pauses only its account, or its platform when the limit is
 * the app's (YouTube's project quota), never the whole pool. Each target still goes through the
 * engine's claim, so two pools (cron and the daemon, two machines) never publish one target twice.
 */
import { PLATFORMS, type PlatformId } from '../providers/types.js';
import type { Target } from '../store/posts.js';

export interface PoolLimits {
  /** Targets in flight at once in this process. */
  concurrency: number;
  /** Per platform, at most this many at once (a platform absent here: `concurrency`). */
  perPlatform: Partial<Record<PlatformId, number>>;
  /** Per account (connection), at most this many at once (absent: 1). */
  perAccount: Partial<Record<PlatformId, number>>;
  /** A pause that ends within this much is waited for in this run; a longer one is left to a later run. */
  maxPauseWaitMs: number;
}

export const DEFAULT_CONCURRENCY = 64;
export const DEFAULT_PER_PLATFORM = 32;

/** Where a rate limit applies: the connection's account, or the whole platform (the app's quota). */
export interface Pause {
  scope: 'account' | 'platform';
  until: number;
}

/** What the pool needs to know of a finished target. */
export interface PoolResult {
  outcome: string;
  pause?: Pause;
}

/** Pauses by account and platform; kept by the engine, so the daemon's later ticks honour them too. */
export class Pauses {
  private readonly until = new Map<string, number>();

  set(t: Pick<Target, 'platform' | 'connectionId'>, p: Pause): void {
    const key = p.scope === 'platform' ? `p:${t.platform}` : `a:${t.connectionId}`;
    this.until.set(key, Math.max(this.until.get(key) ?? 0, p.until));
  }

  /** When `t` may start (0: now). */
  readyAt(t: Pick<Target, 'platform' | 'connectionId'>, now: number): number {
    const at = Math.max(this.until.get(`p:${t.platform}`) ?? 0, this.until.get(`a:${t.connectionId}`) ?? 0);
    return at > now ? at : 0;
  }
}

export interface PoolRun<R extends PoolResult> {
  limits: PoolLimits;
  pauses: Pauses;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Due targets not handed out before (an empty list: none left). */
  fetch(): Promise<Target[]>;
  /**
   * Claims that ended (their holder died: another machine's lease ran out), looked for every
   * `everyMs` while targets run, so they are taken over within that interval after their lease
   * ends rather than once this run's batch has drained. They go first: they are late already.
   * `wake` only wakes the loop to look (`now()` decides whether a look is due): a wall-clock
   * timer, so that a test's clock, which moves when someone sleeps, is not moved by it.
   */
  takeovers?: {
    everyMs: number;
    fetch(): Promise<Target[]>;
    /** When the soonest claim seen by the last look that still ran ends: the next look is then, if sooner. */
    nextEndAt?(): number | undefined;
    wake(ms: number, signal: AbortSignal): Promise<void>;
  };
  run(t: Target): Promise<R>;
  stopped(): boolean;
  /** Stop starting once this many results were collected. */
  limit?: number;
}

class Slots {
  private readonly n = new Map<string, number>();
  used(k: string): number {
    return this.n.get(k) ?? 0;
  }
  add(k: string, d: number): void {
    this.n.set(k, this.used(k) + d);
  }
}

/** Runs every due target once, within the limits; resolves when none is left that may start now or soon. */
export async function runPool<R extends PoolResult>(p: PoolRun<R>): Promise<R[]> {
  const { limits } = p;
  const queue: Target[] = [];
  const running = new Set<Promise<void>>();
  const slots = new Slots();
  const out: R[] = [];
  let dry = false;
  let kept = 0; // results that count toward `limit` (a target another process held does not)
  const full = () => p.limit !== undefined && kept + running.size >= p.limit;
  const fits = (t: Target) =>
    slots.used('all') < limits.concurrency &&
    slots.used(`p:${t.platform}`) < (limits.perPlatform[t.platform] ?? limits.concurrency) &&
    slots.used(`a:${t.connectionId}`) < (limits.perAccount[t.platform] ?? 1);
  const keys = (t: Target) => ['all', `p:${t.platform}`, `a:${t.connectionId}`];
  const held = new Set<number>(); // ids queued or running here: a target fetched twice is run once
  const fresh = (ts: Target[]) => ts.filter((t) => !held.has(t.id) && held.add(t.id));
  const recheck = takeoverCheck(p, (ts) => queue.unshift(...fresh(ts)));

  const start = (t: Target) => {
    for (const k of keys(t)) slots.add(k, 1);
    const job = p
      .run(t)
      .then((r) => {
        if (r.pause) p.pauses.set(t, r.pause);
        if (r.outcome !== 'skipped') kept++;
        out.push(r);
      })
      .finally(() => {
        for (const k of keys(t)) slots.add(k, -1);
        running.delete(job);
        held.delete(t.id);
      });
    running.add(job);
  };

  /** Starts what may start now; returns the earliest time a paused target may start (0: none paused). */
  const startReady = (): number => {
    let wake = 0;
    for (let i = 0; i < queue.length && slots.used('all') < limits.concurrency && !full(); ) {
      const t = queue[i]!;
      const at = p.pauses.readyAt(t, p.now());
      if (at) wake = wake ? Math.min(wake, at) : at;
      if (!at && fits(t)) {
        queue.splice(i, 1);
        start(t);
      } else i++;
    }
    return wake;
  };

  try {
    for (;;) {
      if (p.stopped() || full()) break;
      if (!dry && queue.length < limits.concurrency) {
        const more = await p.fetch();
        if (more.length) queue.push(...fresh(more));
        else dry = true;
      }
      const wake = startReady();
      if (running.size) {
        await Promise.race([...running, recheck.timer()]);
        await recheck.ifDue();
        continue;
      }
      // Nothing in flight: look once more for targets that became due, then wait for a short pause.
      const more = await p.fetch();
      if (more.length) {
        queue.push(...fresh(more));
        dry = false;
        continue;
      }
      dry = true;
      if (!queue.length || !wake || wake - p.now() > limits.maxPauseWaitMs) break;
      await p.sleep(wake - p.now());
    }
    await Promise.all(running);
  } finally {
    recheck.stop();
  }
  return out;
}

/** The periodic look for ended claims while targets run (PoolRun.takeovers): one wake-up timer at a time. */
function takeoverCheck(p: PoolRun<PoolResult>, add: (ts: Target[]) => void) {
  const every = p.takeovers?.everyMs ?? 0;
  const stop = new AbortController();
  let next = p.now() + every;
  let timer: Promise<void> | undefined;
  return {
    /** Resolves when the next look may be due (never, without takeovers). */
    timer: (): Promise<void> => {
      if (!p.takeovers) return new Promise(() => undefined);
      return (timer ??= p.takeovers.wake(Math.max(0, next - p.now()), stop.signal).then(() => void (timer = undefined)));
    },
    /** Looks when due: after the timer, and after each finished target (a test clock may have moved far). */
    async ifDue(): Promise<void> {
      if (!p.takeovers || p.now() < next) return;
      add(await p.takeovers.fetch());
      // A live holder renews its claims long before they end, so a claim ending before the next
      // look is one whose holder stopped renewing: look again the moment it ends.
      const end = p.takeovers.nextEndAt?.();
      next = p.now() + every;
      if (end !== undefined && end + 1 < next) next = Math.max(p.now() + 10, end + 1);
    },
    stop: () => stop.abort(),
  };
}

/**
 * The limits from config (`publish.concurrency`, `publish.perPlatform.<platform>`,
 * `publish.perAccount.<platform>`, `publish.maxPauseWaitMs`); see README "Publishing many posts at once".
 */
export function poolLimits(config: { get<T>(key: string): T | undefined }): PoolLimits {
  const num = (k: string, def: number, min: number) => {
    const v = Number(config.get<number>(k) ?? def);
    return Number.isFinite(v) && v >= min ? Math.floor(v) : def;
  };
  const perPlatform: PoolLimits['perPlatform'] = {};
  const perAccount: PoolLimits['perAccount'] = {};
  for (const p of PLATFORMS) {
    perPlatform[p] = num(`publish.perPlatform.${p}`, DEFAULT_PER_PLATFORM, 1);
    perAccount[p] = num(`publish.perAccount.${p}`, 1, 1);
  }
  return { concurrency: num('publish.concurrency', DEFAULT_CONCURRENCY, 1), perPlatform, perAccount, maxPauseWaitMs: num('publish.maxPauseWaitMs', 30_000, 0) };
}
