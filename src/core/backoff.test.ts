import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base, the first retry waiting the base itself', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { baseMs: 1000 }))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(0, { baseMs: 1000 })).toBe(1000);
  });

  it('stops growing at the cap, also for attempts far past it', () => {
    expect([4, 5, 6, 500].map((n) => backoffDelay(n, { baseMs: 500, maxMs: 8_000 }))).toEqual([4000, 8000, 8000, 8000]);
  });

  it('jitter spreads the wait from 75% to 125%', () => {
    expect(backoffDelay(2, { baseMs: 1000, jitter: 0 })).toBe(1500);
    expect(backoffDelay(2, { baseMs: 1000, jitter: 0.5 })).toBe(2000);
    expect(backoffDelay(2, { baseMs: 1000, jitter: 1 })).toBe(2500);
  });
});
