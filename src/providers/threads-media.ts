/**
 * Threads' media limits (see docs/platforms/media-limits.md#threads): the "Media specifications"
 * section of the Threads Posts page.
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

export const THREADS_POSTS_DOC = 'https://developers.facebook.com/documentation/threads/posts';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Threads',
    video: {
      containers: ['mp4', 'mov'],
      codecs: ['h264', 'h265'],
      audioCodecs: ['aac'],
      maxBytes: 1 * GB,
      // "Maximum 300 seconds (5 minutes), minimum longer than 0 seconds."
      durationSec: { max: 300 },
      width: { max: 1920 },
      aspect: { min: 0.01, max: 10 },
      fps: { min: 23, max: 60 },
      source: THREADS_POSTS_DOC,
    },
    // Widths 320-1440 are scaled by Threads, so only the format, size and 10:1 aspect ratio refuse an image.
    image: { formats: ['jpeg', 'png'], maxBytes: 8 * MB, aspect: { min: 1 / 10, max: 10 }, source: THREADS_POSTS_DOC },
  };
}
