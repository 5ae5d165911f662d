/**
 * YouTube's media limits (see docs/platforms/media-limits.md#youtube): videos.insert accepts
 * video/* up to 256 GB. A Short is an ordinary upload that is at most 3 minutes long and square or
 * taller; `--set youtube.shorts=true` checks that before scheduling.
 */
import { GB, type MediaLimits } from './media-limits.js';

const INSERT = 'https://developers.google.com/youtube/v3/docs/videos/insert';
const SHORTS = 'https://support.google.com/youtube/answer/10059070';

export function mediaLimits(options: Record<string, string> = {}): MediaLimits {
  const shorts = options['shorts'] === 'true';
  const containers = ['mp4', 'mov', 'webm', 'avi', 'mkv', 'flv', 'mpeg', 'ts'];
  return shorts
    ? { name: 'YouTube Shorts', video: { containers, maxBytes: 256 * GB, durationSec: { max: 180 }, aspect: { max: 1 }, source: SHORTS } }
    : { name: 'YouTube', video: { containers, maxBytes: 256 * GB, source: INSERT } };
}
