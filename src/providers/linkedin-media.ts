/**
 * LinkedIn's media limits (see docs/platforms/media-limits.md#linkedin): the Videos API and
 * Images API pages of the Community Management documentation.
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

const VIDEOS = 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/videos-api';
const IMAGES = 'https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api';

export function mediaLimits(): MediaLimits {
  return {
    name: 'LinkedIn',
    // The upper size is the multi-part upload's; see the docs file for what could not be confirmed.
    video: { containers: ['mp4'], maxBytes: 5 * GB, durationSec: { min: 3, max: 30 * 60 }, source: VIDEOS },
    image: { formats: ['jpeg', 'png', 'gif'], maxBytes: 36 * MB, maxPixels: 36_152_320, source: IMAGES },
  };
}
