/**
 * Bluesky publishing (docs/platforms/bluesky.md#posts, #media, #reconcile) through the real
 * provider and the official libraries against the sandbox PDS over HTTP: a DPoP-bound session
 * from a real login, text with facets at UTF-8 byte offsets, the 300-grapheme limit at its
 * boundaries (emoji, combining marks), image count and size limits, alt text, video, and a lost
 * createRecord answer that ends with exactly one post.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttp } from '../../src/core/http.js';
import { systemClock } from '../../src/core/clock.js';
import { ProviderError } from '../../src/core/errors.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { provider, descriptor } from '../../src/providers/bluesky.js';
import { publisher, validate, MAX_GRAPHEMES } from '../../src/providers/bluesky-publish.js';
import { IMAGE_MAX_BYTES, MAX_IMAGES } from '../../src/providers/bluesky-media.js';
import type { MediaRef, PostDraft, ProviderDeps, PublishContext, TokenSet } from '../../src/providers/types.js';
import { consentVia } from '../helpers/sandbox-consent.js';
import { tempMedia } from './kit.js';

let sb: Sandbox;
let d: ProviderDeps;
let tokens: TokenSet;
beforeAll(async () => {
  sb = await startSandbox({ platforms: ['bluesky'] });
  d = { http: createHttp({ timeoutMs: 10_000 }), clock: systemClock, hosts: Object.fromEntries(Object.keys(descriptor.hosts).map((h) => [h, sb.origins.bluesky])), app: { clientId: 'http://localhost' } };
  const login = await provider.startLogin!({ redirectUri: 'http://127.0.0.1:54321/callback', loginHint: 'alice.bsky.social' }, d);
  const cb = await consentVia(login.url, { account: 'alice' });
  tokens = await login.exchange(Object.fromEntries(cb.searchParams));
});
afterAll(() => sb?.close());

interface Ctx extends PublishContext {
  saved: Record<string, string>[];
}
let ctx: Ctx;
beforeEach(() => {
  ctx = {
    checkpoint: {},
    saved: [],
    async saveCheckpoint(cp) {
      ctx.checkpoint = { ...cp };
      ctx.saved.push({ ...cp });
    },
    account: { id: tokens.extra!['sub']!, meta: {} },
  };
});

const draft = (text: string, media: MediaRef[] = [], options: Record<string, string> = {}): PostDraft => ({ text, media, options });
const image = (size: number): MediaRef => ({ kind: 'file', path: tempMedia(size, 'png'), mime: 'image/png', size });
const posts = async () => ((await (await fetch(`${sb.origins.bluesky}/__publish/v1/posts`)).json()) as { posts: { id: string; text: string; kind: string; media: unknown[] }[] }).posts;
const record = async (uri: string) => {
  const [, , did, coll, rkey] = uri.split('/');
  const session = await (await import('../../src/providers/bluesky-session.js')).resourceSession(tokens, d);
  const res = await session.fetchHandler(`/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=${coll}&rkey=${rkey}`, { method: 'GET' });
  return ((await res.json()) as { value: Record<string, unknown> }).value;
};

describe('text length: 300 graphemes (lexicon maxGraphemes), not code units or bytes', () => {
  const over = (text: string) => validate(draft(text)).map((i) => i.message);
  it.each([
    ['299 Latin letters', 'a'.repeat(299)],
    ['300 Latin letters', 'a'.repeat(300)],
    ['300 emoji (600 UTF-16 units)', '👋'.repeat(300)],
    ['120 ZWJ family emoji: 120 graphemes and exactly 3000 bytes', '👨‍👩‍👧‍👦'.repeat(120)],
    ['300 letters with combining accents (e + U+0301)', 'e\u0301'.repeat(300)],
  ])('%s: accepted', (_n, text) => expect(over(text)).toEqual([]));

  it.each([
    ['301 Latin letters', 'a'.repeat(301), 301],
    ['301 emoji', '👋'.repeat(301), 301],
    ['301 combining-accent letters', 'e\u0301'.repeat(301), 301],
  ])('%s: refused with the grapheme count', (_n, text, n) => expect(over(text)).toEqual([expect.stringContaining(`allows ${MAX_GRAPHEMES} characters (graphemes); this text has ${n}`)]));

  it('3000 bytes is the other limit: 121 family emoji are few graphemes but too many bytes', () => {
    // 👨‍👩‍👧‍👦 is 25 bytes: 121 of them are 121 graphemes but 3025 bytes.
    expect(over('👨‍👩‍👧‍👦'.repeat(121))).toEqual([expect.stringContaining('3000 bytes of text; this text has 3025')]);
  });

  it('the sandbox PDS enforces the same limit: 301 graphemes sent anyway are refused', async () => {
    const session = await (await import('../../src/providers/bluesky-session.js')).resourceSession(tokens, d);
    const res = await session.fetchHandler('/xrpc/com.atproto.repo.createRecord', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ repo: tokens.extra!['sub'], collection: 'app.bsky.feed.post', rkey: '3kabcdefghij2', record: { $type: 'app.bsky.feed.post', text: '👋'.repeat(301), createdAt: new Date().toISOString() } }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('300 graphemes');
  });
});

describe('publishing through the DPoP-bound session', () => {
  it('text with a link, a mention and a hashtag: facets at UTF-8 byte offsets', async () => {
    const text = 'héllo @bob.bsky.social see https://example.com/a #sócial';
    const r = await publisher.publish(draft(text), tokens, d, ctx);
    expect(r.url).toMatch(/^https:\/\/bsky\.app\/profile\/did:plc:[a-z2-7]{24}\/post\/[2-7a-z]{13}$/);
    const rec = await record(r.remoteId);
    const facets = rec['facets'] as { index: { byteStart: number; byteEnd: number }; features: { $type: string; did?: string; uri?: string; tag?: string }[] }[];
    const bytes = Buffer.from(text);
    const cut = (f: (typeof facets)[number]) => bytes.subarray(f.index.byteStart, f.index.byteEnd).toString();
    const by = (t: string) => facets.find((f) => f.features[0]!.$type === `app.bsky.richtext.facet#${t}`)!;
    expect(cut(by('mention'))).toBe('@bob.bsky.social');
    expect(by('mention').features[0]!.did).toMatch(/^did:plc:/);
    expect(cut(by('link'))).toBe('https://example.com/a');
    expect(by('tag').features[0]!.tag).toBe('sócial');
    expect(cut(by('tag'))).toBe('#sócial');
  });

  it('up to 4 images, each with its alt text; the 2,000,000-byte image is accepted', async () => {
    const media = [image(IMAGE_MAX_BYTES), image(1000), image(1000), image(1000)];
    const opts = { alt: 'a cat', alt_2: 'a dog', alt_3: 'a bird', alt_4: 'a fish' };
    expect(validate(draft('four', media, opts))).toEqual([]);
    const r = await publisher.publish(draft('four', media, opts), tokens, d, ctx);
    const embed = (await record(r.remoteId))['embed'] as { images: { alt: string; image: { size: number } }[] };
    expect(embed.images.map((i) => i.alt)).toEqual(['a cat', 'a dog', 'a bird', 'a fish']);
    expect(embed.images[0]!.image.size).toBe(IMAGE_MAX_BYTES);
  });

  it('a fifth image and a 2,000,001-byte image are refused before anything is uploaded', () => {
    expect(validate(draft('five', Array.from({ length: MAX_IMAGES + 1 }, () => image(10))))).toEqual([expect.objectContaining({ message: expect.stringContaining('at most 4 images per post; this post has 5') })]);
    expect(validate(draft('big', [image(IMAGE_MAX_BYTES + 1)]))).toEqual([expect.objectContaining({ message: expect.stringContaining('2000001 bytes') })]);
  });

  it('the sandbox refuses an image over 2,000,000 bytes even when the client does not check', async () => {
    const big = image(IMAGE_MAX_BYTES + 1);
    const e = await publisher.publish(draft('big', [{ ...big, size: 10 }]), tokens, d, ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).errorClass).toBe('invalid_request');
    expect((e as ProviderError).message).toContain('too big (2000001 > 2000000 bytes)');
  });

  const videoJobs = () => sb.control.platform('bluesky').stats()['videoJobs'] ?? 0;

  it('an mp4 video goes through the video service (service token, upload, job status) and its processed blob becomes app.bsky.embed.video with alt text', async () => {
    const path = tempMedia(50_000, 'mp4', true);
    const jobs = videoJobs();
    const r = await publisher.publish(draft('clip', [{ kind: 'file', path, mime: 'video/mp4', size: 50_000 }], { alt: 'a short clip' }), tokens, d, ctx);
    expect(videoJobs()).toBe(jobs + 1);
    expect(ctx.saved.some((c) => c['videoJob0'])).toBe(true);
    const embed = (await record(r.remoteId))['embed'] as { $type: string; alt: string; video: { mimeType: string; size: number } };
    expect(embed).toMatchObject({ $type: 'app.bsky.embed.video', alt: 'a short clip', video: { mimeType: 'video/mp4', size: 50_000 } });
    expect(validate(draft('x', [{ kind: 'file', path, mime: 'video/quicktime', size: 10 }]))[0]!.message).toContain('must be mp4');
  });

  it('the video service takes only a service token for the PDS and uploadBlob (not one for itself), and only up to 100,000,000 bytes', async () => {
    const { resourceCall } = await import('../../src/providers/bluesky-session.js');
    const did = tokens.extra!['sub']!;
    const svc = async (aud: string) => ((await resourceCall(tokens, d, 'GET', 'com.atproto.server.getServiceAuth', 'svc', { query: { aud, lxm: 'com.atproto.repo.uploadBlob' } })) as { token: string }).token;
    const up = (t: string, size: number) => fetch(`${sb.origins.bluesky}/xrpc/app.bsky.video.uploadVideo?did=${did}&name=v.mp4`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'video/mp4' }, body: Buffer.alloc(size, 1) });
    expect((await up(await svc('did:web:video.bsky.app'), 10)).status).toBe(401);
    const pdsAud = `did:web:${new URL(tokens.extra!['aud']!).host}`;
    expect((await up(await svc(pdsAud), 10)).status).toBe(200);
    const tooBig = await up(await svc(pdsAud), 100_000_001);
    expect(((await tooBig.json()) as { error: string }).error).toBe('FileTooLarge');
  });

  it('a publish that stopped while the video was processing resumes the job instead of uploading again; the same video sent again is already_exists with its blob', async () => {
    const path = tempMedia(60_000, 'mp4', true);
    const media = [{ kind: 'file' as const, path, mime: 'video/mp4', size: 60_000 }];
    await publisher.publish(draft('first', media), tokens, d, ctx);
    const jobs = videoJobs();
    const job = ctx.saved.find((c) => c['videoJob0'])!['videoJob0']!;
    // A second post resuming from a checkpoint that holds only the job id.
    ctx.checkpoint = { videoJob0: job };
    await publisher.publish(draft('resumed', media), tokens, d, ctx);
    expect(videoJobs()).toBe(jobs);
    // No checkpoint: the bytes go again, the service knows them and hands back the blob.
    ctx.checkpoint = {};
    const again = await publisher.publish(draft('again', media), tokens, d, ctx);
    expect(videoJobs()).toBe(jobs);
    expect(((await record(again.remoteId))['embed'] as { video: { size: number } }).video.size).toBe(60_000);
  });

  it('a lost createRecord answer: reconcile finds the record by its saved key, so a retry never posts twice', async () => {
    const text = `lost answer ${Date.now()}`;
    await fetch(`${sb.origins.bluesky}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dropAfterCommit: { path: '/xrpc/com.atproto.repo.createRecord' } }) });
    const lost = await publisher.publish(draft(text), tokens, d, ctx).catch((x: unknown) => x);
    expect(lost).toBeInstanceOf(ProviderError);
    expect(ctx.checkpoint['rkey']).toMatch(/^[2-7a-z]{13}$/);
    const found = await publisher.reconcile(draft(text), tokens, d, ctx);
    expect(found).toMatchObject({ status: 'published', result: { url: expect.stringContaining(ctx.checkpoint['rkey']!) } });
    expect((await posts()).filter((p) => p.text === text)).toHaveLength(1);
    // Sending again with the same checkpoint cannot make a second post: the key is taken.
    const again = await publisher.publish(draft(text), tokens, d, ctx).catch((x: unknown) => x);
    expect((again as ProviderError).message).toContain('Record already exists');
    expect((await posts()).filter((p) => p.text === text)).toHaveLength(1);
  });

  it('reconcile says not_posted when the key was saved but the record was never written', async () => {
    ctx.checkpoint = { rkey: '3kzzzzzzzzzz2', sent: String(Date.now()) };
    expect(await publisher.reconcile(draft('never'), tokens, d, ctx)).toEqual({ status: 'not_posted' });
  });

  it('a missing local file is a local file error, not a platform one', async () => {
    const missing = '/nonexistent/socialync-bluesky.png';
    const e = (await publisher.publish(draft('x', [{ kind: 'file', path: missing, mime: 'image/png', size: 10 }]), tokens, d, ctx).catch((x: unknown) => x)) as NodeJS.ErrnoException;
    expect(e.code).toBe('ENOENT');
    expect(e.path).toBe(missing);
  });

  // Last: it rotates the session's tokens.
  it('an access token that lapses before createRecord is renewed once through ctx.tokens, then the post is made; without a token source it is a reconnect', async () => {
    sb.control.platform('bluesky').expire('access', 'alice');
    const refused = await publisher.publish(draft('no renewal'), tokens, d, ctx).catch((x: unknown) => x);
    expect(refused).toMatchObject({ errorClass: 'reconnect_needed', reason: 'token_expired' });
    let renewals = 0;
    ctx.checkpoint = {};
    ctx.tokens = { renew: async (rejected) => (renewals++, (tokens = await provider.refresh(rejected, d))) };
    const text = `renewed ${Date.now()}`;
    const r = await publisher.publish(draft(text), tokens, d, ctx);
    expect(renewals).toBe(1);
    expect(r.remoteId).toContain('app.bsky.feed.post');
    expect((await posts()).filter((p) => p.text === text)).toHaveLength(1);
  });

  // After the renewal test: it ends the session.
  it('a minute before 14 days after the login a refresh still works; a minute after, it is a reconnect (refresh token expired), not a retry', async () => {
    sb.control.platform('bluesky').clock({ offsetMs: 14 * 86_400_000 - 60_000 });
    const last = await provider.refresh(tokens, d);
    expect(last.refreshExpiresAt).toBe(tokens.refreshExpiresAt);
    tokens = last;
    sb.control.platform('bluesky').clock({ offsetMs: 14 * 86_400_000 + 60_000 });
    const e = await provider.refresh(tokens, d).catch((x: unknown) => x);
    sb.control.platform('bluesky').clock({ offsetMs: 0 });
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason: 'refresh_token_expired' });
  });
});
