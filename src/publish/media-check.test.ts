/**
 * Each platform's documented media limits (docs/platforms/media-limits.md) at their boundaries,
 * with real files built from bytes and probed: just under or at the limit passes, just over is
 * refused with a message naming the file, the platform, the limit and the value found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformId } from '../providers/types.js';
import { describeMedia } from './media.js';
import { checkDraftMedia } from './media-check.js';
import { jpeg, mp4, png, writeSparse, type Mp4Spec } from '../../test/helpers/media-files.js';

let dir: string;
let n = 0;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'media-limits-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problems(platform: PlatformId, name: string, bytes: Buffer, options: Record<string, string> = {}, size?: number): Promise<string[]> {
  const sub = join(dir, String(n++));
  mkdirSync(sub);
  const path = join(sub, name);
  if (size === undefined) writeFileSync(path, bytes);
  else writeSparse(path, bytes, size);
  const ref = await describeMedia(path);
  return checkDraftMedia(platform, { text: '', media: [ref], options }).map((i) => i.message);
}
const video = (platform: PlatformId, spec: Mp4Spec, options?: Record<string, string>) => problems(platform, 'clip.mp4', mp4(spec), options);
const GB = 1024 ** 3;
const MB = 1024 ** 2;

describe('TikTok (Media Transfer Guide)', () => {
  const base = { seconds: 10, width: 1080, height: 1920, fps: 30 };
  it('duration up to 600 s', async () => {
    expect(await video('tiktok', { ...base, seconds: 599.9 })).toEqual([]);
    expect(await video('tiktok', { ...base, seconds: 600 })).toEqual([]);
    expect(await video('tiktok', { ...base, seconds: 600.1 })).toEqual(['clip.mp4 has duration 600.1 s (10 min 0.1 s); TikTok\'s maximum is 600 s (10 min 0 s) — trim it']);
  });
  it('frame rate 23 to 60', async () => {
    expect(await video('tiktok', { ...base, fps: 23 })).toEqual([]);
    expect(await video('tiktok', { ...base, fps: 22.5 })).toEqual(["clip.mp4 has frame rate 22.5 fps; TikTok's minimum is 23 fps — export it at 30 fps"]);
    expect(await video('tiktok', { ...base, fps: 60 })).toEqual([]);
    expect(await video('tiktok', { ...base, fps: 61 })).toEqual(["clip.mp4 has frame rate 61 fps; TikTok's maximum is 60 fps — export it at 30 fps"]);
  });
  it('width and height 360 to 4096 px', async () => {
    expect(await video('tiktok', { ...base, width: 360, height: 640 })).toEqual([]);
    expect(await video('tiktok', { ...base, width: 358, height: 640 })).toEqual(["clip.mp4 has width 358 px; TikTok's minimum is 360 px — use a larger export"]);
    expect(await video('tiktok', { ...base, width: 2160, height: 4096 })).toEqual([]);
    expect(await video('tiktok', { ...base, width: 2160, height: 4098 })).toEqual(["clip.mp4 has height 4098 px; TikTok's maximum is 4096 px — scale it down"]);
  });
  it('size up to 4 GB (sparse files with a valid MP4 head)', async () => {
    const head = mp4(base);
    expect(await problems('tiktok', 'big.mp4', head, {}, 4 * GB)).toEqual([]);
    expect(await problems('tiktok', 'big.mp4', head, {}, 4 * GB + 1)).toEqual([`big.mp4 is 4 GB (${4 * GB + 1} bytes); TikTok's maximum is 4 GB (${4 * GB} bytes) — compress or shorten it`]);
  });
});

describe('YouTube and Shorts', () => {
  it('a long landscape video is a YouTube video; as a Short it must be at most 180 s and square or taller', async () => {
    const long = { seconds: 180.1, width: 1920, height: 1080, fps: 30 };
    expect(await video('youtube', long)).toEqual([]);
    expect(await video('youtube', long, { shorts: 'true' })).toEqual([
      "clip.mp4 has duration 180.1 s (3 min 0.1 s); YouTube Shorts's maximum is 180 s (3 min 0 s) — trim it",
      'clip.mp4 has aspect ratio 1920:1080 (1.778); YouTube Shorts takes any to 1:1 (width:height) — crop or pad it',
    ]);
    expect(await video('youtube', { seconds: 180, width: 1080, height: 1080, fps: 30 }, { shorts: 'true' })).toEqual([]);
    expect(await video('youtube', { seconds: 60, width: 1082, height: 1080, fps: 30 }, { shorts: 'true' })).toEqual(['clip.mp4 has aspect ratio 1082:1080 (1.002); YouTube Shorts takes any to 1:1 (width:height) — crop or pad it']);
  });
});

describe('Instagram (IG User Media: reels and images)', () => {
  const base = { seconds: 10, width: 1080, height: 1920, fps: 30 };
  it('reels: 3 s to 15 min, 23–60 fps, at most 1920 columns', async () => {
    expect(await video('instagram', { ...base, seconds: 3 })).toEqual([]);
    expect(await video('instagram', { ...base, seconds: 2.9 })).toEqual(["clip.mp4 has duration 2.9 s; Instagram's minimum is 3 s — use a longer clip"]);
    expect(await video('instagram', { ...base, seconds: 900, fps: 24 })).toEqual([]);
    expect(await video('instagram', { ...base, seconds: 900.5, fps: 24 })).toEqual(["clip.mp4 has duration 900.5 s (15 min 0.5 s); Instagram's maximum is 900 s (15 min 0 s) — trim it"]);
    expect(await video('instagram', { ...base, width: 1920, height: 1080 })).toEqual([]);
    expect(await video('instagram', { ...base, width: 1922, height: 1080 })).toEqual(["clip.mp4 has width 1922 px; Instagram's maximum is 1920 px — scale it down"]);
    expect(await video('instagram', { ...base, fps: 20 })).toEqual(["clip.mp4 has frame rate 20 fps; Instagram's minimum is 23 fps — export it at 30 fps"]);
  });
  it('images: JPEG only, aspect ratio 4:5 to 1.91:1', async () => {
    expect(await problems('instagram', 'p.jpg', jpeg(1080, 1350))).toEqual([]);
    expect(await problems('instagram', 'p.jpg', jpeg(1080, 1351))).toEqual(['p.jpg has aspect ratio 1080:1351 (0.799); Instagram takes 1:1.25 to 1.91:1 (width:height) — crop or pad it']);
    expect(await problems('instagram', 'p.jpg', jpeg(1910, 1000))).toEqual([]);
    expect(await problems('instagram', 'p.jpg', jpeg(1911, 1000))).toEqual(['p.jpg has aspect ratio 1911:1000 (1.911); Instagram takes 1:1.25 to 1.91:1 (width:height) — crop or pad it']);
    expect(await problems('instagram', 'p.png', png(100, 100))).toEqual(['p.png is PNG; Instagram takes JPEG images — save it as JPEG']);
    expect(await problems('instagram', 'p.jpg', jpeg(1080, 1080), {}, 8 * MB + 1)).toEqual([`p.jpg is 8 MB (${8 * MB + 1} bytes); Instagram's maximum is 8 MB (${8 * MB} bytes) — compress or shorten it`]);
  });
});

describe('X (media best practices)', () => {
  const base = { seconds: 10, width: 1280, height: 720, fps: 30 };
  it('video 0.5 s to 20 min (125 min with x.premium=true), at most 60 fps', async () => {
    expect(await video('x', { ...base, seconds: 0.5, fps: 30 })).toEqual([]);
    expect(await video('x', { ...base, seconds: 0.4, fps: 30 })).toEqual(["clip.mp4 has duration 0.4 s; X's minimum is 0.5 s — use a longer clip"]);
    expect(await video('x', { ...base, seconds: 1200, fps: 24 })).toEqual([]);
    expect(await video('x', { ...base, seconds: 1200.5, fps: 24 })).toEqual(["clip.mp4 has duration 1200.5 s (20 min 0.5 s); X's maximum is 1200 s (20 min 0 s) — trim it"]);
    expect(await video('x', { ...base, seconds: 1200.5, fps: 24 }, { premium: 'true' })).toEqual([]);
    expect(await video('x', { ...base, fps: 60 })).toEqual([]);
    expect(await video('x', { ...base, fps: 61 })).toEqual(["clip.mp4 has frame rate 61 fps; X's maximum is 60 fps — export it at 30 fps"]);
  });
  it('aspect ratio 1:3 to 3:1, at least 32x32', async () => {
    expect(await video('x', { ...base, width: 400, height: 1200 })).toEqual([]);
    expect(await video('x', { ...base, width: 400, height: 1202 })).toEqual(['clip.mp4 has aspect ratio 400:1202 (0.333); X takes 1:3 to 3:1 (width:height) — crop or pad it']);
    expect(await video('x', { ...base, width: 1200, height: 400 })).toEqual([]);
    expect(await video('x', { ...base, width: 32, height: 32 })).toEqual([]);
    expect(await video('x', { ...base, width: 30, height: 32 })).toEqual(["clip.mp4 has width 30 px; X's minimum is 32 px — use a larger export"]);
  });
  it('images up to 5 MB', async () => {
    expect(await problems('x', 'p.png', png(100, 100), {}, 5 * MB)).toEqual([]);
    expect(await problems('x', 'p.png', png(100, 100), {}, 5 * MB + 1)).toEqual([`p.png is 5 MB (${5 * MB + 1} bytes); X's maximum is 5 MB (${5 * MB} bytes) — compress or shorten it`]);
  });
});

describe('LinkedIn (Videos API, Images API)', () => {
  const base = { seconds: 10, width: 1280, height: 720, fps: 30 };
  it('video: MP4 only, 3 s to 30 min', async () => {
    expect(await video('linkedin', { ...base, seconds: 3 })).toEqual([]);
    expect(await video('linkedin', { ...base, seconds: 2.9 })).toEqual(["clip.mp4 has duration 2.9 s; LinkedIn's minimum is 3 s — use a longer clip"]);
    expect(await video('linkedin', { ...base, seconds: 1800, fps: 24 })).toEqual([]);
    expect(await video('linkedin', { ...base, seconds: 1800.5, fps: 24 })).toEqual(["clip.mp4 has duration 1800.5 s (30 min 0.5 s); LinkedIn's maximum is 1800 s (30 min 0 s) — trim it"]);
    expect(await problems('linkedin', 'clip.mov', mp4({ ...base, brand: 'qt  ' }))).toEqual(['clip.mov is MOV; LinkedIn takes MP4 — export it as MP4']);
  });
  it('images: fewer than 36,152,320 pixels', async () => {
    expect(await problems('linkedin', 'p.jpg', jpeg(6016, 6009))).toEqual([]);
    expect(await problems('linkedin', 'p.jpg', jpeg(6016, 6010))).toEqual(['p.jpg has 36156160 pixels (6016x6010); LinkedIn takes at most 36152320 — scale it down']);
  });
});

describe('Facebook Pages', () => {
  it('video within the limits passes; images up to 10 MB', async () => {
    expect(await video('facebook', { seconds: 30, width: 1280, height: 720 })).toEqual([]);
    expect(await problems('facebook', 'p.png', png(200, 200), {}, 10 * MB + 1)).toEqual([`p.png is 10 MB (${10 * MB + 1} bytes); Facebook's maximum is 10 MB (${10 * MB} bytes) — compress or shorten it`]);
  });
});

describe('Bluesky (app.bsky.embed.images / video lexicons)', () => {
  const base = { seconds: 10, width: 1280, height: 720, fps: 30 };
  it('video: MP4 only, up to 180 s and 100,000,000 bytes', async () => {
    expect(await video('bluesky', { ...base, seconds: 180 })).toEqual([]);
    expect(await video('bluesky', { ...base, seconds: 180.1 })).toEqual(["clip.mp4 has duration 180.1 s (3 min 0.1 s); Bluesky's maximum is 180 s (3 min 0 s) — trim it"]);
    expect(await problems('bluesky', 'clip.mov', mp4({ ...base, brand: 'qt  ' }))).toEqual(['clip.mov is MOV; Bluesky takes MP4 — export it as MP4']);
    expect(await problems('bluesky', 'clip.mp4', mp4(base), {}, 100_000_000)).toEqual([]);
    expect((await problems('bluesky', 'clip.mp4', mp4(base), {}, 100_000_001))[0]).toBe("clip.mp4 is 95.37 MB (100000001 bytes); Bluesky's maximum is 95.37 MB (100000000 bytes) — compress or shorten it");
  });
  it('images: at most 2,000,000 bytes (decimal, as the lexicon writes it)', async () => {
    expect(await problems('bluesky', 'p.png', png(200, 200), {}, 2_000_000)).toEqual([]);
    expect((await problems('bluesky', 'p.png', png(200, 200), {}, 2_000_001))[0]).toContain('(2000000 bytes)');
  });
});
