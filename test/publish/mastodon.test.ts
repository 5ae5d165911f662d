/**
 * The Mastodon publisher against the sandbox playing two servers (src/sandbox/mastodon.ts): each
 * server's own character limit at its boundary (URLs and mentions counted the server's way, the
 * content warning included), media processing (202, 206, 200), the attachment and size limits,
 * 422 errors, 429 with rate-limit headers, and the Idempotency-Key that keeps a retry from posting
 * twice (docs/platforms/mastodon.md).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { createHttp } from '../../src/core/http.js';
import { ProviderError } from '../../src/core/errors.js';
import { generateVerifier } from '../../src/auth/pkce.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { provider } from '../../src/providers/mastodon.js';
import { publisher } from '../../src/providers/mastodon-publish.js';
import { INSTANCES } from '../../src/sandbox/mastodon.js';
import { consentVia } from '../helpers/sandbox-consent.js';
import { tempMedia } from './kit.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, TokenSet } from '../../src/providers/types.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ platforms: ['mastodon'] });
});
afterAll(() => sb?.close());
beforeEach(() => sb.control.platform('mastodon').reset());

const REDIRECT = 'http://127.0.0.1:45123/callback';
const scopes = provider.descriptor.scopes.map((s) => s.scope);

/** Registers an app on the instance at `prefix`, logs alice in, returns deps and token. */
async function connectOn(prefix: string): Promise<{ d: ProviderDeps; t: TokenSet }> {
  const base: ProviderDeps = { http: createHttp({ timeoutMs: 10_000 }), clock: { now: systemClock.now, sleep: async () => undefined }, hosts: { api: `${sb.origins.mastodon}${prefix}` }, app: { clientId: '' } };
  const app = await provider.registerApp!({ redirectUri: 'http://127.0.0.1/callback', scopes }, base);
  const d = { ...base, app };
  const verifier = generateVerifier();
  const cb = await consentVia(provider.buildAuthorizeUrl({ redirectUri: REDIRECT, state: 's', codeVerifier: verifier, scopes }, d));
  const t = await provider.exchangeCode({ code: cb.searchParams.get('code')!, redirectUri: REDIRECT, codeVerifier: verifier, callbackParams: {} }, d);
  return { d, t };
}

function context(): PublishContext & { saved: Record<string, string>[] } {
  const saved: Record<string, string>[] = [];
  const ctx = {
    checkpoint: {} as Record<string, string>,
    saved,
    async saveCheckpoint(cp: Record<string, string>) {
      ctx.checkpoint = { ...cp };
      saved.push({ ...cp });
    },
    account: { id: 'alice', meta: {} },
  };
  return ctx;
}

const draft = (text: string, more: Partial<PostDraft> = {}): PostDraft => ({ text, media: [], options: {}, ...more });
const posts = async () => ((await (await fetch(`${sb.origins.mastodon}/__publish/v1/posts`)).json()) as { posts: { text: string; media: unknown[]; privacy: string; page?: string }[] }).posts;
const file = (size: number, ext: 'png' | 'mp4', mime: string): MediaRef => ({ kind: 'file', path: tempMedia(size, ext), size, mime });

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ProviderError);
  return e as ProviderError;
}

