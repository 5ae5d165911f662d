/**
 * Instagram's media limits (see docs/platforms/media-limits.md#instagram): the IG User Media
 * reference, "Image specifications" and "Reel specifications" (videos are published as reels).
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

const MEDIA_REF = 'https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Instagram',
    video: {
      containers: ['mp4', 'mov'],
      codecs: ['h264', 'h265'],
      audioCodecs: ['aac'],
      maxBytes: 1 * GB,
      durationSec: { min: 3, max: 15 * 60 },
      width: { max: 1920 },
      aspect: { min: 0.01, max: 10 },
      fps: { min: 23, max: 60 },
      source: MEDIA_REF,
    },
    // Width 320–1440 is scaled by Meta, so only the aspect ratio refuses an image.
    image: { formats: ['jpeg'], maxBytes: 8 * MB, aspect: { min: 4 / 5, max: 1.91 }, source: MEDIA_REF },
  };
}
