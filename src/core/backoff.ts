/** How a retry loop's waits grow: `baseMs` doubled per attempt, capped at `maxMs`. */
export interface BackoffSteps {
  baseMs: number;
  maxMs?: number;
  /** A uniform draw in [0, 1] from deps.random: spreads the wait ±25% so processes retrying together fall out of step. */
  jitter?: number;
}

/** The wait before retry number `attempt` (1 = the first retry): baseMs × 2^(attempt-1), at most maxMs. */
export function backoffDelay(attempt: number, o: BackoffSteps): number {
  const exp = o.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = o.maxMs === undefined ? exp : Math.min(o.maxMs, exp);
  return o.jitter === undefined ? capped : Math.round(capped * (0.75 + o.jitter / 2));
}
