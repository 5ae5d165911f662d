/**
 * Test kit for the refresh engine: real SQLite store and config in a temp
 * folder, an in-memory secret store, a controllable clock, captured IO and
 * an optional fake provider. Everything goes through createDeps overrides.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { resolvePaths } from '../../src/core/paths.js';
import type { Clock } from '../../src/core/clock.js';
import type { SecretStore } from '../../src/secrets/types.js';
import { secretKeys } from '../../src/secrets/types.js';
import type { PlatformId, Provider, ProviderDeps, TokenSet } from '../../src/providers/types.js';
import type { Connection } from '../../src/store/types.js';

export function memorySecrets(): SecretStore & { map: Map<string, string>; writes: string[] } {
  const map = new Map<string, string>();
  const writes: string[] = [];
  return {
    map,
    writes,
    async get(k) {
      return map.get(k);
    },
    async set(k, v) {
      writes.push(k);
      map.set(k, v);
    },
    async delete(k) {
      map.delete(k);
    },
    describe: () => ({ backend: 'file', location: 'memory' }),
  };
}

export interface FakeClock extends Clock {
  t: number;
  sleeps: number[];
}

export function fakeClock(start = Date.UTC(2026, 10, 26, 12, 0, 0)): FakeClock {
  const c: FakeClock = {
    t: start,
    sleeps: [],
    now: () => c.t,
    async sleep(ms) {
      c.sleeps.push(ms);
      c.t += ms;
      // A little real time too, so lock polling does not race ahead of real work.
      await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
    },
  };
  return c;
}

export interface Kit {
  deps: Deps;
  dir: string;
  secrets: ReturnType<typeof memorySecrets>;
  clock: FakeClock;
  stdout(): string;
  stderr(): string;
  addConnection(platform: PlatformId, name: string, t: TokenSet, extra?: Partial<Connection>): Promise<Connection>;
  cleanup(): Promise<void>;
}

const profileSecrets = new Map<string, ReturnType<typeof memorySecrets>>();

export function makeKit(opts: { providers?: Partial<Record<PlatformId, Provider>>; env?: Record<string, string>; clock?: FakeClock; dir?: string } = {}): Kit {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'socialync-refresh-'));
  const env: NodeJS.ProcessEnv = { SOCIALYNC_HOME: dir, ...opts.env };
  const out = new PassThrough();
  const err = new PassThrough();
  let so = '';
  let se = '';
  out.on('data', (d) => (so += d));
  err.on('data', (d) => (se += d));
  const io = createIO({ stdin: new PassThrough(), stdout: out, stderr: err, env });
  // One secret store per profile folder, like the vault: a kit made again on the same dir (a new
  // process) finds the secrets the previous one stored.
  const secrets = profileSecrets.get(dir) ?? memorySecrets();
  profileSecrets.set(dir, secrets);
  const clock = opts.clock ?? fakeClock();
  const deps = createDeps({
    io,
    env,
    paths: resolvePaths(env),
    clock,
    secrets: async () => secrets,
    ...(opts.providers
      ? {
          provider: async (id: PlatformId) => {
            const p = opts.providers![id];
            if (!p) throw new Error(`no fake provider for ${id}`);
            return p;
          },
        }
      : {}),
  });
  if (opts.providers) {
    deps.providerDeps = async (id) => ({ http: deps.http, clock, hosts: {}, app: { clientId: `fake-${id}`, clientSecret: 's3cret-client' } }) as ProviderDeps;
  }
  let n = 0;
  return {
    deps,
    dir,
    secrets,
    clock,
    stdout: () => so,
    stderr: () => se,
    async addConnection(platform, name, t, extra = {}) {
      const store = await deps.store();
      const id = extra.id ?? `c${++n}-${platform}-${name}`;
      await secrets.set(secretKeys.connection(id), JSON.stringify(t));
      const c = await store.insertConnection(
        {
          id,
          platform,
          name,
          accountId: `acct-${name}`,
          username: name,
          displayName: name,
          accountType: null,
          scopes: t.scopes,
          accessExpiresAt: t.expiresAt ?? null,
          refreshExpiresAt: t.refreshExpiresAt ?? null,
          refreshExpiresEstimated: Boolean(t.refreshExpiresEstimated),
          dataAccessExpiresAt: null,
          tokenObtainedAt: t.obtainedAt,
          lastRefreshAt: null,
          health: 'healthy',
          reason: null,
          reasonDetail: null,
          meta: {},
          ...extra,
        },
        clock.now(),
      );
      return c;
    },
    async cleanup() {
      await deps.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
