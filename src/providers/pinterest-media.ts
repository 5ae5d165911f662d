/**
 * Pinterest's media limits (see docs/platforms/media-limits.md#pinterest): Pinterest product specs,
 * "Standard Pins" and "Standard width video Pins".
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

export const PINTEREST_SPECS = 'https://help.pinterest.com/en/business/article/pinterest-product-specs';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Pinterest',
    video: {
      containers: ['mp4', 'mov'],
      codecs: ['h264', 'h265'],
      maxBytes: 2 * GB,
      durationSec: { min: 4, max: 15 * 60 },
      // "Shorter than 1:2 (width:height), taller than 1.91:1".
      aspect: { min: 1 / 2, max: 1.91 },
      source: PINTEREST_SPECS,
    },
    image: { formats: ['jpeg', 'png'], maxBytes: 32 * MB, source: PINTEREST_SPECS },
  };
}
