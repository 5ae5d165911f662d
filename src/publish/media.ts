/**
 * Describes a media argument: a local file (size, SHA-256 by streaming, MIME
 * from the extension, MP4/MOV duration from the `mvhd` box) or an http(s) URL.
 */
import { createReadStream, promises as fsp, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { LocalFileError, UsageError } from '../core/errors.js';
import type { MediaRef } from '../providers/types.js';

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
};

export function mimeFor(name: string): string | undefined {
  return MIME[extname(name.split('?')[0]!).toLowerCase()];
}

async function sha256(path: string): Promise<string> {
  // node:crypto loads here, not with the module: `schedule list` imports this file too.
  const h = process.getBuiltinModule('node:crypto').createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(c as Buffer);
  return h.digest('hex');
}

/** Duration of an MP4/QuickTime file from moov/mvhd (no decoding); undefined if not found. */
export async function mp4Duration(path: string, size: number): Promise<number | undefined> {
  const fh = await fsp.open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const box = async (pos: number) => {
      const { bytesRead } = await fh.read(head, 0, 16, pos);
      if (bytesRead < 8) return undefined;
      let len = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      let hdr = 8;
      if (len === 1) ((len = Number(head.readBigUInt64BE(8))), (hdr = 16));
      if (len === 0) len = size - pos;
      return { len, type, hdr };
    };
    let pos = 0;
    while (pos < size) {
      const b = await box(pos);
      if (!b || b.len < 8) return undefined;
      if (b.type === 'moov') {
        let p = pos + b.hdr;
        while (p < pos + b.len) {
          const c = await box(p);
          if (!c || c.len < 8) return undefined;
          if (c.type === 'mvhd') {
            const m = Buffer.alloc(32);
            await fh.read(m, 0, 32, p + c.hdr);
            const v1 = m[0] === 1;
            const scale = v1 ? m.readUInt32BE(20) : m.readUInt32BE(12);
            const dur = v1 ? Number(m.readBigUInt64BE(24)) : m.readUInt32BE(16);
            return scale ? dur / scale : undefined;
          }
          p += c.len;
        }
        return undefined;
      }
      pos += b.len;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** `arg` relative paths resolve against the current directory. */
export async function describeMedia(arg: string, mimeOverride?: string): Promise<MediaRef> {
  if (/^https?:\/\//i.test(arg)) {
    const mime = mimeOverride ?? mimeFor(new URL(arg).pathname);
    if (!mime) throw new UsageError(`cannot tell the media type of ${arg}`, 'add --media-type image/jpeg (or video/mp4, ...)');
    return { kind: 'url', url: arg, mime };
  }
  const path = resolve(arg);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`media file not found: ${arg}`, 'check the path passed to --media');
  }
  if (!st.isFile()) throw new UsageError(`${arg} is not a file`, 'pass a file path or an https URL to --media');
  const mime = mimeOverride ?? mimeFor(path);
  if (!mime) throw new UsageError(`unsupported media type: ${arg}`, `use one of: ${Object.keys(MIME).join(' ')}`);
  const ref: MediaRef = { kind: 'file', path, mime, size: st.size, sha256: await sha256(path) };
  if (mime === 'video/mp4' || mime === 'video/quicktime') {
    const d = await mp4Duration(path, st.size).catch(() => undefined);
    if (d !== undefined) ref.durationSec = d;
  }
  return ref;
}

/**
 * Before a post is sent: every local media file is still there with the size it had when the post
 * was scheduled. A deleted file fails with its name (ENOENT from stat); a changed one too, instead
 * of an upload that breaks halfway and leaves the post's outcome unknown.
 */
export function checkMediaUnchanged(media: MediaRef[]): void {
  for (const m of media) {
    if (m.kind !== 'file') continue;
    const size = statSync(m.path!).size;
    if (m.size !== undefined && size !== m.size) {
      throw new LocalFileError(m.path!, 'ECHANGED', `changed since the post was scheduled (${m.size} bytes then, ${size} now)`);
    }
  }
}
