/**
 * The state store out of reach in the middle of a tick (PostgreSQL stopped, restarting, the
 * network to it gone): a temporary failure of our own store, not of the platform and not a bug.
 * The tick starts nothing more and ends with that error (main maps it to exit 6, naming the
 * database and `socialync db status`). A target whose result could not be recorded keeps its
 * claim and checkpoint: the next run takes it over and reconciles it, so it is neither lost nor
 * sent twice.
 */
import { isStoreUnavailable } from '../store/postgres-errors.js';
import { storeChoice } from '../store/database-url.js';
import { stateStoreError, type StoreWhere } from '../store/store-error.js';
import { redactText } from '../core/redact.js';
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

/**
 * The daemon's one line for a step that failed (it logs and tries again; nothing exits). A state
 * store failure names the database (SQLite file, or PostgreSQL URL with the password masked) and
 * the command that checks it.
 */
export function daemonStepFailure(where: StoreWhere, e: unknown): string {
  const store = stateStoreError(e, where);
  if (!store) return redactText(String((e as Error)?.message ?? e));
  const check = storeChoice(where.env, where.config, where.paths.stateDb).kind === 'postgres' ? 'socialync db status' : 'socialync doctor';
  return `${redactText(store.message)}; if it persists, run: ${check}`;
}
