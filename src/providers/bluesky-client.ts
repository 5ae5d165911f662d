/**
 * The official AT Protocol OAuth client (@atproto/oauth-client-node) set up for socialync
 * (docs/platforms/bluesky.md#oauth):
 * - the spec's localhost development client: client id `http://localhost?redirect_uri=...&scope=...`
 *   with a `http://127.0.0.1:<port>/callback` redirect, a public client, so nothing is registered;
 * - every request through our undici `Http` (timeouts), never the global fetch;
 * - handles resolved by DNS/HTTPS (the spec's methods), or by `com.atproto.identity.resolveHandle`
 *   on the `handles` host when it is overridden (the sandbox); DIDs through the `plc` host;
 * - `allowHttp` (the library's documented development switch) only when those hosts are http
 *   (the sandbox on 127.0.0.1);
 * - the session (tokens and the DPoP private key) lives in OUR secret store as a TokenSet: the
 *   library's stores here are per call and in memory.
 */
import type { NodeOAuthClient, NodeSavedSession, NodeSavedState } from '@atproto/oauth-client-node';
import type { ProviderDeps, TokenSet } from './types.js';

export type AtprotoLib = typeof import('@atproto/oauth-client-node');
/** Loaded on first use (a quarter second): commands that only read the descriptor never pay it. */
export const loadLib = (): Promise<AtprotoLib> => import('@atproto/oauth-client-node');

export const SCOPE = 'atproto transition:generic';
export const DEFAULT_HOSTS = { plc: 'https://plc.directory', handles: 'https://bsky.social', entryway: 'https://bsky.social', video: 'https://video.bsky.app' } as const;

/** Minimal in-memory SimpleStore (the library's store interface). */
export class MemoryStore<V> {
  readonly map = new Map<string, V>();
  readonly onSet: ((key: string, v: V) => void) | undefined;
  constructor(onSet?: (key: string, v: V) => void) {
    this.onSet = onSet;
  }
  async get(key: string): Promise<V | undefined> {
    return this.map.get(key);
  }
  async set(key: string, v: V): Promise<void> {
    this.map.set(key, v);
    this.onSet?.(key, v);
  }
  async del(key: string): Promise<void> {
    this.map.delete(key);
  }
}

/** The library's fetch (it passes a Request) over our undici Http with its timeouts. */
function libraryFetch(d: ProviderDeps) {
  return async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    const res = await d.http.fetch(req.url, { method: req.method, headers, redirect: req.redirect, ...(body ? { body } : {}), ...(init?.signal ? { signal: init.signal } : {}) });
    return res as unknown as Response;
  };
}

export interface ClientStores {
  state: MemoryStore<NodeSavedState>;
  session: MemoryStore<NodeSavedSession>;
}

export function createClient(lib: AtprotoLib, d: ProviderDeps, redirectUri: string, stores: ClientStores): NodeOAuthClient {
  const hosts = d.hosts;
  const insecure = Object.values(hosts).some((h) => h.startsWith('http://'));
  const handlesOverridden = hosts['handles'] !== DEFAULT_HOSTS.handles;
  return new lib.NodeOAuthClient({
    clientMetadata: lib.buildAtprotoLoopbackClientMetadata({ scope: SCOPE, redirect_uris: [redirectUri as `http://127.0.0.1:${string}`] }),
    stateStore: stores.state,
    sessionStore: stores.session,
    fetch: libraryFetch(d) as unknown as typeof globalThis.fetch,
    plcDirectoryUrl: hosts['plc']!,
    ...(handlesOverridden ? { handleResolver: hosts['handles']! } : {}),
    allowHttp: insecure,
    // Our own refresh lock (src/auth/refresh.ts) serializes refreshes across processes;
    // in-process the library's local lock is enough.
    requestLock: lib.requestLocalLock,
  });
}

/** A TokenSet (secret store) -> the library's saved session; `withRefresh` false hides the refresh token. */
export function savedSession(t: TokenSet, withRefresh: boolean): NodeSavedSession {
  const x = t.extra ?? {};
  const dpopJwk = JSON.parse(x['dpopJwk'] ?? '{}') as NodeSavedSession['dpopJwk'];
  const authMethod = JSON.parse(x['authMethod'] ?? '{"method":"none"}') as NodeSavedSession['authMethod'];
  return {
    dpopJwk,
    authMethod,
    tokenSet: {
      iss: x['iss']!,
      sub: x['sub'] as `did:plc:${string}`,
      aud: x['aud']!,
      scope: t.scopes.join(' ') as NodeSavedSession['tokenSet']['scope'],
      access_token: t.accessToken,
      token_type: 'DPoP',
      ...(withRefresh && t.refreshToken ? { refresh_token: t.refreshToken } : {}),
      // Without expires_at the library never refreshes on its own: only socialync's refresh does.
      ...(withRefresh && t.expiresAt ? { expires_at: new Date(t.expiresAt).toISOString() } : {}),
    },
  };
}
