/**
 * Shared helpers for the *-publish.ts files: reading a byte range of a local
 * file as a stream (memory stays flat whatever the file size), chunk plans,
 * and the generic HTTP-status classification used when a platform has no
 * richer error body. Platform quirks stay in each platform's file.
 */
import { open } from 'node:fs/promises';
import { ProviderError, type ErrorClass } from '../core/errors.js';
import { callJson, type Classifier } from './oauth.js';
import { graphClassifier, graphError } from './graph.js';
import { readJson, retryAfterMs, type Http, type Response, type UploadInit } from '../core/http.js';
import { redactText } from '../core/redact.js';
import { uploadBuffers } from '../core/memory-budget.js';
import type { MediaRef, PublishContext, ReconcileResult, TokenSet, TokenSource, ValidationIssue } from './types.js';

/**
 * Streams bytes [start, end] of a file as the body of one request, with real
 * backpressure: memory stays flat whatever the file size (Http.upload explains why
 * this is not Http.fetch).
 */
export async function streamUpload(http: Http, url: string, init: StreamInit): Promise<Response> {
  return http.upload(url, init);
}

export type StreamInit = UploadInit;

/**
 * The access token of a long upload. A 401 part-way through is an access token that expired
 * meanwhile, not a lost connection: `renewAfter` asks the publish's TokenSource for a newer one,
 * once per rejection streak. A second 401 before the upload made progress again (or no token
 * source at all) rethrows the rejection, which then means what it says (reconnect needed).
 * The caller asks the platform where the upload stands before sending more bytes
 * (docs/platforms/youtube.md#token-expiry).
 */
export class RenewableToken {
  private renewedWithoutProgress = false;
  constructor(
    private token: TokenSet,
    private readonly source: TokenSource | undefined,
  ) {}

  get current(): TokenSet {
    return this.token;
  }

  /** The upload moved forward with the current token: a later 401 may renew again. */
  progressed(): void {
    this.renewedWithoutProgress = false;
  }

  async renewAfter(rejection: ProviderError): Promise<void> {
    if (!this.source || this.renewedWithoutProgress) throw rejection;
    this.renewedWithoutProgress = true;
    this.token = await this.source.renew(this.token);
  }
}

/**
 * One request of a long upload sent with the current token. A rejected token (`reconnect_needed`:
 * HTTP 401, Meta's code 190) was refused before the platform stored or did anything, so after one
 * renewal the same request goes again; a success counts as progress unless `progress` is false (a
 * status query moves nothing forward). A second rejection in a row, or no token source, rethrows
 * (docs/platforms/x.md#token-expiry and each platform's page).
 */
export async function withRenewal<T>(token: RenewableToken, send: (t: TokenSet) => Promise<T>, progress = true): Promise<T> {
  for (;;) {
    try {
      const out = await send(token.current);
      if (progress) token.progressed();
      return out;
    } catch (e) {
      if (!(e instanceof ProviderError) || e.errorClass !== 'reconnect_needed') throw e;
      await token.renewAfter(e);
    }
  }
}

/**
 * Reads [start, start+length) of a file and runs `send` with it, holding `copies` × length bytes of
 * the process's upload buffer budget (src/core/memory-budget.ts) until `send` is done: the buffer
 * and the multipart body built from it (2 copies) count while they live.
 */
export function withFileRange<T>(path: string, start: number, length: number, send: (data: Buffer) => Promise<T>, copies = 2): Promise<T> {
  return uploadBuffers.use(copies * length, async () => send(await readRange(path, start, length)));
}

