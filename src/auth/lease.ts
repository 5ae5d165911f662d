/**
 * A renewed lease on the state store's cross-process lock. The lease expires
 * by itself when its holder dies (kill -9), so a crashed cron run blocks the
 * next one for at most the TTL; a live holder renews it every TTL/3.
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../deps.js';
import type { Store } from '../store/types.js';

export interface Lease {
  readonly name: string;
  /** True when a renewal failed (we stalled past the TTL and someone else may hold it). */
  readonly lost: boolean;
  release(): Promise<void>;
}

export interface LeaseOptions {
  ttlMs: number;
  /** Give up waiting for a busy lock after this long. */
  waitMs: number;
  /** Unique per acquisition, so two tasks of one process never share a lock. */
  owner: string;
}

export async function acquireLease(store: Store, clock: Clock, random: Random, name: string, o: LeaseOptions): Promise<Lease | undefined> {
  const deadline = clock.now() + o.waitMs;
  let delay = 20;
  for (;;) {
    if (await store.tryLock(name, o.owner, o.ttlMs, clock.now())) break;
    if (clock.now() >= deadline) return undefined;
    // Jittered polling: many processes waiting on one lock must not poll in lockstep.
    await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())) + (random.bytes(1)[0]! % 20));
    delay = Math.min(delay * 2, 250);
  }
  let lost = false;
  let released = false;
  const timer = setInterval(() => {
    void store
      .tryLock(name, o.owner, o.ttlMs, clock.now())
      .then((ok) => {
        if (!ok && !released) lost = true;
      })
      .catch(() => {
        lost = true;
      });
  }, Math.max(50, Math.floor(o.ttlMs / 3)));
  timer.unref();
  return {
    name,
    get lost() {
      return lost;
    },
    async release() {
      released = true;
      clearInterval(timer);
      await store.releaseLock(name, o.owner);
    },
  };
}
