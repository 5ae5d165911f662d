/**
 * TikTok's media limits (see docs/platforms/media-limits.md#tiktok): the Content Posting API's
 * Media Transfer Guide, "Video restrictions" and "Image restrictions".
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

const GUIDE = 'https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide';

export function mediaLimits(): MediaLimits {
  return {
    name: 'TikTok',
    video: {
      containers: ['mp4', 'webm', 'mov'],
      codecs: ['h264', 'h265', 'vp8', 'vp9'],
      maxBytes: 4 * GB,
      // The longest video an app may send is 10 minutes; an account's own cap (creator_info
      // max_video_post_duration_sec) is checked again at publish time.
      durationSec: { max: 600 },
      width: { min: 360, max: 4096 },
      height: { min: 360, max: 4096 },
      fps: { min: 23, max: 60 },
      source: GUIDE,
    },
    image: { formats: ['jpeg', 'webp'], maxBytes: 20 * MB, width: { max: 1080 }, height: { max: 1920 }, source: GUIDE },
  };
}