describe.each(INSTANCES.map((i) => ({ ...i, label: i.prefix || '/' })))('the server at $label: its own limits', (inst) => {
  const url = 'https://example.com/a/very/long/path/that/is/far/longer/than/twenty-three/characters';

  it.each([
    ['just under', inst.maxCharacters - 1, true],
    ['at', inst.maxCharacters, true],
    ['just over', inst.maxCharacters + 1, false],
  ] as const)('plain text %s the limit (%i characters)', async (_what, n, ok) => {
    const { d, t } = await connectOn(inst.prefix);
    const p = publisher.publish(draft('a'.repeat(n)), t, d, context());
    if (ok) expect((await p).remoteId).toBeTruthy();
    else expect((await rejection(p)).errorClass).toBe('invalid_request');
    expect((await posts()).length).toBe(ok ? 1 : 0);
  });

  it('a long URL counts as characters_reserved_per_url: at the limit with the URL posts, one more is refused', async () => {
    const { d, t } = await connectOn(inst.prefix);
    const fill = (n: number) => 'b'.repeat(n);
    const room = inst.maxCharacters - inst.reservedPerUrl - 1; // the space before the URL
    expect((await publisher.publish(draft(`${fill(room)} ${url}`), t, d, context())).remoteId).toBeTruthy();
    expect((await rejection(publisher.publish(draft(`${fill(room + 1)} ${url}`), t, d, context()))).message).toMatch(new RegExp(`${inst.maxCharacters} characters`));
  });

  it('a remote mention counts by its username only; the content warning counts too', async () => {
    const { d, t } = await connectOn(inst.prefix);
    const mention = '@bob@a-very-long-server-name.example.social'; // counts as "@bob" (4)
    const cw = 'spoiler!'; // 8
    const room = inst.maxCharacters - 4 - 1 - cw.length;
    const at = draft(`${mention} ${'c'.repeat(room)}`, { options: { spoiler: cw } });
    expect((await publisher.publish(at, t, d, context())).remoteId).toBeTruthy();
    const over = draft(`${mention} ${'c'.repeat(room + 1)}`, { options: { spoiler: cw } });
    expect((await rejection(publisher.publish(over, t, d, context()))).errorClass).toBe('invalid_request');
  });

  it('the sandbox enforces the limit itself (a client that skipped the check gets 422)', async () => {
    const { d, t } = await connectOn(inst.prefix);
    const res = await fetch(`${d.hosts.api}/api/v1/statuses`, { method: 'POST', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ status: 'd'.repeat(inst.maxCharacters + 1) }) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/character limit/);
  });

  it('images: at the size limit posts with alt text, one byte over is refused before uploading', async () => {
    const { d, t } = await connectOn(inst.prefix);
    const at = file(inst.imageSizeLimit, 'png', 'image/png');
    const r = await publisher.publish(draft('pic', { media: [at], options: { alt: 'a black square', spoiler: 'eye strain' } }), t, d, context());
    const stored = (await (await fetch(`${d.hosts.api}/api/v1/statuses/${r.remoteId}`, { headers: { authorization: `Bearer ${t.accessToken}` } })).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ spoiler_text: 'eye strain', sensitive: true, visibility: 'public', media_attachments: [{ type: 'image', description: 'a black square' }] });
    const over = file(inst.imageSizeLimit + 1, 'png', 'image/png');
    const e = await rejection(publisher.publish(draft('pic', { media: [over] }), t, d, context()));
    expect(e.message).toMatch(/images up to/);
    expect(sb.control.platform('mastodon').stats().mediaUploads).toBe(1);
  }, 30_000);

  it(`attachments: ${inst.maxAttachments} post, ${inst.maxAttachments + 1} are refused`, async () => {
    const { d, t } = await connectOn(inst.prefix);
    const imgs = (n: number) => Array.from({ length: n }, () => file(2_000, 'png', 'image/png'));
    const ok = await publisher.publish(draft('many', { media: imgs(inst.maxAttachments), options: { alt: 'a square', alt2: 'the second square' } }), t, d, context());
    const stored = (await (await fetch(`${d.hosts.api}/api/v1/statuses/${ok.remoteId}`, { headers: { authorization: `Bearer ${t.accessToken}` } })).json()) as { media_attachments: { description: string }[] };
    // `alt2` (--option alt2=…) names the second file; `alt` (--set mastodon.alt=…) the others.
    expect(stored.media_attachments.map((m) => m.description)).toEqual(Array.from({ length: inst.maxAttachments }, (_, i) => (i === 1 ? 'the second square' : 'a square')));
    expect((await rejection(publisher.publish(draft('many', { media: imgs(inst.maxAttachments + 1) }), t, d, context()))).message).toMatch(/attachments/);
  });
});

