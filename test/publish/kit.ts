/**
 * Publisher test kit: one sandbox platform server with only the publishing
 * routes (a stub OAuth module), a live token minted in it, ProviderDeps
 * pointing at it, and an in-memory PublishContext that records checkpoints.
 */
import { createReadStream, writeFileSync, mkdtempSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHttp } from '../../src/core/http.js';
import { ProviderError } from '../../src/core/errors.js';
import { mediaOfSize } from '../helpers/media-files.js';
import { systemClock } from '../../src/core/clock.js';
import { createPlatformServer } from '../../src/sandbox/runtime.js';
import type { SandboxRoutesModule } from '../../src/sandbox/common.js';
import type { PlatformId, ProviderDeps, PublishContext, TokenSet, TokenSource } from '../../src/providers/types.js';

export interface PubKit {
  origin: string;
  token: TokenSet;
  pd: ProviderDeps;
  ctx: PublishContext & { saved: Record<string, string>[] };
  server: ReturnType<typeof createPlatformServer>;
  posts(): Promise<{ id: string; text: string; title?: string; media: { bytes: number; sha256?: string }[] }[]>;
  config(c: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startPubKit(platform: PlatformId, routes: SandboxRoutesModule, hostNames: string[], meta: Record<string, string> = {}, main: SandboxRoutesModule['createRoutes'] = () => []): Promise<PubKit> {
  const server = createPlatformServer(platform, { hosts: hostNames, apps: [{ clientId: 'app', clientSecret: 's' }], createRoutes: main }, [routes], {});
  await new Promise<void>((r) => server.server.listen(0, '127.0.0.1', () => r()));
  const origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const acct = server.ctx.account('alice');
  const { tokens } = server.ctx.families.start(acct, 'app', ['all'], { accessTtlMs: 3_600_000, rotate: false });
  if (platform === 'linkedin') meta.authorUrn ??= `urn:li:person:li${BigInt(acct.id).toString(36)}`;
  const token: TokenSet = { accessToken: tokens.accessToken, scopes: ['all'], obtainedAt: Date.now() };
  const pd: ProviderDeps = { http: createHttp(), clock: { now: systemClock.now, sleep: async () => undefined }, hosts: Object.fromEntries(hostNames.map((h) => [h, origin])), app: { clientId: 'app', clientSecret: 's' }, apiVersion: platform === 'linkedin' ? '202604' : 'v25.0' };
  const saved: Record<string, string>[] = [];
  const ctx: PubKit['ctx'] = {
    checkpoint: {},
    saved,
    async saveCheckpoint(cp) {
      ctx.checkpoint = { ...cp };
      saved.push({ ...cp });
    },
    account: { id: acct.id, meta: { ...meta } },
  };
  return {
    origin,
    token,
    pd,
    ctx,
    server,
    async posts() {
      return ((await (await fetch(`${origin}/__publish/v1/posts`)).json()) as { posts: never[] }).posts;
    },
    async config(c) {
      await fetch(`${origin}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
    },
    close: () =>
      new Promise((r) => {
        server.server.close(() => r());
        server.server.closeAllConnections();
      }),
  };
}

/** A temp file of `size` bytes (pattern data) with the given extension. */
export function tempMedia(size: number, ext: string, random = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-media-'));
  const p = join(dir, `media.${ext}`);
  // A real media head (the schedule commands probe files), then filler up to `size`.
  const fill = (n: number) => {
    const b = random ? randomBytes(n) : Buffer.alloc(n);
    if (!random) for (let i = 0; i < n; i += 4096) b[i] = i & 0xff;
    return b;
  };
  // Smaller than any media head: exactly `size` bytes (publisher tests that skip the schedule-time probe).
  const bytes = mediaOfSize(ext, size, fill);
  writeFileSync(p, bytes.length > size ? fill(size) : bytes);
  return p;
}

/**
 * A Facebook kit with the Facebook sandbox's own routes too (GET /{v}/{id} answers upload:<id>): the
 * minted token is the person's (User token, for the Resumable Upload API), a second one the Page's.
 */
export async function startFacebookKit(routes: SandboxRoutesModule, main: SandboxRoutesModule['createRoutes']): Promise<PubKit> {
  const k = await startPubKit('facebook', routes, ['www', 'graph', 'video'], {}, main);
  const page = `${k.ctx.account.id}01`;
  const fam = k.server.ctx.families.start(k.server.ctx.account('alice'), 'app', ['all'], { accessTtlMs: 3_600_000, rotate: false });
  k.server.ctx.data.set('facebook.pageTokens', new Map([[fam.tokens.accessToken, page]]));
  k.token.extra = { pageId: page, pageAccessToken: fam.tokens.accessToken };
  k.ctx.account.meta.pageId = page;
  return k;
}

/** SHA-256 of a file, streamed (files may be large). */
export async function sha(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(c as Buffer);
  return h.digest('hex');
}

/** A TokenSource that mints a new access token in the sandbox for `token`'s family, recording each rejected token. */
export function sandboxTokens(k: PubKit, token: TokenSet = k.token): TokenSource & { calls: TokenSet[] } {
  const family = k.server.ctx.families.familyOf(token.accessToken)!;
  const calls: TokenSet[] = [];
  return {
    calls,
    async renew(rejected) {
      calls.push(rejected);
      return { ...rejected, accessToken: k.server.ctx.families.issueAccess(family).accessToken };
    },
  };
}

/** A TokenSource whose renewal gives back the same (dead) token: the platform refuses it again. */
export function deadTokens(): TokenSource & { calls: TokenSet[] } {
  const calls: TokenSet[] = [];
  return { calls, renew: async (t) => (calls.push(t), t) };
}

/** A TokenSource whose renewal fails (the grant is gone), counting the attempts. */
export function failingTokens(message: string): TokenSource & { calls: number } {
  const source = {
    calls: 0,
    async renew(): Promise<TokenSet> {
      source.calls++;
      throw new ProviderError(message, { errorClass: 'reconnect_needed' });
    },
  };
  return source;
}
