/**
 * The state store out of reach in the middle of a tick (PostgreSQL stopped, restarting, the
 * network to it gone): a temporary failure of our own store, not of the platform and not a bug.
 * The tick starts nothing more and ends with that error (main maps it to exit 6, naming the
 * database and `socialync db status`). A target whose result could not be recorded keeps its
 * claim and checkpoint: the next run takes it over and reconciles it, so it is neither lost nor
 * sent twice.
 */
import { isStoreUnavailable } from '../store/postgres-errors.js';
import type { TargetResult } from './engine.js';

const PARTIAL = Symbol.for('socialync.partialResults');

export class StoreWatch {
  /** The first store-unavailable error of this tick, if any. */
  error: unknown;

  get down(): boolean {
    return this.error !== undefined;
  }

  /** Runs `work`; a store-unavailable error is kept (the tick stops) and `fallback` returned, any other rethrown. */
  async guard<T>(work: () => Promise<T>, fallback: () => T): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (!isStoreUnavailable(e)) throw e;
      this.error ??= e;
      return fallback();
    }
  }

  /** Throws the kept error, carrying what this tick did before (partialResults). */
  throwIfDown(results: TargetResult[]): void {
    if (!this.down) return;
    const e = this.error as object;
    Object.defineProperty(e, PARTIAL, { value: results, enumerable: false, configurable: true });
    throw e;
  }
}

/** The targets a tick finished before the store went away (shown before the error). */
export function partialResults(e: unknown): TargetResult[] | undefined {
  return e && typeof e === 'object' ? ((e as Record<symbol, unknown>)[PARTIAL] as TargetResult[] | undefined) : undefined;
}
