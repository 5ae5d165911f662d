import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ExitCode } from '../core/errors.js';
import { describeMedia, fingerprintMedia, mediaChange } from './media.js';
import { jpeg, mp4, png } from '../../test/helpers/media-files.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'media-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, bytes: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

describe('describeMedia probes local files', () => {
  it('reads container, duration, codec, dimensions and frame rate of an MP4; the hash comes after validation', async () => {
    const bytes = mp4({ seconds: 12.5, width: 1080, height: 1920, fps: 30 });
    const m = await describeMedia(file('clip.mp4', bytes));
    expect(m).toMatchObject({ kind: 'file', mime: 'video/mp4', size: bytes.length, durationSec: 12.5 });
    expect(m.probe).toEqual({ kind: 'video', container: 'mp4', durationSec: 12.5, width: 1080, height: 1920, fps: 30, videoCodec: 'h264' });
    expect(m.sha256).toBeUndefined();
    const [done] = await fingerprintMedia([m]);
    expect(done).toMatchObject({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('takes the type from the content: a QuickTime file, a PNG named .jpg, a JPEG', async () => {
    expect((await describeMedia(file('a.mov', mp4({ seconds: 3, width: 1920, height: 1080, fps: 23.976, brand: 'qt  ' })))).probe).toMatchObject({ container: 'mov', fps: 23.976 });
    expect(await describeMedia(file('really-png.jpg', png(64, 32)))).toMatchObject({ mime: 'image/png', probe: { kind: 'image', container: 'png', width: 64, height: 32 } });
    expect(await describeMedia(file('p.jpg', jpeg(1440, 1800)))).toMatchObject({ mime: 'image/jpeg', probe: { container: 'jpeg', width: 1440, height: 1800 } });
  });

  it('refuses a text file named .mp4 and an empty file with one line and the usage exit code', async () => {
    await expect(describeMedia(file('notes.mp4', 'this is a text file, not a video\n'.repeat(50)))).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringMatching(/notes\.mp4 is not a video or image/),
      hint: expect.stringMatching(/export it again as MP4/),
    });
    await expect(describeMedia(file('empty.mp4', ''))).rejects.toMatchObject({ exitCode: ExitCode.usage, message: expect.stringMatching(/empty\.mp4 is empty \(0 bytes\)/) });
  });

  it('URLs need a known type; missing paths are usage errors', async () => {
    expect(await describeMedia('https://cdn.example.com/a/photo.JPG?x=1')).toEqual({ kind: 'url', url: 'https://cdn.example.com/a/photo.JPG?x=1', mime: 'image/jpeg' });
    await expect(describeMedia('https://cdn.example.com/blob')).rejects.toMatchObject({ message: expect.stringMatching(/cannot tell the media type/), hint: expect.stringMatching(/--media-type/) });
    await expect(describeMedia(join(dir, 'nope.mp4'))).rejects.toThrow(/media file not found/);
  });
});

describe('mediaChange at publish time', () => {
  it('passes an unchanged file; names the file and the fix when it changed, shrank or disappeared', async () => {
    const p = file('clip.mp4', mp4({ seconds: 4, width: 720, height: 1280 }));
    const [m] = await fingerprintMedia([await describeMedia(p)]);
    expect(await mediaChange(m!, 7)).toBeUndefined();

    const same = Buffer.from(mp4({ seconds: 4, width: 720, height: 1280 }));
    same[same.length - 1] = 0xff; // same size, one byte differs
    writeFileSync(p, same);
    expect(await mediaChange(m!, 7)).toMatch(/^media file clip\.mp4 changed since it was scheduled \(same size, other content\) — .*socialync schedule edit 7 --media <file>/);

    writeFileSync(p, mp4({ seconds: 5, width: 720, height: 1280 }));
    expect(await mediaChange(m!, 7)).toMatch(/clip\.mp4 changed since it was scheduled \(\d+ bytes then, \d+ now\)/);

    rmSync(p);
    expect(await mediaChange(m!, 7)).toMatch(/media file .*clip\.mp4 is missing .*restore the file/);
  });
});
