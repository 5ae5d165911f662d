/**
 * Small but valid media files built from bytes, for probing tests: MP4s with one H.264 track
 * (src/sandbox/sample-media.ts; empty samples, so a 10-minute video is a few hundred KB), a PNG
 * and a baseline JPEG header, each with the dimensions (and duration, frame rate) asked.
 */
import { closeSync, openSync, writeSync, ftruncateSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { mp4, mp4OfSize, u16, u32, u8, zeros, type Mp4Spec } from '../../src/sandbox/sample-media.js';

export { mp4, type Mp4Spec };

function crc32(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const pngChunk = (type: string, data: Buffer) => {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32(data.length), td, u32(crc32(td))]);
};

/** A valid RGB PNG of width x height (all black). */
export function png(width: number, height: number): Buffer {
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', zeros(0))]);
}

/** A baseline JPEG header (SOI, JFIF APP0, SOF0 with the dimensions, EOI): what probes read. */
export function jpeg(width: number, height: number): Buffer {
  const seg = (marker: number, body: Buffer) => Buffer.concat([u8(0xff), u8(marker), u16(body.length + 2), body]);
  const app0 = seg(0xe0, Buffer.concat([Buffer.from('JFIF\0'), u16(0x0101), u8(0), u16(1), u16(1), u8(0), u8(0)]));
  const sof0 = seg(0xc0, Buffer.concat([u8(8), u16(height), u16(width), u8(3), Buffer.from([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])]));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

/** Writes `head` and extends the file to `size` bytes without writing them (a sparse file). */
export function writeSparse(path: string, head: Buffer, size: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head, 0, head.length, 0);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/**
 * A probe-valid file of exactly `size` bytes (when `size` is at least the head's): an MP4 whose
 * mdat box covers the rest (10 s, 1080x1920, 30 fps: inside every platform's limits), or a JPEG /
 * PNG head followed by `fill` bytes. For upload tests that need a given size.
 */
export function mediaOfSize(ext: string, size: number, fill: (n: number) => Buffer): Buffer {
  if (ext === 'mp4' || ext === 'mov') return mp4OfSize({ seconds: 10, width: 1080, height: 1920, fps: 30, ...(ext === 'mov' ? { brand: 'qt  ' } : {}) }, size, fill);
  const head = ext === 'png' ? png(64, 64) : jpeg(1080, 1080);
  return size <= head.length ? head : Buffer.concat([head, fill(size - head.length)]);
}

/**
 * A probe-valid sparse MP4 of exactly `size` bytes (10 s, 1080x1920, 30 fps) whose mdat box covers
 * the rest of the file, without allocating it; `marks` are written at their offsets (past the head).
 */
export function writeSparseMp4(path: string, size: number, marks: [number, Buffer][] = []): void {
  const spec = { seconds: 10, width: 1080, height: 1920, fps: 30 };
  const head = mp4(spec);
  if (size < head.length) throw new Error(`a sparse MP4 needs at least ${head.length} bytes`);
  const mdatAt = head.length - (8 + 300 * 4);
  head.writeUInt32BE(size - mdatAt, mdatAt);
  writeSparse(path, head, size);
  const fd = openSync(path, 'r+');
  try {
    for (const [at, bytes] of marks) writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}
