/**
 * Every network call goes through here: undici fetch with a per-request timeout
 * and an injectable dispatcher (tests pass an undici MockAgent).
 */
import type { Dispatcher, RequestInit, Response } from 'undici';
import { redactUrl, redactText } from './redact.js';
import { Readable } from 'node:stream';
import { base64Chunks, base64Length, BASE64_READ_BYTES } from './base64-stream.js';

/** `abort`: a signal that also stops the request, besides its timeout (a publisher that lost its claim). */
export type HttpInit = RequestInit & { timeoutMs?: number; abort?: AbortSignal };

/** A request whose body is a byte range of a file, streamed with backpressure (uploads). */
export interface UploadInit {
  method: 'PUT' | 'POST';
  headers: Record<string, string>;
  path: string;
  start: number;
  end: number;
  timeoutMs?: number;
  done?: number;
  total?: number;
  onProgress?: (sent: number, total: number) => void;
  /** Bytes sent before and after the file range (a streamed multipart/form-data body: Pinterest's media upload). */
  envelope?: { head: Buffer; tail: Buffer };
  /**
   * The file range goes Base64-encoded (between the envelope's head and tail: a JSON string value,
   * Pinterest's image_base64); Content-Length counts the encoded length (core/base64-stream.ts).
   */
  encoding?: 'base64';
  abort?: AbortSignal;
}

/** The request's own signal (or its timeout), joined with `abort` when one is given. */
const withAbort = (own: AbortSignal, abort?: AbortSignal) => (abort ? AbortSignal.any([own, abort]) : own);

export interface Http {
  fetch(url: string | URL, init?: HttpInit): Promise<Response>;
  /**
   * Streams a file range as the request body. undici's fetch reads a streamed body ahead of the
   * socket (a 1 GiB upload peaked at 1.1 GB), so uploads use undici's `request`, which honours
   * backpressure, through the same dispatcher (MockAgent in tests) and debug log.
   */
  upload(url: string, init: UploadInit): Promise<Response>;
}

export interface HttpOptions {
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  debug?: (line: string) => void;
  /** Whether debug lines are wanted right now (--debug is parsed after the client is made). */
  debugOn?: () => boolean;
}

export function createHttp(opts: HttpOptions = {}): Http {
  // undici is imported on first use: commands that never touch the network start faster.
  let ready: Promise<{ f: typeof import('undici').fetch; dispatcher: Dispatcher }> | undefined;
  const load = () =>
    (ready ??= import('undici').then((ns) => {
      // A bundled CommonJS module may arrive as its `default` export only.
      const u = ((ns as { Agent?: unknown }).Agent ? ns : (ns as unknown as { default: typeof ns }).default) as typeof ns;
      return {
      f: u.fetch,
      dispatcher: opts.dispatcher ?? new u.Agent({ connectTimeout: 10_000, headersTimeout: 30_000, bodyTimeout: 60_000, keepAliveTimeout: 1_000 }),
      };
    }));
  const defaultTimeout = opts.timeoutMs ?? 30_000;
  // Building a redacted line costs a scan over every remembered secret: only when shown.
  const debugOn = opts.debugOn ?? (() => Boolean(opts.debug));
  return {
    async upload(url, init) {
      const u = await import('undici').then((ns) => ((ns as { request?: unknown }).request ? ns : (ns as unknown as { default: typeof ns }).default) as typeof ns);
      const { dispatcher } = await load();
      const { createReadStream } = await import('node:fs');
      const size = init.end - init.start + 1;
      const b64 = init.encoding === 'base64';
      const src = createReadStream(init.path, { start: init.start, end: init.end, highWaterMark: b64 ? BASE64_READ_BYTES : 256 * 1024 });
      let sent = init.done ?? 0;
      if (init.onProgress) src.on('data', (c) => init.onProgress!((sent += (c as Buffer).length), init.total ?? size));
      const started = performance.now();
      try {
        const env = init.envelope;
        const file = b64 ? base64Chunks(src) : src;
        // Byte mode: the stream reads ahead one chunk past its 16 KiB mark, not 16 chunks (object mode).
        const stream = env || b64 ? Readable.from((async function* () { if (env) yield env.head; yield* file; if (env) yield env.tail; })(), { objectMode: false }) : src;
        const length = (b64 ? base64Length(size) : size) + (env ? env.head.length + env.tail.length : 0);
        const res = await u.request(url, {
          method: init.method,
          headers: { ...init.headers, 'content-length': String(length) },
          body: stream,
          dispatcher,
          signal: withAbort(AbortSignal.timeout(init.timeoutMs ?? 30 * 60_000), init.abort),
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        if (debugOn()) opts.debug?.(`${init.method} ${redactUrl(url)} (${length} bytes) -> ${res.statusCode} (${Math.round(performance.now() - started)} ms)`);
        const headers = new u.Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
        const nullBody = [101, 204, 205, 304].includes(res.statusCode);
        return new u.Response(nullBody ? null : body, { status: res.statusCode, headers }) as unknown as Response;
      } catch (e) {
        src.destroy();
        if (debugOn()) opts.debug?.(`${init.method} ${redactUrl(url)} -> error ${redactText(String((e as Error).message))}`);
        throw e;
      }
    },
    async fetch(url, init = {}) {
      const { timeoutMs, abort, ...rest } = init;
      const signal = withAbort(rest.signal ?? AbortSignal.timeout(timeoutMs ?? defaultTimeout), abort);
      const method = rest.method ?? 'GET';
      const { f, dispatcher } = await load();
      // After loading undici: the figure is the request's round trip, not the module's load time.
      const started = performance.now();
      try {
        const res = await f(url, { ...rest, signal, dispatcher });
        if (debugOn()) opts.debug?.(`${method} ${redactUrl(url)} -> ${res.status} (${Math.round(performance.now() - started)} ms)`);
        return res;
      } catch (e) {
        if (debugOn()) opts.debug?.(`${method} ${redactUrl(url)} -> error ${redactText(String((e as Error).message))}`);
        throw e;
      }
    },
  };
}

/** Reads a body as JSON; returns undefined (not a throw) when it is not JSON. */
export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function formBody(fields: Record<string, string | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, v);
  return p;
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds from `now`. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export type { Response };
