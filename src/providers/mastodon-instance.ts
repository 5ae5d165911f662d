/**
 * The limits of one Mastodon server, read from its own configuration (GET /api/v2/instance,
 * docs/platforms/mastodon.md#instance-limits): each server sets its own character limit, media
 * sizes and attachment count. Servers without /api/v2/instance (before 4.0) answer through
 * /api/v1/instance; a server that gives neither gets Mastodon's defaults.
 */
import { hostUrl } from '../core/url.js';
import { num } from './oauth.js';
import { classify } from './mastodon.js';
import { parse, send } from './oauth.js';
import type { ProviderDeps } from './types.js';

export interface InstanceLimits {
  maxCharacters: number;
  reservedPerUrl: number;
  maxAttachments: number;
  imageSizeLimit: number;
  videoSizeLimit: number;
  /** Empty when the server does not say. */
  supportedMimeTypes: string[];
  /** Longest alt text (description_limit, 4.4+); Mastodon's 1500 when not said. */
  descriptionLimit: number;
}

/** Mastodon's own defaults (docs/platforms/mastodon.md#instance-limits). */
export const DEFAULT_LIMITS: InstanceLimits = {
  maxCharacters: 500,
  reservedPerUrl: 23,
  maxAttachments: 4,
  imageSizeLimit: 16 * 1024 * 1024,
  videoSizeLimit: 99 * 1024 * 1024,
  supportedMimeTypes: [],
  descriptionLimit: 1500,
};

/** Pure: the `configuration` object of an instance document -> limits (defaults for what is missing). */
export function limitsFrom(body: unknown): InstanceLimits {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const c = (b.configuration ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const st = c.statuses ?? {};
  const m = c.media_attachments ?? {};
  const pos = (v: unknown, d: number) => {
    const n = num(v);
    return n !== undefined && n > 0 ? n : d;
  };
  return {
    // v1 documents of old servers (and forks such as Glitch) carry max_toot_chars at the top.
    maxCharacters: pos(st.max_characters ?? b.max_toot_chars, DEFAULT_LIMITS.maxCharacters),
    reservedPerUrl: pos(st.characters_reserved_per_url, DEFAULT_LIMITS.reservedPerUrl),
    maxAttachments: pos(st.max_media_attachments, DEFAULT_LIMITS.maxAttachments),
    imageSizeLimit: pos(m.image_size_limit, DEFAULT_LIMITS.imageSizeLimit),
    videoSizeLimit: pos(m.video_size_limit, DEFAULT_LIMITS.videoSizeLimit),
    supportedMimeTypes: Array.isArray(m.supported_mime_types) ? m.supported_mime_types.filter((x): x is string => typeof x === 'string') : [],
    descriptionLimit: pos(m.description_limit, DEFAULT_LIMITS.descriptionLimit),
  };
}

/** GET /api/v2/instance, else /api/v1/instance (no token needed). */
export async function fetchInstanceLimits(d: ProviderDeps): Promise<InstanceLimits> {
  for (const path of ['/api/v2/instance', '/api/v1/instance']) {
    const p = await parse(await send('mastodon', 'instance configuration', d.http, hostUrl(d.hosts.api!, path), { headers: { accept: 'application/json' } }), 'mastodon', 'instance configuration');
    if (p.status === 404 || p.status === 410) continue;
    if (!p.ok) throw classify(p.status, p.body, p.headers, { now: d.clock.now(), context: 'api', what: 'instance configuration' });
    return limitsFrom(p.body);
  }
  return DEFAULT_LIMITS;
}
