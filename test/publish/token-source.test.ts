/** The engine's TokenSource (src/publish/engine.ts tokenSource): never a needless refresh, never a stale token. */
import { describe, expect, it } from 'vitest';
import { tokenSource } from '../../src/publish/engine.js';
import type { TokenSet } from '../../src/providers/types.js';

const tok = (accessToken: string): TokenSet => ({ accessToken, scopes: [], obtainedAt: 0 });

function engineWith(stored: string[], forced: string) {
  const calls: string[] = [];
  return {
    calls,
    freshToken: async (_id: string, o?: { force?: boolean }) => {
      calls.push(o?.force ? 'force' : 'stored');
      return tok(o?.force ? forced : stored.shift()!);
    },
  };
}

describe('tokenSource.renew', () => {
  it('another process already refreshed: its stored token, no second refresh', async () => {
    const en = engineWith(['newer'], 'forced');
    expect((await tokenSource(en, 'c1').renew(tok('rejected'))).accessToken).toBe('newer');
    expect(en.calls).toEqual(['stored']);
  });

  it('the stored token is the rejected one: one forced refresh (under the refresh lock)', async () => {
    const en = engineWith(['rejected'], 'forced');
    expect((await tokenSource(en, 'c1').renew(tok('rejected'))).accessToken).toBe('forced');
    expect(en.calls).toEqual(['stored', 'force']);
  });
});
