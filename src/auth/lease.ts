/**
 * A renewed lease on the state store's cross-process lock. A live holder renews it every
 * TTL/3. A holder that died (kill -9, OOM) is noticed at once when it ran on this machine:
 * its owner id names host, pid and start time (src/auth/owner.ts), and a process that no
 * longer exists loses the lease on the spot. A holder on another machine (a shared state
 * folder) can only be waited out: its lease expires by itself after the TTL.
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../deps.js';
import type { LockHolder, Store } from '../store/types.js';
import { ownerState } from './owner.js';
import { backoffDelay } from '../core/backoff.js';

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
  /** Called once when the lock has been busy for WAIT_NOTICE_MS, with its holder (to say who and until when). */
  onWait?: (holder: LockHolder) => void;
}

/** A lock held longer than this by a live process is worth a message; shorter waits are ordinary contention. */
export const WAIT_NOTICE_MS = 2000;

/** Takes the lock from a holder that is a dead process of this machine; true when taken. */
async function takeFromDead(store: Store, name: string, o: LeaseOptions, now: number): Promise<{ taken: boolean; holder?: LockHolder }> {
  const holder = await store.lockHolder(name);
  if (!holder) return { taken: false };
  if (ownerState(holder.owner) !== 'dead') return { taken: false, holder };
  return { taken: await store.takeOverLock(name, holder.owner, o.owner, o.ttlMs, now), holder };
}

export async function acquireLease(store: Store, clock: Clock, random: Random, name: string, o: LeaseOptions): Promise<Lease | undefined> {
  const start = clock.now();
  const deadline = start + o.waitMs;
  let noticed = false;
  for (let polls = 1; ; polls++) {
    if (await store.tryLock(name, o.owner, o.ttlMs, clock.now())) break;
    const { taken, holder } = await takeFromDead(store, name, o, clock.now());
    if (taken) break;
    if (holder && !noticed && o.onWait && clock.now() - start >= WAIT_NOTICE_MS) {
      noticed = true;
      o.onWait(holder);
    }
    if (clock.now() >= deadline) return undefined;
    // Jittered polling: many processes waiting on one lock must not poll in lockstep.
    const delay = backoffDelay(polls, { baseMs: 20, maxMs: 250 });
    await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())) + (random.bytes(1)[0]! % 20));
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
