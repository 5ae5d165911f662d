/**
 * The shape of a platform's media limits. Each platform keeps its own table, as data, in
 * src/providers/<platform>-media.ts; src/publish/media-check.ts checks a probed file against it.
 * Every number there comes from the platform's documentation, linked in `source` and in
 * docs/platforms/media-limits.md (read 2026-12-06).
 */

/** Inclusive bounds; a missing side is not limited. */
export interface Range {
  min?: number;
  max?: number;
}

export interface VideoLimits {
  /** Containers as src/publish/probe.ts names them (mp4, mov, webm). */
  containers: string[];
  /** Video codecs (h264, h265, vp8, vp9); absent = the docs name none. */
  codecs?: string[];
  /** Audio codecs, when the file has an audio track. */
  audioCodecs?: string[];
  maxBytes: number;
  minBytes?: number;
  durationSec?: Range;
  width?: Range;
  height?: Range;
  /** Width divided by height, as displayed. */
  aspect?: Range;
  fps?: Range;
  /** The documentation page these numbers come from. */
  source: string;
}

export interface ImageLimits {
  /** Image formats as src/publish/probe.ts names them (jpeg, png, gif, webp). */
  formats: string[];
  maxBytes: number;
  width?: Range;
  height?: Range;
  aspect?: Range;
  /** Width times height. */
  maxPixels?: number;
  source: string;
}

export interface MediaLimits {
  /** How the platform is named in messages ("TikTok", "YouTube Shorts"). */
  name: string;
  video?: VideoLimits;
  image?: ImageLimits;
  /** Formats with limits of their own (X: animated GIFs). */
  byFormat?: Record<string, ImageLimits>;
}

export const KB = 1024;
export const MB = 1024 * KB;
export const GB = 1024 * MB;
