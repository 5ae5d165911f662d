/**
 * X's media limits (see docs/platforms/media-limits.md#x): "Media best practices" of the X API.
 * Durations and sizes are those of accounts without X Premium; `--set x.premium=true` uses the
 * Premium caps (the limits follow the posting account, not the developer plan).
 */
import { GB, MB, type MediaLimits } from './media-limits.js';

const PRACTICES = 'https://docs.x.com/x-api/media/quickstart/best-practices';

export function mediaLimits(options: Record<string, string> = {}): MediaLimits {
  const premium = options['premium'] === 'true';
  return {
    name: premium ? 'X (Premium)' : 'X',
    video: {
      containers: ['mp4', 'mov'],
      maxBytes: premium ? 16 * GB : 8 * GB,
      durationSec: { min: 0.5, max: premium ? 125 * 60 : 20 * 60 },
      width: { min: 32 },
      height: { min: 32 },
      aspect: { min: 1 / 3, max: 3 },
      fps: { max: 60 },
      audioCodecs: ['aac'],
      source: PRACTICES,
    },
    image: { formats: ['jpeg', 'png', 'gif', 'webp'], maxBytes: 5 * MB, source: PRACTICES },
    byFormat: { gif: { formats: ['gif'], maxBytes: 15 * MB, width: { max: 1280 }, height: { max: 1080 }, source: PRACTICES } },
  };
}
