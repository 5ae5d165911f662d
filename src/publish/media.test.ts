import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describeMedia } from './media.js';
import { validate as tiktok } from '../providers/tiktok-publish.js';
import { validate as x } from '../providers/x-publish.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const box = (type: string, body: Buffer) => {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(8 + body.length, 0);
  h.write(type, 4, 'latin1');
  return Buffer.concat([h, body]);
};

/** A minimal MP4: ftyp, then moov/mvhd (version 0) with timescale 1000 and the given duration. */
function mp4(seconds: number): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12);
  mvhd.writeUInt32BE(Math.round(seconds * 1000), 16);
  return Buffer.concat([box('ftyp', Buffer.from('isom\0\0\0\0isommp41')), box('free', Buffer.alloc(16)), box('moov', box('mvhd', mvhd))]);
}

describe('describeMedia', () => {
  it('reads size, SHA-256, MIME and the MP4 duration; duration limits are checked at schedule time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'media-'));
    const long = join(dir, 'long.mp4');
    writeFileSync(long, mp4(700.5));
    const m = await describeMedia(long);
    expect(m).toMatchObject({ kind: 'file', mime: 'video/mp4', size: mp4(700.5).length, durationSec: 700.5, sha256: createHash('sha256').update(mp4(700.5)).digest('hex') });
    const draft = { text: 'v', privacy: 'SELF_ONLY', media: [m], options: {} };
    expect(tiktok(draft).map((i) => i.message)).toEqual(['TikTok accepts videos up to 600 s; this one is 701 s']);
    expect(x(draft).map((i) => i.message)).toEqual(['X accepts videos up to 140 s; this one is 701 s']);
  });

  it('URLs need a known type; missing files and unknown extensions are usage errors', async () => {
    dir = mkdtempSync(join(tmpdir(), 'media-'));
    expect(await describeMedia('https://cdn.example.com/a/photo.JPG?x=1')).toEqual({ kind: 'url', url: 'https://cdn.example.com/a/photo.JPG?x=1', mime: 'image/jpeg' });
    await expect(describeMedia('https://cdn.example.com/blob')).rejects.toMatchObject({ message: expect.stringMatching(/cannot tell the media type/), hint: expect.stringMatching(/--media-type/) });
    await expect(describeMedia(join(dir, 'nope.mp4'))).rejects.toThrow(/media file not found/);
    writeFileSync(join(dir, 'a.txt'), 'x');
    await expect(describeMedia(join(dir, 'a.txt'))).rejects.toThrow(/unsupported media type/);
  });
});
