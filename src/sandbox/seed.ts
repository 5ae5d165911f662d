/**
 * Client side of the sandbox (used by tests and bench/refresh.js): seeds many connections quickly, through the sandbox's real OAuth:
 * the provider builds the authorize URL, the consent form is POSTed over HTTP
 * (account user<N>), the code from the 302 is exchanged by the provider, and
 * the connection is written to the store and secret store like `connect` does.
 * No browser and no loopback listener are needed: the redirect is read from
 * the Location header.
 */
import { generateVerifier } from '../auth/pkce.js';
import { redirectPort, redirectUriFor } from '../auth/login.js';
import { tokenMetadata } from '../auth/tokens.js';
import { ensureInstanceApp } from '../auth/instance-app.js';
import { secretKeys } from '../secrets/types.js';
import type { Deps } from '../deps.js';
import type { PlatformId } from '../providers/types.js';
import type { Connection } from '../store/types.js';

async function http(deps: Deps, url: string, init: Parameters<Deps['http']['fetch']>[1] = {}) {
  return deps.http.fetch(url, { redirect: 'manual', ...init });
}

export async function seedConnection(deps: Deps, platform: PlatformId, account: string, name = account): Promise<Connection> {
  const provider = await deps.provider(platform);
  const d = provider.descriptor;
  const redirectUri = redirectUriFor(provider, deps, redirectPort(provider, deps) || 45678);
  let pd = await deps.providerDeps(platform);
  // Mastodon: the app is registered on the (sandbox) server first, as `connect` does.
  if (provider.registerApp) pd = await ensureInstanceApp(deps, provider, pd, redirectUri, d.scopes.map((s) => s.scope));
  const codeVerifier = generateVerifier();
  const state = deps.random.uuid();
  // AT Protocol (Bluesky): the library pushes the request (PAR) and owns state, PKCE and the DPoP key.
  const pending = provider.startLogin ? await provider.startLogin({ redirectUri }, pd) : undefined;
  const url = pending?.url ?? provider.buildAuthorizeUrl({ redirectUri, state, codeVerifier, scopes: d.scopes.map((s) => s.scope) }, pd);
  let res = await http(deps, url.toString());
  let location = res.headers.get('location');
  if (!location) {
    const page = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
    const request = /name="request" value="([^"]+)"/.exec(page)?.[1];
    if (!action || !request) throw new Error(`no consent form (HTTP ${res.status}): ${page.slice(0, 200)}`);
    const form = new URLSearchParams({ request, account, decision: 'approve' });
    for (const m of page.matchAll(/name="scope" id="[^"]+" value="([^"]+)"/g)) form.append('scope', m[1]!.replace(/&amp;/g, '&'));
    res = await http(deps, new URL(action, url).toString(), { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await res.text();
    location = res.headers.get('location');
  } else await res.text();
  if (!location) throw new Error(`consent did not redirect (HTTP ${res.status})`);
  const back = new URL(location.replace(/#_$/, ''));
  const params = Object.fromEntries(back.searchParams);
  if (!params.code) throw new Error(`no code in the redirect: ${location}`);
  const tokens = pending ? await pending.exchange(params) : await provider.exchangeCode({ code: params.code, redirectUri, codeVerifier, callbackParams: params }, pd);
  const who = await provider.whoami(tokens, pd);
  const store = await deps.store();
  const id = deps.random.uuid();
  await (await deps.secrets()).set(secretKeys.connection(id), JSON.stringify(tokens));
  return store.insertConnection(
    {
      id,
      platform,
      name,
      accountId: who.id,
      username: who.username ?? null,
      displayName: who.displayName,
      accountType: who.accountType ?? null,
      dataAccessExpiresAt: who.dataAccessExpiresAt ?? null,
      meta: who.meta ?? {},
      health: 'healthy',
      reason: null,
      reasonDetail: null,
      lastRefreshAt: null,
      ...tokenMetadata(tokens),
    } as Omit<Connection, 'tokenGeneration' | 'createdAt' | 'updatedAt'>,
    deps.clock.now(),
  );
}

/** Seeds `n` connections (accounts user1..userN) with bounded parallelism. */
export async function seedConnections(deps: Deps, platform: PlatformId, n: number, parallel = 8): Promise<Connection[]> {
  const out: Connection[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await seedConnection(deps, platform, `user${i + 1}`);
      }
    }),
  );
  return out;
}
