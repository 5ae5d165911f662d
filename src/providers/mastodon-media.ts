/**
 * Mastodon's media limits at schedule time (see docs/platforms/mastodon.md#instance-limits): the
 * defaults of a Mastodon server. Each server may set its own; the publisher reads the connection's
 * server configuration (./mastodon-instance.ts) and checks against it before uploading.
 */
import { MB, type MediaLimits } from './media-limits.js';

const INSTANCE = 'https://docs.joinmastodon.org/entities/Instance/#media_attachments';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Mastodon',
    video: { containers: ['mp4', 'mov', 'webm'], maxBytes: 99 * MB, source: INSTANCE },
    image: { formats: ['jpeg', 'png', 'gif', 'webp'], maxBytes: 16 * MB, source: INSTANCE },
  };
}
