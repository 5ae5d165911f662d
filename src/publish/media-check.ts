/**
 * Checks each media file of a post against the platform's documented limits (the tables in
 * src/providers/<platform>-media.ts, sources in docs/platforms/media-limits.md) at schedule
 * time. Each problem names the file, the platform, the limit, the value found and the fix.
 */
import { basename } from 'node:path';
import type { ImageLimits, MediaLimits, Range, VideoLimits } from '../providers/media-limits.js';
import type { MediaRef, PlatformId, PostDraft, ValidationIssue } from '../providers/types.js';
import { mediaLimits as facebook } from '../providers/facebook-media.js';
import { mediaLimits as instagram } from '../providers/instagram-media.js';
import { mediaLimits as linkedin } from '../providers/linkedin-media.js';
import { mediaLimits as tiktok } from '../providers/tiktok-media.js';
import { mediaLimits as x } from '../providers/x-media.js';
import { mediaLimits as youtube } from '../providers/youtube-media.js';
import { mediaLimits as bluesky } from '../providers/bluesky-media.js';
import { mediaLimits as threads } from '../providers/threads-media.js';
import { mediaLimits as pinterest } from '../providers/pinterest-media.js';
import { mediaLimits as mastodon } from '../providers/mastodon-media.js';

const TABLES: Record<PlatformId, (options: Record<string, string>) => MediaLimits> = { facebook, instagram, linkedin, tiktok, x, youtube, bluesky, threads, pinterest, mastodon };

function limitsFor(platform: PlatformId, options: Record<string, string> = {}): MediaLimits {
  return TABLES[platform](options);
}

/** Every media problem of a draft for one platform. */
export function checkDraftMedia(platform: PlatformId, draft: PostDraft): ValidationIssue[] {
  const limits = limitsFor(platform, draft.options);
  return draft.media.flatMap((m, i) => checkOne(m, limits).map((message) => ({ field: `media[${i}]`, message })));
}

const FORMAT_OF_MIME: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

function checkOne(m: MediaRef, limits: MediaLimits): string[] {
  const file = m.path ? basename(m.path) : (m.url ?? 'media');
  const video = m.mime.startsWith('video/');
  const format = m.probe?.container ?? FORMAT_OF_MIME[m.mime] ?? m.mime;
  const rule = video ? limits.video : (limits.byFormat?.[format] ?? limits.image);
  // A kind the platform does not take at all is the publisher's message ("TikTok needs one video").
  if (!rule) return [];
  return video ? checkVideo(file, m, format, rule as VideoLimits, limits.name) : checkImage(file, m, format, rule as ImageLimits, limits.name);
}

function checkVideo(file: string, m: MediaRef, container: string, r: VideoLimits, name: string): string[] {
  const out: string[] = [];
  const p = m.probe;
  if (!r.containers.includes(container)) out.push(`${file} is ${label(container)}; ${name} takes ${r.containers.map(label).join(', ')} — export it as ${label(r.containers[0]!)}`);
  if (r.codecs && p?.videoCodec && !r.codecs.includes(p.videoCodec)) out.push(`${file} has ${label(p.videoCodec)} video; ${name} takes ${r.codecs.map(label).join(', ')} — re-encode it as H.264`);
  if (r.audioCodecs && p?.audioCodec && !r.audioCodecs.includes(p.audioCodec)) out.push(`${file} has ${label(p.audioCodec)} audio; ${name} takes ${r.audioCodecs.map(label).join(', ')} — re-encode the audio as AAC`);
  out.push(...sizeProblems(file, m.size, { min: r.minBytes, max: r.maxBytes }, name));
  out.push(...rangeProblem(file, 'duration', p?.durationSec, r.durationSec, name, secs, { over: 'trim it', under: 'use a longer clip' }));
  out.push(...dimensionProblems(file, p?.width, p?.height, r, name));
  out.push(...rangeProblem(file, 'frame rate', p?.fps, r.fps, name, (v) => `${round(v, 3)} fps`, { over: 'export it at 30 fps', under: 'export it at 30 fps' }));
  return out;
}

