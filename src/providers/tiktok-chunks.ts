/**
 * TikTok media transfer: how a local video is cut into chunks for FILE_UPLOAD
 * (see docs/platforms/tiktok.md#chunks; the rules come from
 * https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide).
 *
 * The guide writes "MB" without saying which MB. Its own examples use both
 * 10,000,000-byte chunks and a "4 MB" file of 4,194,304 bytes, so the plan below
 * stays inside BOTH readings: chunks of at least 5 MiB (the larger minimum), at
 * most 64,000,000 bytes (the smaller maximum), and a final chunk below
 * 128,000,000 bytes. A video that fits in one chunk is always announced with
 * chunk_size = video_size and total_chunk_count = 1.
 */
import { ProviderError } from '../core/errors.js';

export const MIB = 1024 * 1024;
/** Smallest chunk (5 MB, read as 5 MiB: the larger of the two readings). */
const MIN_CHUNK = 5 * MIB;
/** Largest chunk (64 MB, read as 64,000,000: the smaller of the two readings). */
export const MAX_CHUNK = 64_000_000;
// The final chunk may reach 128 MB (read as 128,000,000); ours never does: it stays below 2 x MAX_CHUNK.
const MAX_CHUNKS = 1000;
/** "Maximum of 4GB" (video restrictions); the guide's own "4 MB" example is 4,194,304 bytes, so GB = GiB. */
export const MAX_VIDEO_BYTES = 4 * 1024 * MIB;
/** The chunk size we prefer: small enough to resume cheaply, large enough to stay far below 1000 chunks. */
const PREFERRED_CHUNK = 10 * MIB;

export interface ChunkPlan {
  /** Announced as source_info.chunk_size. */
  chunkSize: number;
  /** Announced as source_info.total_chunk_count = floor(video_size / chunk_size). */
  count: number;
}

/**
 * The chunk plan for a video of `size` bytes. Every chunk but the last is
 * `chunkSize` bytes; the last takes the remainder (between chunkSize and
 * 2 x chunkSize - 1 bytes), as the guide's 50,000,123-byte example does.
 */
export function chunkPlan(size: number, preferred = PREFERRED_CHUNK): ChunkPlan {
  if (!Number.isSafeInteger(size) || size < 1) throw new ProviderError(`tiktok: cannot upload a video of ${size} bytes`, { errorClass: 'invalid_request' });
  // At most 1000 chunks: a larger file needs larger chunks.
  const chunk = Math.max(Math.min(Math.max(preferred, MIN_CHUNK), MAX_CHUNK), Math.ceil(size / MAX_CHUNKS));
  if (chunk > MAX_CHUNK) throw new ProviderError(`tiktok: a video of ${size} bytes needs more than ${MAX_CHUNKS} chunks of at most ${MAX_CHUNK} bytes`, { errorClass: 'invalid_request' });
  const count = Math.floor(size / chunk);
  if (count >= 2) return { chunkSize: chunk, count };
  // One chunk: the whole file (required under 5 MB, allowed up to 64 MB).
  if (size <= MAX_CHUNK) return { chunkSize: size, count: 1 };
  // Over 64 MB "must be uploaded in multiple chunks": two halves (each 32-64 MB).
  return { chunkSize: Math.floor(size / 2), count: 2 };
}

/** Inclusive byte range [first, last] of chunk `index` (0-based). */
export function chunkRange(size: number, plan: ChunkPlan, index: number): [number, number] {
  const first = index * plan.chunkSize;
  const last = index === plan.count - 1 ? size - 1 : first + plan.chunkSize - 1;
  return [first, last];
}

/** The Content-Range header of one chunk: `bytes {FIRST_BYTE}-{LAST_BYTE}/{TOTAL_BYTE_LENGTH}`. */
export function contentRange(size: number, plan: ChunkPlan, index: number): string {
  const [first, last] = chunkRange(size, plan, index);
  return `bytes ${first}-${last}/${size}`;
}

/**
 * Chunks TikTok already holds, from the `Content-Range: bytes 0-{UPLOADED_BYTES}/{TOTAL}`
 * header of an upload answer (sent with 416 when our range does not match its progress).
 * The guide does not say whether UPLOADED_BYTES is the last byte's index or the byte
 * count; both are read (they never both fall on a chunk boundary). Undefined when the
 * header is missing or matches no boundary.
 */
export function chunksHeld(header: string | null, size: number, plan: ChunkPlan): number | undefined {
  const m = /^bytes 0-(\d+)\/(\d+)$/.exec((header ?? '').trim());
  if (!m || Number(m[2]) !== size) return undefined;
  for (const held of [Number(m[1]) + 1, Number(m[1])]) {
    if (held === size) return plan.count;
    if (held > 0 && held % plan.chunkSize === 0 && held / plan.chunkSize < plan.count) return held / plan.chunkSize;
  }
  return undefined;
}
