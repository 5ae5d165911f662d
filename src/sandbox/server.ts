/**
 * startSandbox: one HTTP server per platform on 127.0.0.1:0, each serving that
 * platform's OAuth/API routes (src/sandbox/<platform>.ts), its publishing routes
 * (src/sandbox/<platform>-publish.ts, when present) and the /__sandbox control API.
 *
 * Modules come from a static list (src/sandbox/modules.ts, no filesystem scan), one per
 * platform; a module that fails to load fails startSandbox.
 */
import type { AddressInfo } from 'node:net';
import { PLATFORMS, type PlatformId } from '../providers/types.js';
import { envHostVar } from '../providers/registry.js';
import type { SandboxApp, SandboxModule, SandboxOptions, SandboxRoutesModule } from './common.js';
import { combineControls, type PlatformControl, type SandboxControl } from './control.js';
import { createPlatformServer, type PlatformServer } from './runtime.js';
import { sandboxModules } from './modules.js';

export type { SandboxOptions } from './common.js';
export type { SandboxControl, PlatformControl, FaultSpec, SandboxStats, ValidateResult } from './control.js';

export interface Sandbox {
  /** Platforms running (those requested; all by default). */
  platforms: PlatformId[];
  /** Origin per running platform, e.g. http://127.0.0.1:41234. */
  origins: Record<PlatformId, string>;
  /** { SOCIALYNC_TIKTOK_API_URL: origin, ... } for every host of every running platform. */
  hostEnv(): Record<string, string>;
  /** Config `endpoints` object: { tiktok: { www: origin, api: origin }, ... }. */
  endpoints(): Record<string, Record<string, string>>;
  /** Default app per running platform (X: confidential). */
  apps: Record<PlatformId, Pick<SandboxApp, 'clientId' | 'clientSecret' | 'clientType'>>;
  /** Every registered app per platform (e.g. LinkedIn's app without programmatic refresh). */
  allApps: Record<PlatformId, readonly SandboxApp[]>;
  control: SandboxControl;
  close(): Promise<void>;
}

/** Loads the platform's sandbox module and its publishing routes, when present. */
export async function loadSandboxModule(p: PlatformId): Promise<{ main: SandboxModule; extra: SandboxRoutesModule[] }> {
  const entry = sandboxModules[p];
  const main = await entry.main();
  const pub = entry.publish ? await entry.publish() : undefined;
  return { main, extra: pub ? [pub] : [] };
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const wanted = opts.platforms ?? [...PLATFORMS];
  const running: PlatformServer[] = [];
  try {
    for (const p of wanted) {
      const mods = await loadSandboxModule(p);
      const ps = createPlatformServer(p, mods.main, mods.extra, opts);
      await new Promise<void>((resolve, reject) => {
        ps.server.once('error', reject);
        ps.server.listen(0, '127.0.0.1', () => resolve());
      });
      running.push(ps);
    }
  } catch (e) {
    await Promise.all(running.map(closeServer));
    throw e;
  }
  const origins = {} as Record<PlatformId, string>;
  const apps = {} as Sandbox['apps'];
  const allApps = {} as Sandbox['allApps'];
  const controls = new Map<PlatformId, PlatformControl>();
  for (const ps of running) {
    origins[ps.platform] = `http://127.0.0.1:${(ps.server.address() as AddressInfo).port}`;
    const a = ps.ctx.apps[0];
    if (a) apps[ps.platform] = { clientId: a.clientId, clientSecret: a.clientSecret, ...(a.clientType ? { clientType: a.clientType } : {}) };
    allApps[ps.platform] = ps.ctx.apps;
    controls.set(ps.platform, ps.control);
  }
  // Each platform's own hosts, plus the hosts another server plays for it (Instagram's Facebook Login hosts).
  const hostsOf = (): [PlatformId, string, string][] =>
    running.flatMap((ps) => [
      ...ps.hosts.map((h): [PlatformId, string, string] => [ps.platform, h, origins[ps.platform]]),
      ...Object.entries(ps.alsoServes).flatMap(([p, hs]) => (hs ?? []).map((h): [PlatformId, string, string] => [p as PlatformId, h, origins[ps.platform]])),
    ]);
  const endpoints = () => {
    const out: Record<string, Record<string, string>> = {};
    for (const [p, h, origin] of hostsOf()) (out[p] ??= {})[h] = origin;
    return out;
  };
  return {
    platforms: running.map((ps) => ps.platform),
    origins,
    apps,
    allApps,
    hostEnv() {
      const env: Record<string, string> = {};
      for (const [p, h, origin] of hostsOf()) env[envHostVar(p, h)] = origin;
      return env;
    },
    endpoints,
    control: combineControls(controls),
    close: async () => void (await Promise.all(running.map(closeServer))),
  };
}

function closeServer(ps: PlatformServer): Promise<void> {
  return new Promise((resolve) => {
    ps.server.close(() => resolve());
    ps.server.closeAllConnections();
  });
}
