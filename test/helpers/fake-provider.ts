/** A scripted Provider for refresh tests (no network). */
import type { PlatformId, Provider, ProviderDescriptor, TokenSet } from '../../src/providers/types.js';

export function fakeProvider(id: PlatformId, refresh: Partial<ProviderDescriptor['refresh']>, fn: (t: TokenSet) => Promise<TokenSet>): Provider & { calls: TokenSet[] } {
  const calls: TokenSet[] = [];
  return {
    calls,
    descriptor: {
      id,
      displayName: id,
      hosts: {},
      scopes: [],
      scopeSeparator: ' ',
      redirect: { port: 'any', path: '/callback', https: false, host: '127.0.0.1' },
      pkce: 'S256',
      clientSecret: 'optional',
      refresh: { kind: 'refresh_token', rotates: true, thresholdMinutes: 30, ...refresh },
    },
    buildAuthorizeUrl: () => new URL('http://127.0.0.1/'),
    exchangeCode: async () => {
      throw new Error('unused');
    },
    async refresh(t) {
      calls.push(t);
      return fn(t);
    },
    whoami: async () => ({ id: 'x', displayName: 'x' }),
  };
}
