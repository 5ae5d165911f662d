import { describe, expect, it } from 'vitest';
import { networkFailure } from './connect.js';
import { ExitCode, ProviderError } from '../core/errors.js';

const o = { platform: 'x' as const, name: 'brand', browser: false, timeoutSec: 300 };

describe('connect: a login the network or the platform cut short', () => {
  it('a 429 during the login: exit 6, the wait the platform named, the same command', () => {
    const e = networkFailure(new ProviderError('x: HTTP 429 Too Many Requests', { errorClass: 'rate_limited', retryAfterMs: 61_000 }), o);
    expect(e?.exitCode).toBe(ExitCode.transient);
    expect(e?.hint).toBe('x asks to slow down: wait 2 min, then run: socialync connect x --name brand --no-browser');
  });

  it('a refused answer is not a network failure (left to the usual reporting)', () => {
    expect(networkFailure(new ProviderError('x: invalid_client', { errorClass: 'permission' }), o)).toBeUndefined();
  });
});
