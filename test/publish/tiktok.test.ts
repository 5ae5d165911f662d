import { afterEach, describe, expect, it } from 'vitest';
import * as routes from '../../src/sandbox/tiktok-publish.js';
import { publisher as tt, chunkPlan, failReasonClass, statusDelayMs } from '../../src/providers/tiktok-publish.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const MB = 1024 * 1024;
const draft = (path: string, size: number, privacy = 'PUBLIC_TO_EVERYONE') => ({ text: 'tiktok caption', privacy, media: [{ kind: 'file' as const, path, mime: 'video/mp4', size }], options: {} });

async function tokenKit(): Promise<PubKit> {
  const k = await startPubKit('tiktok', routes, ['www', 'api']);
  // The TikTok routes require the video.publish scope.
  const fam = k.server.ctx.families.start(k.server.ctx.account('alice'), 'app', ['video.publish', 'user.info.basic'], { accessTtlMs: 3_600_000, rotate: false });
  k.token.accessToken = fam.tokens.accessToken;
  return k;
}

describe('TikTok Direct Post against the sandbox', () => {
  it('chunk plan follows the media transfer guide', () => {
    expect(chunkPlan(3 * MB)).toEqual({ chunkSize: 3 * MB, count: 1 });
    expect(chunkPlan(25 * MB)).toEqual({ chunkSize: 10 * MB, count: 2 });
  });

  it('creator info, init, ordered chunks, status polling -> one post with the publish id saved first', async () => {
    kit = await tokenKit();
    await kit.config({ processingPolls: 3 });
    const size = 25 * MB + 123;
    const r = await tt.publish(draft(tempMedia(size, 'mp4'), size), kit.token, kit.pd, kit.ctx);
    expect(r.url).toBe(`https://www.tiktok.com/video/${r.remoteId}`);
    expect(kit.ctx.saved[0]).toMatchObject({ publish_id: expect.any(String), sent: expect.any(String) });
    const posts = await kit.posts();
    expect(posts).toMatchObject([{ text: 'tiktok caption', media: [{ bytes: size }] }]);
    // The id is an int64 beyond 2^53 in TikTok's JSON: it must survive digit for digit.
    expect(BigInt(posts[0]!.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(r.remoteId).toBe(posts[0]!.id);
    expect((await tt.reconcile(draft('', size), kit.token, kit.pd, kit.ctx)).status).toBe('published');
  });

  it('a lost init answer leaves an orphan upload that never becomes a post; the retry posts once', async () => {
    kit = await tokenKit();
    await kit.config({ dropAfterCommit: { path: '/v2/post/publish/video/init/' } });
    const file = tempMedia(2 * MB, 'mp4');
    await expect(tt.publish(draft(file, 2 * MB), kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    expect((await tt.reconcile(draft(file, 2 * MB), kit.token, kit.pd, kit.ctx)).status).toBe('not_posted');
    await tt.publish(draft(file, 2 * MB), kit.token, kit.pd, kit.ctx);
    expect(await kit.posts()).toHaveLength(1);
  });

  it('a privacy level the creator does not offer is a permission error before any upload', async () => {
    kit = await tokenKit();
    const bob = kit.server.ctx.families.start(kit.server.ctx.account('bob'), 'app', ['video.publish'], { accessTtlMs: 3_600_000, rotate: false });
    await expect(tt.publish(draft(tempMedia(MB, 'mp4'), MB), { ...kit.token, accessToken: bob.tokens.accessToken }, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: 'permission' });
    expect(kit.ctx.saved).toHaveLength(0);
    expect(tt.validate({ ...draft('', MB), privacy: undefined as unknown as string }).map((i) => i.field)).toEqual(['privacy']);
  });
});

const TT_MB = 1024 * 1024;
async function raw(k: PubKit, path: string, body: unknown, token = k.token.accessToken) {
  const res = await fetch(`${k.origin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { data: Record<string, unknown>; error: { code: string; message: string; log_id: string } } };
}
const initBody = (size: number, chunk: number, count: number, post: Record<string, unknown> = {}) => ({
  post_info: { title: 't', privacy_level: 'SELF_ONLY', brand_content_toggle: false, ...post },
  source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size: chunk, total_chunk_count: count },
});

describe('TikTok sandbox enforces the documented rules (docs/platforms/tiktok.md)', () => {
  it('init: a plan the guide refuses, a missing brand_content_toggle and a 2201-unit title are 400 invalid_param in TikTok\'s envelope', async () => {
    kit = await tokenKit();
    const bad = await raw(kit, '/v2/post/publish/video/init/', initBody(7 * TT_MB, 10 * TT_MB, 1));
    expect(bad).toMatchObject({ status: 400, body: { data: {}, error: { code: 'invalid_param', message: expect.stringMatching(/floor/), log_id: expect.any(String) } } });
    const { brand_content_toggle: _b, ...noBrand } = initBody(MB, MB, 1).post_info;
    void _b;
    expect((await raw(kit, '/v2/post/publish/video/init/', { ...initBody(MB, MB, 1), post_info: noBrand })).body.error).toMatchObject({ code: 'invalid_param', message: expect.stringMatching(/brand_content_toggle/) });
    const emoji = '😀'.repeat(1100); // 2200 UTF-16 units
    expect((await raw(kit, '/v2/post/publish/video/init/', initBody(MB, MB, 1, { title: emoji }))).status).toBe(200);
    expect((await raw(kit, '/v2/post/publish/video/init/', initBody(MB, MB, 1, { title: `${emoji}a` }))).body.error.code).toBe('invalid_param');
  });

  it('captions: 2200 UTF-16 units pass validation and publish; 2201 are refused before anything is sent', async () => {
    kit = await tokenKit();
    const emoji = '😀'.repeat(1100);
    expect(tt.validate({ ...draft('/v.mp4', MB), text: `${emoji}a` }).map((i) => i.field)).toEqual(['text']);
    expect(tt.validate({ ...draft('/v.mp4', MB), text: emoji })).toEqual([]);
    await tt.publish({ ...draft(tempMedia(MB, 'mp4'), MB), text: emoji }, kit.token, kit.pd, kit.ctx);
    expect((await kit.posts())[0]!.text).toBe(emoji);
  });

  it('init is limited to 6 requests a minute per token: the 7th is 429 rate_limit_exceeded, a rate limit for the engine', async () => {
    kit = await tokenKit();
    for (let i = 0; i < 6; i++) expect((await raw(kit, '/v2/post/publish/video/init/', initBody(MB, MB, 1))).status).toBe(200);
    expect((await raw(kit, '/v2/post/publish/video/init/', initBody(MB, MB, 1))).body.error.code).toBe('rate_limit_exceeded');
    await expect(tt.publish(draft(tempMedia(MB, 'mp4'), MB), kit.token, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: 'rate_limited' });
  });

  it('the daily cap: creator_info answers spam_risk_too_many_posts under HTTP 200, and nothing is uploaded', async () => {
    kit = await tokenKit();
    await kit.config({ dailyLimit: 0 });
    const r = await raw(kit, '/v2/post/publish/creator_info/query/', {});
    expect(r).toMatchObject({ status: 200, body: { error: { code: 'spam_risk_too_many_posts' } } });
    await expect(tt.publish(draft(tempMedia(MB, 'mp4'), MB), kit.token, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: 'rate_limited', platformCode: 'spam_risk_too_many_posts' });
    expect(kit.ctx.saved).toHaveLength(0);
  });

  it('chunks: out of order is 416 with the progress in Content-Range; a wrong total is 400; an unknown upload is 404', async () => {
    kit = await tokenKit();
    const init = await raw(kit, '/v2/post/publish/video/init/', initBody(20 * TT_MB, 10 * TT_MB, 2));
    const url = String(init.body.data.upload_url);
    const put = (range: string, len: number) => fetch(url, { method: 'PUT', headers: { 'content-type': 'video/mp4', 'content-range': range }, body: Buffer.alloc(len) });
    expect((await put(`bytes 0-${10 * TT_MB - 1}/${20 * TT_MB + 1}`, 10 * TT_MB)).status).toBe(400);
    const first = await put(`bytes 0-${10 * TT_MB - 1}/${20 * TT_MB}`, 10 * TT_MB);
    expect(first.status).toBe(206);
    const again = await put(`bytes 0-${10 * TT_MB - 1}/${20 * TT_MB}`, 10 * TT_MB);
    expect(again.status).toBe(416);
    expect(again.headers.get('content-range')).toBe(`bytes 0-${10 * TT_MB - 1}/${20 * TT_MB}`);
    expect((await put(`bytes ${10 * TT_MB}-${20 * TT_MB - 1}/${20 * TT_MB}`, 10 * TT_MB)).status).toBe(201);
    expect((await fetch(`${kit.origin}/video/upload/nope`, { method: 'PUT', headers: { 'content-range': 'bytes 0-0/1' }, body: 'x' })).status).toBe(404);
  });

  it('a chunk whose answer was lost is not sent twice: the 416 progress says where to go on; one post', async () => {
    kit = await tokenKit();
    const size = 30 * TT_MB + 5;
    await kit.config({ dropAfterCommit: { path: '/video/upload/*', count: 1 } });
    const file = tempMedia(size, 'mp4');
    await expect(tt.publish(draft(file, size), kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    expect(kit.ctx.checkpoint.uploaded).toBe('0');
    await tt.publish(draft(file, size), kit.token, kit.pd, kit.ctx);
    expect(await kit.posts()).toHaveLength(1);
    expect(kit.server.ctx.stats['uploadedBytes']).toBe(size);
  });

  it('an upload URL older than an hour is refused (403); when TikTok holds every byte, reconcile and publish only poll: no second init', async () => {
    kit = await tokenKit();
    kit.token.accessToken = kit.server.ctx.families.start(kit.server.ctx.account('alice'), 'app', ['video.publish'], { accessTtlMs: 10 * 3_600_000, rotate: false }).tokens.accessToken;
    await kit.config({ processingPolls: 100 });
    const size = 12 * TT_MB;
    const file = tempMedia(size, 'mp4');
    await expect(tt.publish(draft(file, size), kit.token, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: expect.stringMatching(/transient|rate_limited/) });
    const publishId = kit.ctx.checkpoint.publish_id;
    kit.server.control.clock({ offsetMs: 61 * 60_000 });
    expect((await fetch(kit.ctx.checkpoint.upload_url!, { method: 'PUT', headers: { 'content-type': 'video/mp4', 'content-range': `bytes 0-0/${size}` }, body: 'x' })).status).toBe(403);
    kit.ctx.checkpoint = { ...kit.ctx.checkpoint, uploaded: '0' }; // as if the last chunk's answer had been lost
    // Still processing: reconcile learns from uploaded_bytes that every byte arrived.
    expect((await tt.reconcile(draft(file, size), kit.token, kit.pd, kit.ctx)).status).toBe('not_posted');
    expect(kit.ctx.checkpoint).toMatchObject({ publish_id: publishId, uploaded: '1' });
    // Without reconcile (no "sent" mark), publish asks status/fetch before giving up the expired upload.
    kit.ctx.checkpoint = { ...kit.ctx.checkpoint, uploaded: '0', initAt: String(Number(kit.ctx.checkpoint.initAt) - 61 * 60_000) };
    await kit.config({ processingPolls: 1 });
    await tt.publish(draft(file, size), kit.token, kit.pd, kit.ctx);
    expect(kit.ctx.checkpoint.publish_id).toBe(publishId);
    expect(await kit.posts()).toHaveLength(1);
    expect([...(kit.server.ctx.data.get('publish') as { uploads: Map<string, unknown> }).uploads.keys()]).toHaveLength(1);
  });

  it('a SELF_ONLY post gets no public post id (TikTok returns one only for public posts): the publish id stands in', async () => {
    kit = await tokenKit();
    const r = await tt.publish(draft(tempMedia(MB, 'mp4'), MB, 'SELF_ONLY'), kit.token, kit.pd, kit.ctx);
    expect(r.remoteId).toMatch(/^v_pub_file~/);
    expect(r.url).toBeUndefined();
    expect(await kit.posts()).toHaveLength(1);
  });

  it('FAILED statuses map their fail_reason to the error class', () => {
    expect(failReasonClass('internal')).toBe('transient');
    expect(failReasonClass('spam_risk_too_many_posts')).toBe('rate_limited');
    expect(failReasonClass('auth_removed')).toBe('reconnect_needed');
    expect(failReasonClass('spam_risk_user_banned_from_posting')).toBe('permission');
    expect(failReasonClass('file_format_check_failed')).toBe('invalid_request');
  });

  it('status polling stays under 30 requests a minute', () => {
    let t = 0;
    const at: number[] = [];
    for (let n = 0; n < 40; n++) ((at[n] = t), (t += statusDelayMs(n)));
    for (let i = 0; i < at.length; i++) expect(at.filter((x) => x >= at[i]! && x < at[i]! + 60_000).length).toBeLessThanOrEqual(30);
  });
});
