/**
 * Ctrl-C while socialync waits (for the browser, a pasted URL) is a cancellation like Ctrl-C
 * at a prompt: a CancelledError (exit 2, "cancelled"), so the waiting code closes what it
 * opened and main reports it, instead of node dying silently with 130 (README "Exit codes").
 */
import { CancelledError } from './errors.js';

export interface Interruption {
  /** Rejects with the CancelledError when SIGINT arrives; never resolves. */
  readonly cancelled: Promise<never>;
  /** Gives SIGINT back to whoever handled it before. */
  stop(): void;
}

/** Catches SIGINT from now until stop(), as a CancelledError with `message`. */
export function interruption(message: string, hint?: string): Interruption {
  let onSigint = () => {};
  const cancelled = new Promise<never>((_, reject) => {
    onSigint = () => reject(new CancelledError(message, hint ? { hint } : {}));
  });
  cancelled.catch(() => undefined); // reported where it is awaited, if it is
  process.once('SIGINT', onSigint);
  return { cancelled, stop: () => void process.off('SIGINT', onSigint) };
}

export interface GracefulStop {
  /** True once Ctrl-C (SIGINT) or SIGTERM arrived: start nothing new. */
  readonly requested: boolean;
  /** Gives the signals back to whoever handled them before. */
  stop(): void;
}

/**
 * For work that must not be cut half-way (a token exchange that spends a rotating refresh
 * token): the first SIGINT/SIGTERM asks to stop after what is in flight (`onFirst` says so);
 * a second SIGINT quits at once, as Node does by default.
 */
export function gracefulStop(onFirst: () => void): GracefulStop {
  let requested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!requested) {
      requested = true;
      onFirst();
      return;
    }
    stop();
    process.kill(process.pid, signal);
  };
  const stop = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { get requested() { return requested; }, stop };
}
