/**
 * User settings (never secrets, never multi-process state). Reads parse the
 * JSON file directly (fast start-up); writes go through `conf`, which writes
 * atomically. Environment variables override the file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from './paths.js';
import { UsageError } from './errors.js';

export interface AppSettings {
  clientId: string;
  /** X only: 'public' (Native App, no secret) or 'confidential' (Basic auth). */
  clientType?: 'public' | 'confidential';
  /** Fixed redirect port, for platforms that need an exact registered redirect URI. */
  redirectPort?: number;
  /** Loopback host written into the redirect URI ('127.0.0.1' or 'localhost'). */
  redirectHost?: string;
  /** Serve the loopback redirect over https (self-signed) even where the platform's default is http. */
  redirectHttps?: boolean;
  /** Instagram only: which of its two APIs, 'instagram' (Instagram Login, default) or 'facebook' (Facebook Login). */
  login?: 'instagram' | 'facebook';
  /** LinkedIn: app approved for programmatic refresh. Google: app in Testing status. */
  flags?: Record<string, boolean>;
}

export interface Settings {
  apps?: Record<string, AppSettings>;
  /** Per-platform host overrides: endpoints.tiktok.api = 'http://127.0.0.1:1234'. */
  endpoints?: Record<string, Record<string, string>>;
  /** Per-platform refresh threshold in minutes. */
  refreshThresholdMinutes?: Record<string, number>;
  /** Days before a forced reconnect to start warning. */
  warnDays?: number;
  secrets?: { backend?: 'keychain' | 'file' };
  /** Set in sandbox profiles. */
  sandbox?: { demo?: boolean };
  notify?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Config {
  readonly file: string;
  read(): Settings;
  get<T = unknown>(path: string): T | undefined;
  set(path: string, value: unknown): Promise<void>;
  delete(path: string): Promise<void>;
  env: NodeJS.ProcessEnv;
}

export function createConfig(configDir: string, env: NodeJS.ProcessEnv): Config {
  const file = join(configDir, 'config.json');
  let cache: Settings | undefined;
  const load = (): Settings => {
    if (cache) return cache;
    try {
      cache = JSON.parse(readFileSync(file, 'utf8')) as Settings;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') cache = {};
      else throw new UsageError(`config file ${file} is not valid JSON`, `fix or remove ${file}, then run: socialync doctor`);
    }
    return cache;
  };
  const conf = async () => {
    ensurePrivateDir(configDir);
    const { default: Conf } = await import('conf');
    return new Conf<Settings>({ cwd: configDir, configName: 'config', configFileMode: 0o600, projectName: 'socialync' } as never);
  };
  return {
    file,
    env,
    read: load,
    get<T>(path: string): T | undefined {
      let cur: unknown = load();
      for (const part of path.split('.')) {
        if (cur === null || typeof cur !== 'object') return undefined;
        cur = (cur as Record<string, unknown>)[part];
      }
      return cur as T | undefined;
    },
    async set(path, value) {
      const c = await conf();
      c.set(path, value as never);
      cache = undefined;
    },
    async delete(path) {
      const c = await conf();
      c.delete(path as never);
      cache = undefined;
    },
  };
}
