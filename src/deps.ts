/**
 * The one factory of side effects (gh's cmdutil.Factory, workers-auth's context).
 * Commands receive Deps and never import process, undici, the keychain or prompts.
 * Expensive parts (database, secret store, network) are created once, on first use.
 */
import { processIO, type IO } from './core/io.js';
import { systemClock, type Clock } from './core/clock.js';
import { createHttp, type Http } from './core/http.js';
import { createConfig, type Config } from './core/config.js';
import { resolvePaths, type Paths } from './core/paths.js';
import { createPrompts, type Prompts } from './core/prompt.js';
import { CliError, UsageError } from './core/errors.js';
import { rememberSecret, redactText } from './core/redact.js';
import type { Store } from './store/types.js';
import type { SecretStore } from './secrets/types.js';
import { secretKeys } from './secrets/types.js';
import type { PlatformId, Provider, ProviderDeps } from './providers/types.js';
import { loadProvider, resolveApiVersion, resolveHosts, type HostHolder } from './providers/registry.js';
import { makeOwnerId } from './auth/owner.js';

export interface Browser {
  /** Opens a URL in the user's browser; throws when no browser could be started. */
  open(url: string): Promise<void>;
  /** Set for the sandbox demo's built-in approver, so messages don't claim a real browser opened. */
  automatic?: boolean;
}

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
}

export interface Deps {
  io: IO;
  env: NodeJS.ProcessEnv;
  paths: Paths;
  clock: Clock;
  http: Http;
  config: Config;
  random: Random;
  prompts: Prompts;
  browser: Browser;
  store(): Promise<Store>;
  secrets(): Promise<SecretStore>;
  provider(id: PlatformId): Promise<Provider>;
  /**
   * Everything a provider call needs: hosts, API version, app credentials (secret from the store).
   * With `conn`, a per-server platform (Mastodon) talks to the connection's own instance with the
   * app registered there (src/auth/instance-app.ts).
   */
  providerDeps(id: PlatformId, conn?: HostHolder): Promise<ProviderDeps>;
  /** A name for this process in locks and logs. */
  processId: string;
  close(): Promise<void>;
}

export type DepsOverrides = Partial<Omit<Deps, 'store' | 'secrets'>> & {
  store?: () => Promise<Store>;
  secrets?: () => Promise<SecretStore>;
};

// node:crypto loads on first use: commands such as `status` never need it.
const crypto = () => process.getBuiltinModule('node:crypto');

export function createDeps(over: DepsOverrides = {}): Deps {
  const env = over.env ?? process.env;
  const io = over.io ?? processIO();
  const paths = over.paths ?? resolvePaths(env);
  const clock = over.clock ?? systemClock;
  const config = over.config ?? createConfig(paths.configDir, env);
  const http = over.http ?? createHttp({ debug: (l) => io.debug(l), debugOn: () => io.verbosity === 'debug' });
  let store: Promise<Store> | undefined;
  let processIdValue: string | undefined;
  let secrets: Promise<SecretStore> | undefined;
  const deps: Deps = {
    io,
    env,
    paths,
    clock,
    http,
    config,
    random: over.random ?? { bytes: (n) => crypto().randomBytes(n), uuid: () => crypto().randomUUID() },
    prompts: over.prompts ?? createPrompts(io),
    browser: over.browser ?? {
      async open(url) {
        const { default: open } = await import('open');
        const child = await open(url, { wait: false });
        await new Promise<void>((resolve, reject) => {
          child.once('error', reject);
          // `open` resolves once spawned; an immediate non-zero exit means no browser.
          child.once('exit', (code) => (code && code !== 0 ? reject(new Error(`browser launcher exited with ${code}`)) : resolve()));
          setTimeout(resolve, 1500).unref();
        });
      },
    },
    // Made on first use (locks): most commands never need it. Host, pid and start time let
    // another process see that a lock's holder died (src/auth/owner.ts).
    get processId(): string {
      return (processIdValue ??= over.processId ?? makeOwnerId(crypto().randomUUID().slice(0, 8)));
    },
    store:
      over.store ??
      (() => (store ??= import('./store/open.js').then((m) => m.openStateStore({ env, config, paths, now: () => clock.now() })))),
    secrets:
      over.secrets ??
      (() =>
        (secrets ??= config.get<string>('team.machineId')
          ? import('./secrets/team-open.js').then((m) => m.openTeamSecretStore(deps))
          : import('./secrets/open.js').then((m) => m.openSecretStore({ paths, env, config, io })))),
    provider: over.provider ?? ((id) => loadProvider(id, config)),
    async providerDeps(id, conn) {
      const provider = await deps.provider(id);
      if (provider.descriptor.perConnectionHost) {
        const { instanceProviderDeps } = await import('./auth/instance-app.js');
        return instanceProviderDeps(deps, provider, resolveHosts(provider.descriptor, config, conn));
      }
      const app = config.get<{ clientId?: string; clientType?: 'public' | 'confidential'; flags?: Record<string, boolean> }>(`apps.${id}`);
      const clientId = env[`SOCIALYNC_${id.toUpperCase()}_CLIENT_ID`] || app?.clientId || provider.descriptor.defaultClientId;
      if (!clientId) {
        throw new CliError(`${id}: no app credentials configured`, { exitCode: 3, hint: `run: socialync app set ${id}` });
      }
      let clientSecret = env[`SOCIALYNC_${id.toUpperCase()}_CLIENT_SECRET`] || undefined;
      if (!clientSecret) clientSecret = await (await deps.secrets()).get(secretKeys.clientSecret(id));
      rememberSecret(clientSecret);
      const d = provider.descriptor;
      const needsSecret = d.clientSecret === 'required' || (d.clientSecret === 'confidential-only' && app?.clientType === 'confidential');
      if (needsSecret && !clientSecret) {
        throw new UsageError(`${id}: the app's client secret is missing`, `run: socialync app set ${id}`);
      }
      const apiVersion = resolveApiVersion(d, config);
      return {
        http,
        clock,
        hosts: resolveHosts(d, config),
        app: { clientId, ...(clientSecret ? { clientSecret } : {}), ...(app?.clientType ? { clientType: app.clientType } : {}), ...(app?.flags ? { flags: app.flags } : {}) },
        ...(apiVersion ? { apiVersion } : {}),
        settings: config,
      };
    },
    async close() {
      if (store) await (await store.catch(() => undefined))?.close();
    },
  };
  return deps;
}

export { redactText };
