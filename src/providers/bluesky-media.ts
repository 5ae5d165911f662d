/**
 * Bluesky's media limits (docs/platforms/bluesky.md#media): the record schemas (lexicons) of
 * app.bsky.embed.images (up to 4 images, each blob at most 2,000,000 bytes) and
 * app.bsky.embed.video (one mp4, at most 100,000,000 bytes), and the 3-minute video length of
 * the video announcement. Sizes are decimal bytes, as the lexicons write them.
 */
import type { MediaLimits } from './media-limits.js';

export const MAX_IMAGES = 4;
export const IMAGE_MAX_BYTES = 2_000_000;
export const VIDEO_MAX_BYTES = 100_000_000;
export const VIDEO_MAX_SEC = 180;
const IMAGES = 'https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json';
const VIDEO = 'https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/video.json';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Bluesky',
    video: { containers: ['mp4'], maxBytes: VIDEO_MAX_BYTES, durationSec: { max: VIDEO_MAX_SEC }, source: VIDEO },
    image: { formats: ['jpeg', 'png', 'gif', 'webp'], maxBytes: IMAGE_MAX_BYTES, source: IMAGES },
  };
}
