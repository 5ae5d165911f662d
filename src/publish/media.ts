/**
 * A media argument of `schedule add|edit`: an http(s) URL (type from the extension or
 * --media-type) or a local file, which is probed (src/publish/probe.ts) so that a text file named
 * .mp4 or an empty file is refused now, not by the platform. After the platform checks pass, each
 * file gets its size and SHA-256 recorded; publishing refuses a file that no longer matches.
 */
import { promises as fsp } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { MediaProbe, MediaRef } from '../providers/types.js';

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

/** The MIME type a probed container is sent as. */
const MIME_OF_CONTAINER: Record<string, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
};

function mimeFor(name: string): string | undefined {
  return MIME[extname(name.split('?')[0]!).toLowerCase()];
}

/**
 * SHA-256 of a file, read through one reused 1 MiB buffer: memory stays flat whatever the size,
 * and a burst of 50 MiB videos does not allocate (and collect) a new buffer per chunk (issue 14).
 */
async function sha256File(path: string): Promise<string> {
  // node:crypto loads here, not with the module: `schedule list` imports this file too.
  const h = process.getBuiltinModule('node:crypto').createHash('sha256');
  const file = await fsp.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (let n; (n = (await file.read(buf, 0, buf.length, null)).bytesRead) > 0; ) h.update(n === buf.length ? buf : buf.subarray(0, n));
  } finally {
    await file.close();
  }
  return h.digest('hex');
}

/** `arg` relative paths resolve against the current directory. Files are probed, not yet hashed. */
export async function describeMedia(arg: string, mimeOverride?: string): Promise<MediaRef> {
  if (/^https?:\/\//i.test(arg)) {
    const mime = mimeOverride ?? mimeFor(new URL(arg).pathname);
    if (!mime) throw new UsageError(`cannot tell the media type of ${arg}`, 'add --media-type image/jpeg (or video/mp4, ...)');
    return { kind: 'url', url: arg, mime };
  }
  const path = resolve(arg);
  const st = await fsp.stat(path).catch(() => undefined);
  if (!st) throw new UsageError(`media file not found: ${arg}`, 'check the path passed to --media');
  if (!st.isFile()) throw new UsageError(`${arg} is not a file`, 'pass a file path or an https URL to --media');
  if (st.size === 0) throw new UsageError(`${arg} is empty (0 bytes)`, 'pass the finished export (the file may still be copying)');
  const probe = await probeFile(path);
  if (!probe) throw new UsageError(`${arg} is not a video or image (no known media format inside)`, `export it again as MP4 (H.264) or JPEG and pass that file; an extension alone does not make a video`);
  return { kind: 'file', path, mime: MIME_OF_CONTAINER[probe.container] ?? `${probe.kind}/${probe.container}`, size: st.size, ...(probe.durationSec !== undefined ? { durationSec: probe.durationSec } : {}), probe };
}

async function probeFile(path: string): Promise<MediaProbe | undefined> {
  const { probeMedia } = await import('./probe.js');
  return probeMedia(path);
}

/** Records size and SHA-256 of each local file (after validation, so a refused file is not read whole). */
export async function fingerprintMedia(media: MediaRef[]): Promise<MediaRef[]> {
  const out: MediaRef[] = [];
  for (const m of media) {
    if (m.kind !== 'file' || !m.path || m.sha256) out.push(m);
    else out.push({ ...m, size: (await fsp.stat(m.path)).size, sha256: await sha256File(m.path) });
  }
  return out;
}

/**
 * At publish time: why a scheduled file can no longer be sent as it was checked (gone, another
 * size, other bytes), or undefined when it is unchanged.
 */
export async function mediaChange(m: MediaRef, postId: number): Promise<string | undefined> {
  if (m.kind !== 'file' || !m.path) return undefined;
  const fix = `restore the file, or schedule the new one: socialync schedule edit ${postId} --media <file>`;
  const st = await fsp.stat(m.path).catch(() => undefined);
  if (!st?.isFile()) return `media file ${m.path} is missing (it was there when post ${postId} was scheduled) — ${fix}`;
  if (m.size !== undefined && st.size !== m.size) return `media file ${basename(m.path)} changed since it was scheduled (${m.size} bytes then, ${st.size} now) — ${fix}`;
  if (m.sha256 && (await sha256File(m.path)) !== m.sha256) return `media file ${basename(m.path)} changed since it was scheduled (same size, other content) — ${fix}`;
  return undefined;
}

/** The first scheduled file of a post that changed or disappeared, described for the user. */
export async function firstMediaChange(media: MediaRef[], postId: number): Promise<string | undefined> {
  for (const m of media) {
    const why = await mediaChange(m, postId);
    if (why) return why;
  }
  return undefined;
}