describe('media processing, errors and retries', () => {
  it('a video is streamed (progress reported), answers 202, is polled through 206 until ready, then posts; checkpoints keep the media id', async () => {
    const { d, t } = await connectOn('');
    await fetch(`${sb.origins.mastodon}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ processingPolls: 3 }) });
    const progress: [number, number][] = [];
    const ctx = { ...context(), onProgress: (sent: number, total: number) => void progress.push([sent, total]) };
    const r = await publisher.publish(draft('clip', { media: [file(300_000, 'mp4', 'video/mp4')], privacy: 'unlisted' }), t, d, ctx);
    // Streamed from disk in chunks, every byte counted.
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([300_000, 300_000]);
    expect(r.url).toMatch(/sandbox\.invalid/);
    expect(ctx.saved.some((c) => c.media)).toBe(true);
    const [post] = await posts();
    expect(post).toMatchObject({ privacy: 'unlisted', media: [{ bytes: 300_000 }] });
  });

  it('attaching a video still processing is a 422 the sandbox enforces', async () => {
    const { d, t } = await connectOn('');
    await fetch(`${sb.origins.mastodon}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ processingPolls: 5 }) });
    const form = new FormData();
    form.set('file', new Blob([Buffer.from(tempMediaBytes())]), 'v.mp4');
    const up = await fetch(`${d.hosts.api}/api/v2/media`, { method: 'POST', headers: { authorization: `Bearer ${t.accessToken}` }, body: form });
    expect(up.status).toBe(202);
    const { id } = (await up.json()) as { id: string };
    const res = await fetch(`${d.hosts.api}/api/v1/statuses`, { method: 'POST', headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `status=x&media_ids[]=${id}` });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/not finished processing/);
  });

  it('a lost answer is retried with the same Idempotency-Key: one status, the same id', async () => {
    const { d, t } = await connectOn('');
    await fetch(`${sb.origins.mastodon}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dropAfterCommit: { path: '/api/v1/statuses' } }) });
    const ctx = context();
    const p = draft('only once');
    await expect(publisher.publish(p, t, d, ctx)).rejects.toBeTruthy();
    expect(ctx.checkpoint.idempotencyKey).toBeTruthy();
    const again = await publisher.reconcile(p, t, d, ctx);
    expect(again.status).toBe('published');
    const retried = await publisher.publish(p, t, d, ctx);
    expect((await posts()).filter((x) => x.text === 'only once')).toHaveLength(1);
    expect(again.status === 'published' && again.result.remoteId).toBe(retried.remoteId);
  });

  it('past the one-hour window reconcile says unknown instead of risking a second status', async () => {
    const { d, t } = await connectOn('');
    const ctx = context();
    ctx.checkpoint = { sent: String(systemClock.now() - 61 * 60_000), idempotencyKey: 'k-old' };
    const r = await publisher.reconcile(draft('late'), t, d, ctx);
    expect(r).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/one hour/) });
    expect(await posts()).toHaveLength(0);
  });

  it('429 is rate_limited with the wait from X-RateLimit-Reset (an ISO time); 422 is invalid_request', async () => {
    const { d, t } = await connectOn('');
    const reset = new Date(systemClock.now() + 90_000).toISOString();
    sb.control.platform('mastodon').fault({ path: '/api/v1/statuses', status: 429, body: '{"error":"Too many requests"}', headers: { 'content-type': 'application/json', 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset } });
    const e = await rejection(publisher.publish(draft('hi'), t, d, context()));
    expect(e.errorClass).toBe('rate_limited');
    expect(e.retryAfterMs).toBeGreaterThan(80_000);
    expect(e.retryAfterMs).toBeLessThanOrEqual(90_000);
    const bad = await rejection(publisher.publish(draft('hi', { privacy: 'friends' }), t, d, { ...context(), checkpoint: { sent: '1' } }));
    expect(bad.errorClass).toBe('invalid_request');
    expect(bad.message).toMatch(/Visibility/);
  });

  it('a revoked token is reconnect_needed at publish', async () => {
    const { d, t } = await connectOn('/classic');
    sb.control.platform('mastodon').revoke('alice');
    expect((await rejection(publisher.publish(draft('hi'), t, d, context()))).errorClass).toBe('reconnect_needed');
  });
});

describe('schedule-time validation (pure)', () => {
  it('visibility, text-or-media, one video alone', () => {
    expect(publisher.validate(draft('x', { privacy: 'public' }))).toEqual([]);
    expect(publisher.validate(draft('x', { privacy: 'friends' }))[0]?.field).toBe('privacy');
    expect(publisher.validate(draft(''))[0]?.field).toBe('text');
    const v: MediaRef = { kind: 'file', path: '/x.mp4', mime: 'video/mp4', size: 1 };
    const i: MediaRef = { kind: 'file', path: '/x.png', mime: 'image/png', size: 1 };
    expect(publisher.validate(draft('x', { media: [v, i] }))[0]?.field).toBe('media');
  });
});

function tempMediaBytes(): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.alloc(2000)]);
}
