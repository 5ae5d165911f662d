import { describe, expect, it } from 'vitest';
import { ProviderError } from '../core/errors.js';
import { retriesAutomatically, retryDelayMs, untilMidnight } from './backoff.js';

const o = { backoffBaseMs: 60_000, backoffMaxMs: 3_600_000 };
const now = Date.UTC(2026, 10, 26, 13, 30, 0);

describe('automatic retry policy', () => {
  it('only transient and rate-limited failures retry by themselves', () => {
    expect(['transient', 'rate_limited', 'reconnect_needed', 'permission', 'invalid_request'].filter(retriesAutomatically)).toEqual(['transient', 'rate_limited']);
  });

  it('exponential from the base, bounded by the maximum', () => {
    const net = new TypeError('fetch failed');
    expect([1, 2, 3, 4, 10].map((a) => retryDelayMs(o, a, net, now))).toEqual([60_000, 120_000, 240_000, 480_000, 3_600_000]);
  });

  it('a Retry-After is honoured even beyond the exponential step or the maximum', () => {
    const e = (ms: number) => new ProviderError('x: too many requests', { errorClass: 'rate_limited', retryAfterMs: ms });
    expect(retryDelayMs(o, 1, e(5_000), now)).toBe(60_000);
    expect(retryDelayMs(o, 3, e(900_000), now)).toBe(900_000);
    expect(retryDelayMs(o, 1, e(7_200_000), now)).toBe(7_200_000);
  });

  it('a daily publishing cap waits for the reset: UTC midnight (TikTok), Pacific midnight (YouTube), the moving window (Instagram)', () => {
    const cap = (platformCode: string) => new ProviderError('daily cap', { errorClass: 'rate_limited', platformCode });
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(at(retryDelayMs(o, 1, cap('spam_risk_too_many_posts'), now))).toBe('2026-11-27T00:01:00.000Z');
    // 2026-11-26 is in PST (UTC-8): midnight Pacific is 08:00 UTC.
    expect(at(retryDelayMs(o, 1, cap('uploadLimitExceeded'), now))).toBe('2026-11-27T08:01:00.000Z');
    expect(retryDelayMs(o, 1, cap('9/2207042'), now)).toBe(3_600_000);
    // Other rate limits keep the exponential step.
    expect(retryDelayMs(o, 2, cap('rate_limit_exceeded'), now)).toBe(120_000);
  });

  it('untilMidnight counts to the next local midnight', () => {
    expect(untilMidnight(Date.UTC(2026, 0, 1, 23, 0, 0), 'UTC')).toBe(3_600_000);
    expect(untilMidnight(Date.UTC(2026, 0, 1, 22, 30, 0), 'Europe/Berlin')).toBe(30 * 60_000);
  });
});
