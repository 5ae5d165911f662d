/**
 * Lazy provider registry: a command loads only the platform files it needs.
 * Hosts and API versions resolve defaults < config < environment.
 */
import { UsageError } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import type { Config } from '../core/config.js';
import { PLATFORMS, isPlatform, type PlatformId, type Provider, type ProviderDescriptor } from './types.js';

const loaders: Record<PlatformId, () => Promise<{ provider: Provider }>> = {
  instagram: () => import('./instagram.js'),
  facebook: () => import('./facebook.js'),
  tiktok: () => import('./tiktok.js'),
  youtube: () => import('./youtube.js'),
  x: () => import('./x.js'),
  linkedin: () => import('./linkedin.js'),
  bluesky: () => import('./bluesky.js'),
  threads: () => import('./threads.js'),
  pinterest: () => import('./pinterest.js'),
  mastodon: () => import('./mastodon.js'),
};

/** Instagram has two APIs (docs/platforms/instagram.md): `app set instagram --login facebook` picks the Facebook Login one. */
export type InstagramLogin = 'instagram' | 'facebook';
export const INSTAGRAM_LOGINS: readonly InstagramLogin[] = ['instagram', 'facebook'];

export function instagramLogin(config: Pick<Config, 'get'>): InstagramLogin {
  return config.get<string>('apps.instagram.login') === 'facebook' ? 'facebook' : 'instagram';
}

/** The platform's provider; with `config`, Instagram's is the variant the app is set to. */
export async function loadProvider(id: PlatformId, config?: Pick<Config, 'get'>): Promise<Provider> {
  if (id === 'instagram' && config && instagramLogin(config) === 'facebook') return (await import('./instagram-facebook.js')).provider;
  return (await loaders[id]()).provider;
}

export function parsePlatform(s: string | undefined): PlatformId {
  const v = (s ?? '').toLowerCase().trim();
  const alias: Record<string, PlatformId> = { twitter: 'x', google: 'youtube', ig: 'instagram', fb: 'facebook' };
  const id = alias[v] ?? v;
  if (!isPlatform(id)) {
    const near = suggest(v, [...PLATFORMS, ...Object.keys(alias)]);
    throw new UsageError(`unknown platform "${s ?? ''}"`, `${near ? `did you mean ${alias[near] ?? near}? ` : ''}use one of: ${PLATFORMS.join(', ')}`);
  }
  return id;
}

/** SOCIALYNC_TIKTOK_API_URL overrides host "api" of tiktok; config endpoints.tiktok.api too. */
export function envHostVar(platform: PlatformId, host: string): string {
  return `SOCIALYNC_${platform.toUpperCase()}_${host.toUpperCase()}_URL`;
}

/** The parts of a stored connection that choose its hosts: `meta.instance` on per-server platforms. */
export interface HostHolder {
  meta?: Record<string, string> | null;
}

/**
 * defaults < config < environment, and for platforms spread over many servers (Mastodon,
 * `perConnectionHost`) the connection's own server above all: each connection talks to the
 * instance it was connected on, whatever the default instance is.
 */
export function resolveHosts(d: ProviderDescriptor, config: Config, conn?: HostHolder): Record<string, string> {
  const out: Record<string, string> = {};
  const fromConfig = config.get<Record<string, string>>(`endpoints.${d.id}`) ?? {};
  for (const [name, def] of Object.entries(d.hosts)) {
    out[name] = (config.env[envHostVar(d.id, name)] || fromConfig[name] || def).replace(/\/+$/, '');
  }
  const own = d.perConnectionHost ? conn?.meta?.instance : undefined;
  if (own) out[d.perConnectionHost!] = own.replace(/\/+$/, '');
  return out;
}

export function resolveApiVersion(d: ProviderDescriptor, config: Config): string | undefined {
  return config.env[`SOCIALYNC_${d.id.toUpperCase()}_API_VERSION`] || config.get<string>(`apiVersions.${d.id}`) || d.apiVersion;
}

export function thresholdMinutes(d: ProviderDescriptor, config: Config): number {
  return config.get<number>(`refreshThresholdMinutes.${d.id}`) ?? d.refresh.thresholdMinutes;
}
