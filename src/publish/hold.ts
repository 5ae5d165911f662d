/**
 * What a target holds while this process publishes it: its claim (renewed every third of the
 * claim lease) and its account's upload slot (./account-lease.ts). When either is lost — the
 * claim taken over by another machine after a stall, the slot's renewal refused — the hold's
 * signal aborts, and every platform call of the upload stops (`abortableDeps`), rather than
 * going on beside the process that now holds it.
 */
import type { ProviderDeps } from '../providers/types.js';
import { ProviderError } from '../core/errors.js';

/** The claim is another process's now: stop; that process reconciles the target. */
export class ClaimLostError extends Error {}

/** This process lost the account's upload slot: another upload may run; this one stops and is retried later. */
export const slotLost = (account: string) => new ProviderError(`${account}: lost this account's upload slot (its lease could not be renewed); stopped the upload, it will be retried`, { errorClass: 'transient' });

export class Hold {
  private readonly ctl = new AbortController();
  private readonly timers: ReturnType<typeof setInterval>[] = [];

  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  /** Why the hold was lost (undefined: still held). */
  get lost(): Error | undefined {
    return this.ctl.signal.aborted ? (this.ctl.signal.reason as Error) : undefined;
  }

  /** Every `ms`, `check` says whether the hold is lost (an error: why). */
  watch(ms: number, check: () => Promise<Error | undefined> | Error | undefined): void {
    const timer = setInterval(() => {
      void Promise.resolve(check()).then((why) => {
        if (why && !this.ctl.signal.aborted) this.ctl.abort(why);
      });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  release(): void {
    for (const t of this.timers) clearInterval(t);
  }
}

/** Provider deps whose every HTTP call also stops when `signal` aborts. */
export function abortableDeps(pd: ProviderDeps, signal: AbortSignal): ProviderDeps {
  const http: ProviderDeps['http'] = {
    fetch: (url, init = {}) => pd.http.fetch(url, { ...init, abort: signal }),
    upload: (url, init) => pd.http.upload(url, { ...init, abort: signal }),
  };
  return { ...pd, http };
}
