/**
 * probeMedia(path): what a local media file really is, read from its bytes with MediaInfoLib
 * (the `mediainfo.js` WebAssembly build, shipped inside the npm package: nothing is downloaded).
 * The library loads on first use only, so `status` and `schedule list` never pay for it.
 */
import { open } from 'node:fs/promises';
import type { MediaProbe } from '../providers/types.js';

type Track = Record<string, unknown> & { '@type': string };
interface Analyzer {
  analyzeData(size: number, read: (len: number, offset: number) => Promise<Uint8Array>): Promise<{ media?: { track: Track[] } | null }>;
}

let analyzer: Promise<Analyzer> | undefined;

function loadAnalyzer(): Promise<Analyzer> {
  analyzer ??= import('mediainfo.js').then((m) => m.default({ format: 'object', full: false }) as Promise<Analyzer>);
  return analyzer;
}

/** MediaInfo's General "Format" (and profile) to our container names. */
function containerOf(general: Track | undefined): string | undefined {
  const format = String(general?.['Format'] ?? '');
  if (!format) return undefined;
  if (format === 'MPEG-4') return general?.['Format_Profile'] === 'QuickTime' ? 'mov' : 'mp4';
  const known: Record<string, string> = { WebM: 'webm', Matroska: 'mkv', AVI: 'avi', 'Flash Video': 'flv', 'MPEG-TS': 'ts', 'MPEG-PS': 'mpeg', JPEG: 'jpeg', PNG: 'png', GIF: 'gif', WebP: 'webp', HEIF: 'heif', AVIF: 'avif', BMP: 'bmp', TIFF: 'tiff' };
  return known[format] ?? format.toLowerCase();
}

const CODECS: Record<string, string> = { AVC: 'h264', HEVC: 'h265', VP8: 'vp8', VP9: 'vp9', AV1: 'av1', 'MPEG-4 Visual': 'mpeg4', 'MPEG Video': 'mpeg2', ProRes: 'prores' };
const AUDIO: Record<string, string> = { AAC: 'aac', 'MPEG Audio': 'mp3', Opus: 'opus', Vorbis: 'vorbis', 'AC-3': 'ac3', 'E-AC-3': 'eac3', PCM: 'pcm', FLAC: 'flac' };

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Width and height as shown: a phone video stored landscape with a 90° rotation is portrait. */
function displaySize(t: Track): { width?: number; height?: number } {
  const w = num(t['Width']);
  const h = num(t['Height']);
  const rot = Math.abs(Math.round(num(t['Rotation']) ?? 0)) % 180;
  const out: { width?: number; height?: number } = {};
  const [dw, dh] = rot === 90 ? [h, w] : [w, h];
  if (dw !== undefined) out.width = dw;
  if (dh !== undefined) out.height = dh;
  return out;
}

/** Reads the tracks MediaInfo found; undefined when the file is neither a video nor an image it knows. */
function probeFromTracks(tracks: Track[]): MediaProbe | undefined {
  const general = tracks.find((t) => t['@type'] === 'General');
  const video = tracks.find((t) => t['@type'] === 'Video');
  const image = tracks.find((t) => t['@type'] === 'Image');
  const audio = tracks.find((t) => t['@type'] === 'Audio');
  const container = containerOf(general);
  if (!container || (!video && !image)) return undefined;
  if (video) {
    const p: MediaProbe = { kind: 'video', container, ...displaySize(video) };
    const duration = num(general?.['Duration']) ?? num(video['Duration']);
    const fps = num(video['FrameRate']) ?? num(general?.['FrameRate']);
    const codec = String(video['Format'] ?? '');
    if (duration !== undefined) p.durationSec = duration;
    if (fps !== undefined) p.fps = fps;
    if (codec) p.videoCodec = CODECS[codec] ?? codec.toLowerCase();
    if (audio?.['Format']) p.audioCodec = AUDIO[String(audio['Format'])] ?? String(audio['Format']).toLowerCase();
    return p;
  }
  return { kind: 'image', container, ...displaySize(image!) };
}

/** Probes a local file (random reads, nothing loaded whole); undefined for anything not media. */
export async function probeMedia(path: string): Promise<MediaProbe | undefined> {
  const mi = await loadAnalyzer();
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const result = await mi.analyzeData(size, async (len, offset) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(len, size - offset)));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    });
    return probeFromTracks(result.media?.track ?? []);
  } finally {
    await fh.close();
  }
}
