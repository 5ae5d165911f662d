/**
 * How a notice reaches a channel without holding up `refresh` or `publish`
 * (docs/notifications.md#delivery): a few attempts with backoff (src/core/backoff.ts) on
 * network errors, HTTP 5xx/429 and SMTP 4xx replies, all inside one budget per process
 * (NOTIFY_BUDGET_MS); what is still undelivered waits in the state db as a `notify.pending`
 * event and goes out again on the next run (src/notify/pending.ts). Nothing else retries:
 * a 4xx from a webhook is a setting to fix, not a hiccup.
 */
import type { Deps } from '../deps.js';
import { backoffDelay } from '../core/backoff.js';
import { isNetworkError } from '../core/errors.js';
import { redactText } from '../core/redact.js';

/** Everything one run spends on notification retries, whatever the number of notices. */
export const NOTIFY_BUDGET_MS = 15_000;
const ATTEMPTS = 4;
const ATTEMPT_TIMEOUT_MS = 8_000;

/** A channel's refusal; `retryable` when trying again later may succeed. */
export class ChannelError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

export function retryable(e: unknown): boolean {
  if (e instanceof ChannelError) return e.retryable;
  const smtp = e as { responseCode?: unknown; code?: unknown };
  // SMTP 4xx replies are transient by RFC 5321 §4.2.1; nodemailer's connection errors carry these codes.
  if (typeof smtp.responseCode === 'number') return smtp.responseCode >= 400 && smtp.responseCode < 500;
  if (smtp.code === 'ECONNECTION' || smtp.code === 'ETIMEDOUT' || smtp.code === 'ESOCKET') return true;
  return isNetworkError(e);
}

/** A budget older than this belongs to an earlier run of a long-lived process (the daemon). */
const RUN_GAP_MS = 5 * 60_000;
const budgets = new WeakMap<object, { start: number; until: number }>();

/** The end of this run's notification budget (started by its first notice). */
function budget(deps: Pick<Deps, 'clock'>): { until: number } {
  const now = deps.clock.now();
  let b = budgets.get(deps);
  if (!b || now - b.start > RUN_GAP_MS) budgets.set(deps, (b = { start: now, until: now + NOTIFY_BUDGET_MS }));
  return b;
}

export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  error?: string;
  /** False when the channel refused for good (a setting to fix): not queued for later. */
  retryable: boolean;
}

/** Runs `send` until it succeeds, fails for good, or the budget runs out. */
export async function deliver(deps: Pick<Deps, 'clock' | 'random'>, send: (timeoutMs: number) => Promise<void>): Promise<DeliveryOutcome> {
  const b = budget(deps);
  let attempts = 0;
  for (;;) {
    const left = b.until - deps.clock.now();
    if (left <= 0) return { ok: false, attempts, error: `not delivered within this run's ${NOTIFY_BUDGET_MS / 1000} s for notifications`, retryable: true };
    attempts++;
    try {
      await send(Math.max(1_000, Math.min(ATTEMPT_TIMEOUT_MS, left)));
      return { ok: true, attempts, retryable: true };
    } catch (e) {
      const error = redactText(String((e as Error)?.message ?? e));
      if (!retryable(e)) return { ok: false, attempts, error, retryable: false };
      const wait = backoffDelay(attempts, { baseMs: 500, maxMs: 4_000, jitter: (deps.random.bytes(1)[0] ?? 128) / 255 });
      if (attempts >= ATTEMPTS || deps.clock.now() + wait >= b.until) return { ok: false, attempts, error, retryable: true };
      await deps.clock.sleep(wait);
    }
  }
}
