/**
 * Base64 (RFC 4648 §4) of a byte stream, piece by piece: each piece encodes a whole number of
 * 3-byte groups, so the pieces joined are exactly the Base64 of the whole, with `=` padding only
 * at the very end. Used to send a file as a Base64 string inside a JSON body without holding the
 * file or its encoding in memory (Pinterest's image_base64: docs/platforms/pinterest.md#image-base64).
 */

/** Length of the Base64 text of `n` bytes: 4 characters per started group of 3. */
export function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/** Read size for a file that is Base64-encoded on the way: a multiple of 3, close to 256 KiB. */
export const BASE64_READ_BYTES = 3 * 87_381;

/** Encodes `source` chunk by chunk; bytes that do not fill a group of 3 wait for the next chunk. */
export async function* base64Chunks(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes: Buffer = carry.length ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = bytes.length - (bytes.length % 3);
    if (whole) yield Buffer.from(bytes.subarray(0, whole).toString('base64'), 'latin1');
    carry = Buffer.from(bytes.subarray(whole));
  }
  if (carry.length) yield Buffer.from(carry.toString('base64'), 'latin1');
}

/**
 * The bytes an upload that encodes on the way holds at once, for the upload buffer budget
 * (core/memory-budget.ts): the chunk read from the file, its Base64, and the one encoded chunk the
 * request stream may read ahead (Http.upload).
 */
export const BASE64_UPLOAD_HOLD_BYTES = BASE64_READ_BYTES + 2 * base64Length(BASE64_READ_BYTES);