function checkImage(file: string, m: MediaRef, format: string, r: ImageLimits, name: string): string[] {
  const out: string[] = [];
  if (!r.formats.includes(format)) out.push(`${file} is ${label(format)}; ${name} takes ${r.formats.map(label).join(', ')} images — save it as ${label(r.formats[0]!)}`);
  out.push(...sizeProblems(file, m.size, { max: r.maxBytes }, name));
  out.push(...dimensionProblems(file, m.probe?.width, m.probe?.height, r, name));
  const { width: w, height: h } = m.probe ?? {};
  if (r.maxPixels && w && h && w * h > r.maxPixels) out.push(`${file} has ${w * h} pixels (${w}x${h}); ${name} takes at most ${r.maxPixels} — scale it down`);
  return out;
}

function sizeProblems(file: string, size: number | undefined, r: { min?: number | undefined; max: number }, name: string): string[] {
  if (size === undefined) return [];
  if (size > r.max) return [`${file} is ${bytes(size)}; ${name}'s maximum is ${bytes(r.max)} — compress or shorten it`];
  if (r.min !== undefined && size < r.min) return [`${file} is ${bytes(size)}; ${name}'s minimum is ${bytes(r.min)} — export it at a higher quality`];
  return [];
}

function dimensionProblems(file: string, w: number | undefined, h: number | undefined, r: { width?: Range; height?: Range; aspect?: Range }, name: string): string[] {
  const px = (v: number) => `${v} px`;
  const out = [
    ...rangeProblem(file, 'width', w, r.width, name, px, { over: 'scale it down', under: 'use a larger export' }),
    ...rangeProblem(file, 'height', h, r.height, name, px, { over: 'scale it down', under: 'use a larger export' }),
  ];
  if (w && h && r.aspect) {
    const ratio = w / h;
    const bounds = `${r.aspect.min !== undefined ? ratioText(r.aspect.min) : 'any'} to ${r.aspect.max !== undefined ? ratioText(r.aspect.max) : 'any'}`;
    if ((r.aspect.min !== undefined && ratio < r.aspect.min - 1e-9) || (r.aspect.max !== undefined && ratio > r.aspect.max + 1e-9)) {
      out.push(`${file} has aspect ratio ${w}:${h} (${round(ratio, 3)}); ${name} takes ${bounds} (width:height) — crop or pad it`);
    }
  }
  return out;
}

function rangeProblem(file: string, what: string, v: number | undefined, r: Range | undefined, name: string, fmt: (n: number) => string, fix: { over: string; under: string }): string[] {
  if (v === undefined || !r) return [];
  if (r.max !== undefined && v > r.max) return [`${file} has ${what} ${fmt(v)}; ${name}'s maximum is ${fmt(r.max)} — ${fix.over}`];
  if (r.min !== undefined && v < r.min) return [`${file} has ${what} ${fmt(v)}; ${name}'s minimum is ${fmt(r.min)} — ${fix.under}`];
  return [];
}

const round = (v: number, digits: number) => String(Number(v.toFixed(digits)));
const secs = (v: number) => (v >= 120 ? `${round(v, 3)} s (${Math.floor(v / 60)} min ${round(v % 60, 1)} s)` : `${round(v, 3)} s`);
const ratioText = (r: number) => (r >= 1 ? `${round(r, 3)}:1` : `1:${round(1 / r, 3)}`);

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${round(n / 1024 ** 3, 2)} GB (${n} bytes)`;
  if (n >= 1024 ** 2) return `${round(n / 1024 ** 2, 2)} MB (${n} bytes)`;
  return `${n} bytes`;
}

const LABELS: Record<string, string> = { mp4: 'MP4', mov: 'MOV', webm: 'WebM', mkv: 'Matroska (MKV)', avi: 'AVI', jpeg: 'JPEG', png: 'PNG', gif: 'GIF', webp: 'WebP', h264: 'H.264', h265: 'H.265/HEVC', vp8: 'VP8', vp9: 'VP9', av1: 'AV1', aac: 'AAC', mp3: 'MP3' };
const label = (s: string) => LABELS[s] ?? s;
