/**
 * Shared state and controls of the sandbox publishing routes
 * (src/sandbox/<platform>-publish.ts): the posts each platform has published
 * (so tests can count duplicates), uploads in progress, publishing faults
 * that the generic fault mechanism cannot express, and a per-account daily cap.
 *
 * Extra control routes on every platform server that has publishing routes:
 *   POST /__publish/v1/config {processingPolls?, dailyLimit?, hashUploads?, dropAfterCommit?: {path, count?}}
 *     processingPolls: status checks that still answer "in progress" (slow processing; default 1)
 *     dailyLimit: published posts per account per sandbox day before the platform's limit error
 *     dropAfterCommit: the next `count` requests to `path` (prefix with *) are carried out, then
 *       the socket is closed without an answer (the client cannot know it worked)
 *   GET  /__publish/v1/posts  -> { posts: SandboxPost[] }
 */
import type { IncomingMessage } from 'node:http';
import { json, type PlatformContext, type Route, type SandboxRequest, type SandboxResponse, type Family } from './common.js';

export interface SandboxPost {
  id: string;
  account: string;
  accountId: string;
  text: string;
  title?: string;
  kind: string;
  media: { bytes: number; sha256?: string }[];
  createdAt: number;
  privacy?: string;
  /** Facebook Page / Instagram user the post went to. */
  page?: string;
}

export interface PublishConfig {
  processingPolls: number;
  /** YouTube: keep a SHA-256 of uploaded bytes (tests check integrity; off by default, it costs throughput). */
  hashUploads?: boolean;
  dailyLimit?: number;
  dropAfterCommit?: { path: string; count: number };
}

export interface PublishState {
  posts: SandboxPost[];
  config: PublishConfig;
  /** Upload sessions / containers / media by id (platform-defined records). */
  uploads: Map<string, Record<string, unknown>>;
  seq: number;
}

export function publishState(ctx: PlatformContext): PublishState {
  let s = ctx.data.get('publish') as PublishState | undefined;
  if (!s) {
    s = { posts: [], config: { processingPolls: 1 }, uploads: new Map(), seq: 0 };
    ctx.data.set('publish', s);
  }
  return s;
}

/** Per-server state kept under `key` in ctx.data, made on first use. */
export function stateOf<T>(ctx: PlatformContext, key: string, make: () => T): T {
  let v = ctx.data.get(key) as T | undefined;
  if (v === undefined) ctx.data.set(key, (v = make()));
  return v;
}

/** A new numeric-looking id, unique in this sandbox run. */
export function newId(ctx: PlatformContext, prefix = ''): string {
  const s = publishState(ctx);
  s.seq++;
  return `${prefix}${1_800_000_000_000 + s.seq * 7919}`;
}

/** The account behind a Bearer token, or the platform's error response. */
export function authorize(ctx: PlatformContext, req: SandboxRequest, onError: (why: 'missing' | 'invalid' | 'expired' | 'revoked') => SandboxResponse): { family: Family } | { error: SandboxResponse } {
  const token = req.bearer() ?? req.query.get('access_token') ?? undefined;
  if (!token) return { error: onError('missing') };
  const c = ctx.families.checkAccess(token);
  if (!c.ok) return { error: onError(c.error === 'unknown' ? 'invalid' : c.error) };
  return { family: c.family };
}

/** Records a published post; undefined when the account hit the daily cap. */
export function recordPost(ctx: PlatformContext, fam: Family, p: Omit<SandboxPost, 'id' | 'account' | 'accountId' | 'createdAt'>, id = newId(ctx)): SandboxPost | undefined {
  const s = publishState(ctx);
  const now = ctx.now();
  const day = Math.floor(now / 86_400_000);
  const today = s.posts.filter((x) => x.account === fam.account.name && Math.floor(x.createdAt / 86_400_000) === day).length;
  if (s.config.dailyLimit !== undefined && today >= s.config.dailyLimit) return undefined;
  const post: SandboxPost = { ...p, id, account: fam.account.name, accountId: fam.account.id, createdAt: now };
  s.posts.push(post);
  ctx.stats['posts'] = (ctx.stats['posts'] ?? 0) + 1;
  return post;
}

