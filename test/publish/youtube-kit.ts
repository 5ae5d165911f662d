/** Helpers for the YouTube publisher tests (test/publish/youtube*.test.ts) on top of ./kit.ts. */
import { expect } from 'vitest';
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ytRoutes from '../../src/sandbox/youtube-publish.js';
import type { PostDraft } from '../../src/providers/types.js';
import { startPubKit, type PubKit } from './kit.js';

export { sandboxTokens, sha } from './kit.js';

export const draft = (path: string, size: number, over: Partial<PostDraft> = {}): PostDraft => ({
  text: 'desc',
  title: 'My video',
  privacy: 'unlisted',
  media: [{ kind: 'file', path, mime: 'video/mp4', size }],
  options: {},
  ...over,
});

export async function ytKit(hashUploads = true): Promise<PubKit> {
  const k = await startPubKit('youtube', ytRoutes, ['api']);
  await k.config({ hashUploads });
  return k;
}

export async function ytConfig(k: PubKit, c: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${k.origin}/__youtube/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
  expect(res.status).toBe(200);
}

export const ytStats = async (k: PubKit) => (await (await fetch(`${k.origin}/__youtube/v1/stats`)).json()) as Record<string, number>;

/** A sparse file of `size` bytes with its offset written every MiB, so misordered bytes change the hash. */
export function sparseVideo(size: number): string {
  const p = join(mkdtempSync(join(tmpdir(), 'socialync-yt-')), 'video.mp4');
  const fd = openSync(p, 'w');
  ftruncateSync(fd, size);
  for (let at = 0; at < size; at += 1024 * 1024) {
    const mark = Buffer.from(`@${at}`);
    writeSync(fd, mark, 0, Math.min(mark.length, size - at), at);
  }
  closeSync(fd);
  return p;
}
