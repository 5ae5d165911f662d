/**
 * The per-account limit across processes and machines (issue 14): before a target's first
 * platform call the publisher takes one of the account's N slots, each a lease in the state
 * store (`publish-account:<connectionId>`, then `...#1`, `...#2` when `publish.perAccount.<p>`
 * allows more than one upload at once; docs/platforms/README.md#concurrency). The lease is
 * renewed every TTL/3 while the upload runs and released after; a holder that died on this
 * machine loses it at once, one on another machine when its TTL ends (src/auth/lease.ts).
 * The pool (./pool.ts) keeps the same limit within one process without touching the store.
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../deps.js';
import { backoffDelay } from '../core/backoff.js';
import { acquireLease, type Lease } from '../auth/lease.js';
import type { Store } from '../store/types.js';
import type { PostStore, Target, TargetState } from '../store/posts.js';

export const ACCOUNT_LEASE_PREFIX = 'publish-account:';
export const DEFAULT_ACCOUNT_LEASE_MS = 60_000;

export const accountLeaseName = (connectionId: string, slot: number) => `${ACCOUNT_LEASE_PREFIX}${connectionId}${slot ? `#${slot}` : ''}`;

export interface AccountSlotRequest {
  store: Store;
  clock: Clock;
  random: Random;
  connectionId: string;
  /** How many uploads the account may have at once, over every process (publish.perAccount.<platform>). */
  slots: number;
  /** Unique per target and process: `<processId>/t<targetId>` (its prefix tells a dead holder: src/auth/owner.ts). */
  owner: string;
  ttlMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Give up after waiting this long (the engine: one claim lease), so that an account another
   * process keeps busy (a stuck upload that still renews its lease) cannot hold this publisher.
   */
  maxWaitMs: number;
}

/** Waits for a free slot of the account (polling, jittered); undefined when `signal` aborts or maxWaitMs passes first. */
export async function acquireAccountSlot(r: AccountSlotRequest): Promise<Lease | undefined> {
  const giveUpAt = r.clock.now() + r.maxWaitMs;
  for (let polls = 1; !r.signal?.aborted; polls++) {
    for (let slot = 0; slot < r.slots; slot++) {
      const lease = await acquireLease(r.store, r.clock, r.random, accountLeaseName(r.connectionId, slot), { ttlMs: r.ttlMs, waitMs: 0, owner: r.owner });
      if (lease) return lease;
    }
    // Another process uploads to this account: uploads take seconds, so poll gently and out of step.
    const left = giveUpAt - r.clock.now();
    if (left <= 0) break;
    const wait = backoffDelay(polls, { baseMs: 50, maxMs: 400, jitter: r.random.bytes(1)[0]! / 255 });
    await r.clock.sleep(Math.min(wait, left), r.signal).catch(() => undefined);
  }
  return undefined;
}

/**
 * Gives a claimed target back untouched (stopped, or waited a whole lease, for the account): the state it had,
 * the attempt not counted. One taken over from a dead process may have been sent: it is left
 * unconfirmed and due now, so the next run reconciles it first, as the engine would have.
 */
export async function giveBack(posts: PostStore, t: Target, prev: TargetState, owner: string, now: number): Promise<void> {
  const state: TargetState = prev === 'publishing' ? 'unconfirmed' : prev;
  const due = prev === 'publishing' ? { nextAttemptAt: now } : {};
  if (await posts.updateTarget(t.id, owner, { state, claimedBy: null, claimExpiresAt: null, ...due }, now)) await posts.rearm(t.id, [state], { attempts: Math.max(0, t.attempts - 1) }, now);
}
