/**
 * What `socialync api <platform> <path>` needs from each platform, kept in one small
 * `<platform>-api.ts` file per platform (every quirk lives with its platform): which hosts may
 * receive the token, the default path prefix, the required headers, which token acts for the
 * connection, when the platform refused the token, and how its lists page.
 */
import type { Config } from '../core/config.js';
import { instagramLogin } from './registry.js';
import type { PlatformId, ProviderDeps, TokenSet } from './types.js';

/** One request of a (possibly paged) call. */
export interface ApiCall {
  method: string;
  url: URL;
  /** The JSON body built from -f/-F or read from --input (a paginator may change it: TikTok's cursor). */
  json?: Record<string, unknown>;
}

export interface Credential {
  token: string;
  /** ms since epoch; absent = the token does not expire. */
  expiresAt?: number;
}

export interface PlatformApi {
  /** Host names (keys of the descriptor's hosts) that may receive the token; relative paths go to the first. */
  hosts: readonly string[];
  /** A relative path as the platform wants it ("users/me" -> "/2/users/me"); always starts with "/". */
  path(p: string, d: ProviderDeps): string;
  /** Headers the platform requires on every call. */
  headers(d: ProviderDeps): Record<string, string>;
  /** The token that acts for the connection. */
  credential(t: TokenSet): Credential;
  /** The platform refused the token itself (expired, revoked): worth one refresh and retry. */
  rejectsToken(status: number, body: unknown): boolean;
  /**
   * The request for the next page, or undefined when this answer was the last page. `headers` are
   * the answer's HTTP headers, for platforms that page with them (Mastodon's `Link` header).
   */
  nextPage(call: ApiCall, body: unknown, headers?: Headers): ApiCall | undefined;
}

const loaders: Record<PlatformId, (config: Pick<Config, 'get'>) => Promise<PlatformApi>> = {
  x: async () => (await import('./x-api.js')).xApi,
  tiktok: async () => (await import('./tiktok-api.js')).tiktokApi,
  youtube: async () => (await import('./youtube-api.js')).youtubeApi,
  linkedin: async () => (await import('./linkedin-api.js')).linkedinApi,
  bluesky: async () => (await import('./bluesky-api.js')).blueskyApi(),
  threads: async () => (await import('./threads-api.js')).threadsApi,
  pinterest: async () => (await import('./pinterest-api.js')).pinterestApi,
  mastodon: async () => (await import('./mastodon-api.js')).mastodonApi,
  facebook: async () => (await import('./facebook-api.js')).facebookApi,
  instagram: async (config) => {
    const m = await import('./instagram-api.js');
    return instagramLogin(config) === 'facebook' ? m.instagramFacebookApi : m.instagramApi;
  },
};

export function loadPlatformApi(id: PlatformId, config: Pick<Config, 'get'>): Promise<PlatformApi> {
  return loaders[id](config);
}

/** The plain token (most platforms): the connection's access token and its expiry. */
export function accessCredential(t: TokenSet): Credential {
  return { token: t.accessToken, ...(t.expiresAt !== undefined ? { expiresAt: t.expiresAt } : {}) };
}

/** "/x" when `p` already starts with one of `kept`, else `prefix` + "/x". */
export function withPrefix(p: string, prefix: string, kept: RegExp): string {
  const path = '/' + p.replace(/^\/+/, '');
  return kept.test(path) ? path : prefix + path;
}

export function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** `call` with the query parameter `name` set to `value` (GET paging by token). */
export function withQuery(call: ApiCall, name: string, value: string): ApiCall {
  const url = new URL(call.url);
  url.searchParams.set(name, value);
  return { ...call, url };
}

/**
 * The target of the `rel` link in an HTTP `Link` header (RFC 8288 §3: `<uri>; rel="next", <uri>; rel="prev"`),
 * resolved against `base`; undefined when there is none. A rel may list several space-separated types.
 */
export function linkTarget(header: string | null, rel: string, base: URL): URL | undefined {
  if (!header) return undefined;
  for (const m of header.matchAll(/<([^>]*)>([^<]*)/g)) {
    const r = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(m[2]!);
    if (!(r?.[1] ?? r?.[2] ?? '').toLowerCase().split(/\s+/).includes(rel)) continue;
    try {
      return new URL(m[1]!, base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
