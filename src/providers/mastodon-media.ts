/**
 * Mastodon's media rules at schedule time (see docs/platforms/mastodon.md#instance-limits): the
 * formats a Mastodon server takes. Sizes differ per server (16 MB images and 99 MB videos are only
 * the defaults), so they are not checked here: the publisher reads the connection's own server
 * configuration (./mastodon-instance.ts) and checks every file against it before uploading.
 */
import type { MediaLimits } from './media-limits.js';

const INSTANCE = 'https://docs.joinmastodon.org/entities/Instance/#media_attachments';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Mastodon',
    video: { containers: ['mp4', 'mov', 'webm'], maxBytes: Number.POSITIVE_INFINITY, source: INSTANCE },
    image: { formats: ['jpeg', 'png', 'gif', 'webp'], maxBytes: Number.POSITIVE_INFINITY, source: INSTANCE },
  };
}