/** Reads [start, start+length) into one buffer (for multipart parts; bounded by the chunk size). */
export async function readRange(path: string, start: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    let off = 0;
    while (off < length) {
      const { bytesRead } = await fh.read(buf, off, length - off, start + off);
      if (!bytesRead) break;
      off += bytesRead;
    }
    return off === length ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

/**
 * A multipart/form-data body (RFC 7578) built in memory; parts are bounded by the
 * caller's chunk size. (Built by hand: the platform's fetch and a FormData from
 * another undici copy do not mix.)
 */
export function multipart(fields: [string, string | { data: Buffer; filename: string; type?: string }][], boundary: string): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  for (const [name, v] of fields) {
    const head =
      typeof v === 'string'
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: ${v.type ?? 'application/octet-stream'}\r\n\r\n`;
    parts.push(Buffer.from(head), typeof v === 'string' ? Buffer.from(v) : v.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The parts of a multipart/form-data body (RFC 7578) around one file that is streamed between
 * them (Http.upload's `envelope`): the text fields and the file part's header, then the closing
 * boundary. The file itself never sits in memory whole.
 */
export function multipartEnvelope(fields: [string, string][], file: { name: string; filename: string; type: string }, boundary: string): { head: Buffer; tail: Buffer; contentType: string } {
  const text = fields.map(([name, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`).join('');
  const head = Buffer.from(`${text}--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`);
  return { head, tail: Buffer.from(`\r\n--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** [start, end] inclusive ranges of at most `chunk` bytes covering `total`. */
export function chunkRanges(total: number, chunk: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += chunk) out.push([s, Math.min(total, s + chunk) - 1]);
  return out;
}

/** Default classification by HTTP status, for bodies without a platform code. */
function classForStatus(status: number): ErrorClass {
  if (status === 401) return 'reconnect_needed';
  if (status === 403) return 'permission';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  return 'invalid_request';
}

/**
 * A ProviderError for a failed response, classified by the platform's own
 * classifier (x.ts, tiktok.ts, ...) when given, else by HTTP status.
 */
export async function httpError(what: string, res: Response, now: number, classifier?: Classifier): Promise<ProviderError> {
  const body = await readJson(res).catch(() => undefined);
  if (classifier) return classifier(res.status, body, res.headers, { now, context: 'api', what });
  const reset = res.headers.get('x-rate-limit-reset');
  const ra = retryAfterMs(res.headers.get('retry-after'), now) ?? (reset ? Math.max(0, Number(reset) * 1000 - now) : undefined);
  return new ProviderError(redactText(`${what} failed (HTTP ${res.status})`), {
    errorClass: classForStatus(res.status),
    status: res.status,
    ...(ra !== undefined ? { retryAfterMs: ra } : {}),
  });
}

/** Polls `check` until it returns a value, sleeping `delayMs()` between tries, at most `max` times. */
export async function poll<T>(sleep: (ms: number) => Promise<void>, max: number, check: () => Promise<{ done: true; value: T } | { done: false; delayMs: number }>, what: string): Promise<T> {
  for (let i = 0; i < max; i++) {
    const r = await check();
    if (r.done) return r.value;
    await sleep(r.delayMs);
  }
  throw new ProviderError(`${what}: still processing after ${max} checks`, { errorClass: 'transient' });
}

/** Reconcile for a checkpoint without the "sent" mark: the create request never went out. */
export function notSentYet(ctx: PublishContext): ReconcileResult | undefined {
  return ctx.checkpoint['sent'] ? undefined : { status: 'not_posted' };
}

// ---- validation helpers (media limits: src/providers/<platform>-media.ts) ----

// ---- validation helpers ----

export interface MediaRule {
  mimes: string[];
  maxBytes: number;
  maxDurationSec?: number;
}

export function checkMedia(m: MediaRef, i: number, rule: MediaRule, platform: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const field = `media[${i}]`;
  if (!rule.mimes.includes(m.mime)) out.push({ field, message: `${platform} does not accept ${m.mime} (accepted: ${rule.mimes.join(', ')})` });
  if (m.size !== undefined && m.size > rule.maxBytes) out.push({ field, message: `${platform} limit is ${fmtBytes(rule.maxBytes)}; this file is ${fmtBytes(m.size)}` });
  if (rule.maxDurationSec && m.durationSec !== undefined && m.durationSec > rule.maxDurationSec) {
    out.push({ field, message: `${platform} accepts videos up to ${rule.maxDurationSec} s; this one is ${Math.round(m.durationSec)} s` });
  }
  return out;
}

export function fmtBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.ceil(n / 1024)} KB`;
}

/** Length in Unicode code points (what most platforms count; TikTok counts UTF-16 units). */
export const codePoints = (s: string) => [...s].length;

export const isVideo = (m: MediaRef) => m.mime.startsWith('video/');
export const isImage = (m: MediaRef) => m.mime.startsWith('image/');

/** Graph JSON call with the token in the Authorization header (never in a logged URL). */
export function graphJson(platform: 'facebook' | 'instagram' | 'threads', what: string, http: Http, u: URL, init: { method?: string; body?: URLSearchParams; headers: Record<string, string> }, now: number): Promise<Record<string, unknown>> {
  return callJson(platform, http, u, { method: init.method ?? 'GET', headers: init.headers, ...(init.body ? { body: init.body } : {}) }, graphClassifier(platform), { now, what }, (b) => graphError(b) !== undefined);
}
