/**
 * Facebook Page media limits (see docs/platforms/media-limits.md#facebook). The Page video and
 * photo numbers are the ones the publisher has always used: the current Video API pages do not
 * state them (the docs file says so); the formats are those the Graph API accepts for Pages.
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

const VIDEO = 'https://developers.facebook.com/docs/video-api/guides/publishing';
const PHOTOS = 'https://developers.facebook.com/docs/graph-api/reference/page/photos';

export function mediaLimits(): MediaLimits {
  return {
    name: 'Facebook',
    video: { containers: ['mp4', 'mov'], maxBytes: 10 * GB, durationSec: { max: 240 * 60 }, source: VIDEO },
    image: { formats: ['jpeg', 'png', 'gif', 'webp'], maxBytes: 10 * MB, source: PHOTOS },
  };
}