/** Applies a `dropAfterCommit` fault: the work is done, then the answer is lost. */
export function maybeDrop(ctx: PlatformContext, req: SandboxRequest, res: SandboxResponse): SandboxResponse {
  const f = publishState(ctx).config.dropAfterCommit;
  if (!f || f.count <= 0) return res;
  const hit = f.path.endsWith('*') ? req.path.startsWith(f.path.slice(0, -1)) : req.path === f.path;
  if (!hit) return res;
  f.count--;
  ctx.stats['droppedAfterCommit'] = (ctx.stats['droppedAfterCommit'] ?? 0) + 1;
  return { status: 0, drop: true };
}

/** Reads a streamed request body without keeping it: byte count and SHA-256. */
export async function drain(raw: IncomingMessage, onChunk?: (c: Buffer) => void): Promise<number> {
  let n = 0;
  for await (const c of raw) {
    n += (c as Buffer).length;
    onChunk?.(c as Buffer);
  }
  return n;
}

export function controlRoutes(ctx: PlatformContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/__publish/v1/config',
      handler: (req) => {
        const b = (req.json ?? {}) as Partial<PublishConfig> & { dropAfterCommit?: { path: string; count?: number } };
        const c = publishState(ctx).config;
        if (typeof b.processingPolls === 'number') c.processingPolls = b.processingPolls;
        if (typeof b.hashUploads === 'boolean') c.hashUploads = b.hashUploads;
        if (typeof b.dailyLimit === 'number') c.dailyLimit = b.dailyLimit;
        if (b.dailyLimit === null) delete c.dailyLimit;
        if (b.dropAfterCommit) c.dropAfterCommit = { path: b.dropAfterCommit.path, count: b.dropAfterCommit.count ?? 1 };
        return json(200, { ok: true, config: c });
      },
    },
    { method: 'GET', path: '/__publish/v1/posts', handler: () => json(200, { posts: publishState(ctx).posts }) },
  ];
}

/**
 * An upload that outlives its access token: after every `every` stored units (segments, parts,
 * bytes) the uploading account's access tokens expire. `configure` takes a control route's value
 * (a number sets it, null turns it off) and restarts the count.
 */
export class TokenExpiry {
  every: number | undefined;
  private since = 0;
  expiries = 0;

  configure(v: unknown): void {
    if (typeof v === 'number') this.every = v;
    if (v === null) this.every = undefined;
    this.since = 0;
  }

  /** Units that may still be stored before the next expiry. */
  get room(): number {
    return this.every ? this.every - this.since : Number.POSITIVE_INFINITY;
  }

  /** `units` more were stored for `account` (only `family`'s tokens expire, when given); true when they expired now. */
  stored(ctx: PlatformContext, account: string, units = 1, family?: Family): boolean {
    if (!this.every) return false;
    this.since += units;
    if (this.since < this.every) return false;
    this.since = 0;
    if (family) ctx.families.expireAccessOf(family);
    else ctx.families.expire(account, 'access');
    this.expiries++;
    return true;
  }
}

/**
 * The two control routes of a platform's upload faults: POST /__<platform>/v1/upload-config
 * {<setting>: N | null} configures `expiry`; GET /__<platform>/v1/upload-stats answers `stats()`
 * with the expiries added.
 */
export function uploadFaultRoutes(platform: string, setting: string, expiry: TokenExpiry, stats: () => Record<string, number>): Route[] {
  return [
    {
      method: 'POST',
      path: `/__${platform}/v1/upload-config`,
      handler: (req) => {
        expiry.configure(((req.json ?? {}) as Record<string, unknown>)[setting]);
        return json(200, { ok: true });
      },
    },
    { method: 'GET', path: `/__${platform}/v1/upload-stats`, handler: () => json(200, { ...stats(), tokenExpiries: expiry.expiries }) },
  ];
}

/** Minimal multipart/form-data parser (the sandbox only needs named fields). */
export function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return out;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length + 2; // skip CRLF
    const next = body.indexOf(boundary, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2);
    const sep = part.indexOf('\r\n\r\n');
    if (sep >= 0) {
      const head = part.subarray(0, sep).toString('utf8');
      const name = /name="([^"]+)"/i.exec(head)?.[1];
      if (name) out.set(name, part.subarray(sep + 4));
    }
    pos = next;
  }
  return out;
}
