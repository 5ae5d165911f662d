/**
 * What one tick reads from the store (./engine.ts tickTargets, through the pool ./pool.ts): the
 * due list, and while targets run, the claims of every machine, so that a dead holder's targets
 * are taken over in the same tick (issue 14: a kill -9 finished within one lease).
 */
import { setTimeout as wallTimer } from 'node:timers/promises';
import { ownerState } from '../auth/owner.js';
import type { Clock } from '../core/clock.js';
import type { PostStore, Target } from '../store/posts.js';
import type { PoolRun, PoolResult } from './pool.js';
import type { StoreWatch } from './store-down.js';

/** How often a running tick looks for claims that ended: a fifth of the claim lease (at least 50 ms). */
export const takeoverCheckMs = (claimTtlMs: number) => Math.max(50, Math.floor(claimTtlMs / 5));

/** Claims read per look: every machine's targets in flight, the soonest to end first. */
const CLAIMS_READ = 1000;

/** A target left `publishing` by a holder whose lease ended or who is known dead (a process of this host that is gone). */
export const claimEnded = (t: Target, now: number) => t.state === 'publishing' && ((t.claimExpiresAt !== null && t.claimExpiresAt < now) || ownerState(t.claimedBy) === 'dead');

/** The earliest end among claims held elsewhere (undefined: none). */
const soonestEnd = (claims: Target[]) => claims.reduce<number | undefined>((m, t) => (t.claimExpiresAt === null ? m : Math.min(m ?? Infinity, t.claimExpiresAt)), undefined);

/**
 * The pool's `fetch` and `takeovers` for one tick, and `track`, which marks a target in flight
 * here while `work` runs: our own claim is never "ended" to us, even when a heartbeat came late.
 */
export function tickReads(posts: PostStore, clock: Clock, o: { concurrency: number; claimTtlMs: number; watch: StoreWatch }) {
  const seen = new Set<number>();
  const active = new Set<number>();
  let soonest: number | undefined;
  const ended = (t: Target, now: number) => claimEnded(t, now) && !active.has(t.id);
  const reads: Pick<PoolRun<PoolResult>, 'fetch' | 'takeovers'> = {
    // Targets handed out already (in flight, done, held by a live process) stay in the list: read past them,
    // except a claim that has ended since (its holder died: another machine's lease ran out).
    fetch: () =>
      o.watch.guard(async () => {
        const now = clock.now();
        const due = (await posts.dueTargets(now, 2 * o.concurrency + 50 + seen.size)).filter((t) => !seen.has(t.id) || ended(t, now));
        for (const t of due) seen.add(t.id);
        return due;
      }, () => []),
    // While targets run, every fifth of a lease, and again when a claim held elsewhere is due to end: only
    // the claims (few rows, an index on state), so a dead holder's targets are taken as its lease ends,
    // however long the tick's batch takes.
    takeovers: {
      everyMs: takeoverCheckMs(o.claimTtlMs),
      fetch: () =>
        o.watch.guard(async () => {
          const claims = await posts.claimedTargets(CLAIMS_READ);
          const now = clock.now();
          soonest = soonestEnd(claims.filter((t) => !active.has(t.id) && !ended(t, now)));
          return claims.filter((t) => ended(t, now));
        }, () => []),
      nextEndAt: () => soonest,
      wake: (ms, signal) => wallTimer(ms, undefined, { signal, ref: false }).catch(() => undefined),
    },
  };
  const track = <T>(id: number, work: () => Promise<T>): Promise<T> => {
    active.add(id);
    return work().finally(() => active.delete(id));
  };
  return { ...reads, track };
}
