/**
 * A small MP4 that media probes read as a real video: ftyp, moov (mvhd, trak/tkhd/mdia/mdhd/hdlr/
 * minf/stbl with an avc1 sample entry and its avcC: a real H.264 sequence parameter set for the
 * size and frame rate asked) and mdat with empty samples. The sandbox demo publishes one; tests
 * build them at each platform's limits (test/helpers/media-files.ts).
 */
export const u8 = (n: number) => Buffer.from([n & 0xff]);
export const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
export const zeros = (n: number) => Buffer.alloc(n);

function box(type: string, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  return Buffer.concat([u32(8 + content.length), Buffer.from(type, 'latin1'), content]);
}

/** A box with version 0 and the given flags. */
const full = (type: string, flags: number, ...body: Buffer[]) => box(type, u32(flags & 0xffffff), ...body);

const MATRIX = Buffer.concat([u32(0x10000), u32(0), u32(0), u32(0), u32(0x10000), u32(0), u32(0), u32(0), u32(0x40000000)]);

/** Exp-Golomb bit writer for the H.264 sequence parameter set. */
class Bits {
  private bits: number[] = [];
  u(n: number, v: number) {
    for (let i = n - 1; i >= 0; i--) this.bits.push((v >>> i) & 1);
    return this;
  }
  ue(v: number) {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    this.u(len, 0);
    return this.u(len + 1, x);
  }
  bytes(): Buffer {
    this.bits.push(1); // rbsp_stop_one_bit
    while (this.bits.length % 8) this.bits.push(0);
    const out = Buffer.alloc(this.bits.length / 8);
    this.bits.forEach((b, i) => (out[i >> 3]! |= b << (7 - (i & 7))));
    return out;
  }
}

/** A baseline-profile SPS for width x height (cropped to it) with VUI timing for `fps`. */
function sps(width: number, height: number, fps: number): Buffer {
  const mbW = Math.ceil(width / 16);
  const mbH = Math.ceil(height / 16);
  const b = new Bits().u(8, 66).u(8, 0xc0).u(8, 40).ue(0); // profile 66, constraints, level 4.0, sps id
  b.ue(0).ue(2).ue(1).u(1, 0); // log2_max_frame_num-4, poc type 2, 1 ref frame, no gaps
  b.ue(mbW - 1).ue(mbH - 1).u(1, 1).u(1, 1); // size in macroblocks, frame_mbs_only, direct_8x8
  const cropR = (mbW * 16 - width) / 2;
  const cropB = (mbH * 16 - height) / 2;
  if (cropR || cropB) b.u(1, 1).ue(0).ue(cropR).ue(0).ue(cropB);
  else b.u(1, 0);
  // VUI: only timing info (time_scale / (2 * num_units_in_tick) = fps), fixed frame rate.
  b.u(1, 1).u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 1).u(32, 1000).u(32, Math.round(fps * 2000)).u(1, 1);
  b.u(1, 0).u(1, 0).u(1, 0).u(1, 0).u(1, 0);
  return Buffer.concat([u8(0x67), b.bytes()]);
}

const PPS = Buffer.from([0x68, 0xce, 0x38, 0x80]);

export interface Mp4Spec {
  seconds: number;
  width: number;
  height: number;
  fps?: number;
  /** 'qt  ' makes a QuickTime (.mov) file. */
  brand?: string;
}

/** A playable-structure MP4 with one H.264 track of `seconds` at `fps` (default 30). */
export function mp4(spec: Mp4Spec): Buffer {
  const fps = spec.fps ?? 30;
  const scale = Math.round(fps * 1000);
  const frames = Math.max(1, Math.round(spec.seconds * fps));
  const duration = frames * 1000;
  const sample = u32(0); // an empty length-prefixed NAL unit
  const spsBytes = sps(spec.width, spec.height, fps);
  const avcC = box('avcC', u8(1), spsBytes.subarray(1, 4), u8(0xff), u8(0xe1), u16(spsBytes.length), spsBytes, u8(1), u16(PPS.length), PPS);
  const avc1 = box('avc1', zeros(6), u16(1), zeros(16), u16(spec.width), u16(spec.height), u32(0x480000), u32(0x480000), u32(0), u16(1), zeros(32), u16(0x18), u16(0xffff), avcC);
  const stbl = (chunkOffset: number) =>
    box(
      'stbl',
      full('stsd', 0, u32(1), avc1),
      full('stts', 0, u32(1), u32(frames), u32(1000)),
      full('stss', 0, u32(1), u32(1)),
      full('stsc', 0, u32(1), u32(1), u32(frames), u32(1)),
      full('stsz', 0, u32(sample.length), u32(frames)),
      full('stco', 0, u32(1), u32(chunkOffset)),
    );
  const mvDuration = Math.round((duration / scale) * 1000);
  const moov = (chunkOffset: number) =>
    box(
      'moov',
      full('mvhd', 0, u32(0), u32(0), u32(1000), u32(mvDuration), u32(0x10000), u16(0x100), zeros(10), MATRIX, zeros(24), u32(2)),
      box(
        'trak',
        full('tkhd', 3, u32(0), u32(0), u32(1), u32(0), u32(mvDuration), zeros(8), u16(0), u16(0), u16(0), u16(0), MATRIX, u32(spec.width * 0x10000), u32(spec.height * 0x10000)),
        box(
          'mdia',
          full('mdhd', 0, u32(0), u32(0), u32(scale), u32(duration), u16(0x55c4), u16(0)),
          full('hdlr', 0, u32(0), Buffer.from('vide'), zeros(12), Buffer.from('VideoHandler\0')),
          box('minf', full('vmhd', 1, zeros(8)), box('dinf', full('dref', 0, u32(1), full('url ', 1))), stbl(chunkOffset)),
        ),
      ),
    );
  const brand = spec.brand ?? 'isom';
  const ftyp = box('ftyp', Buffer.from(brand, 'latin1'), u32(0x200), Buffer.from(brand === 'qt  ' ? 'qt  ' : 'isomiso2avc1mp41', 'latin1'));
  const head = ftyp.length + moov(0).length;
  return Buffer.concat([ftyp, moov(head + 8), box('mdat', Buffer.concat(Array.from({ length: frames }, () => sample)))]);
}


/** An MP4 of exactly `size` bytes (when larger than the head): the mdat box covers `fill`. */
export function mp4OfSize(spec: Mp4Spec, size: number, fill: (n: number) => Buffer): Buffer {
  const head = mp4(spec);
  if (size <= head.length) return head;
  const frames = Math.max(1, Math.round(spec.seconds * (spec.fps ?? 30)));
  const mdatAt = head.length - (8 + frames * 4);
  const out = Buffer.concat([head, fill(size - head.length)]);
  out.writeUInt32BE(size - mdatAt, mdatAt);
  return out;
}
