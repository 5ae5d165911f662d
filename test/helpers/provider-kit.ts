/**
 * Unit-test kit for providers: ProviderDeps over an undici MockAgent with the
 * network off and a settable clock. Call `kit.done()` in afterEach.
 */
import { MockAgent } from 'undici';
import { createHttp } from '../../src/core/http.js';
import type { AppCredentials, ProviderDeps, ProviderDescriptor } from '../../src/providers/types.js';

export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
export const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

export interface ProviderKit {
  agent: MockAgent;
  d: ProviderDeps;
  /** Current fake time; assign to move the clock. */
  now: number;
  /** Asserts every interceptor was used, then closes the agent (afterEach). */
  done(): Promise<void>;
}

export function providerKit(descriptor: ProviderDescriptor, app: AppCredentials): ProviderKit {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const kit: ProviderKit = {
    agent,
    now: T0,
    d: undefined as unknown as ProviderDeps,
    async done() {
      agent.assertNoPendingInterceptors();
      await agent.close();
    },
  };
  kit.d = {
    http: createHttp({ dispatcher: agent, timeoutMs: 2_000 }),
    clock: { now: () => kit.now, sleep: async (ms) => void (kit.now += ms) },
    hosts: { ...descriptor.hosts },
    app,
  };
  return kit;
}

export const formOf = (body: unknown) => new URLSearchParams(String(body));
