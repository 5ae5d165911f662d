/**
 * YouTube limits at their boundaries (just under, at, just over), each checked on both sides:
 * our validation, and the sandbox refusing what the docs refuse (docs/platforms/youtube.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPublisher, LIMITS, validate, videoResource } from '../../src/providers/youtube-publish.js';
import { CHUNK_UNIT as U, chunkPlan, DEFAULT_CHUNK_BYTES as C, serverOffset } from '../../src/providers/youtube-upload.js';
import { DAY } from '../../src/core/clock.js';
import type { PostDraft } from '../../src/providers/types.js';
import { tempMedia, type PubKit } from './kit.js';
import { draft, sha, sparseVideo, ytConfig, ytKit as startYtKit, ytStats } from './youtube-kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});
const ytKit = async (hash = true) => (kit = await startYtKit(hash));
const GiB = 1024 ** 3;

describe('chunk plan (docs/platforms/youtube.md#chunks)', () => {
  const sizes: [string, number][] = [
    ['1 byte', 1],
    ['256 KiB - 1', U - 1],
    ['256 KiB', U],
    ['256 KiB + 1', U + 1],
    ['chunk - 1', C - 1],
    ['chunk', C],
    ['chunk + 1', C + 1],
    ['2 chunks', 2 * C],
    ['2 chunks + 1', 2 * C + 1],
    ['1 GiB', GiB],
    ['1 GiB + 1', GiB + 1],
    ['256 GiB (the maximum)', LIMITS.fileBytes],
  ];
  it.each(sizes)('%s: contiguous, every chunk but the last %i-sized and a multiple of 256 KiB', (_n, size) => {
    const plan = chunkPlan(size, C);
    expect(plan).toHaveLength(Math.ceil(size / C));
    expect(plan[0]![0]).toBe(0);
    expect(plan.at(-1)![1]).toBe(size - 1);
    plan.forEach(([s, e], i) => {
      if (i > 0) expect(s).toBe(plan[i - 1]![1] + 1);
      const len = e - s + 1;
      if (i < plan.length - 1) expect(len).toBe(C);
      else expect(len).toBeLessThanOrEqual(C);
    });
    expect(C % U).toBe(0);
  });

  it('a chunk size that is not a positive multiple of 256 KiB is our bug, refused at once', () => {
    expect(() => chunkPlan(10, U + 1)).toThrow(/multiple of 256 KiB/);
    expect(() => chunkPlan(10, 0)).toThrow(/multiple of 256 KiB/);
    expect(() => createPublisher({ chunkBytes: 100_000 })).toThrow(/multiple of 256 KiB/);
    expect(chunkPlan(3 * U, 2 * U)).toEqual([[0, 2 * U - 1], [2 * U, 3 * U - 1]]);
  });

  it('the 308 Range header: bytes=0-N continues at N+1, none at 0, anything else is refused', () => {
    expect(serverOffset('bytes=0-999999')).toBe(1_000_000);
    expect(serverOffset(null)).toBe(0);
    expect(() => serverOffset('bytes=5-9')).toThrow(/unexpected Range/);
  });
});

describe('sizes at the chunk boundaries publish once, byte-exact', () => {
  it.each([1, U - 1, U, U + 1, 2 * U, 3 * U + 5])('%i bytes in 256 KiB chunks', async (size) => {
    const k = await ytKit();
    const file = tempMedia(size, 'mp4', true);
    const r = await createPublisher({ chunkBytes: U }).publish(draft(file, size), k.token, k.pd, k.ctx);
    expect(await k.posts()).toMatchObject([{ id: r.remoteId, media: [{ bytes: size, sha256: await sha(file) }] }]);
    expect((await ytStats(k))['chunks']).toBe(Math.ceil(size / U));
  });

  it.each([C - 1, C, C + 1])('%i bytes in the default 64 MiB chunks', async (size) => {
    const k = await ytKit();
    const file = sparseVideo(size);
    const r = await createPublisher().publish(draft(file, size), k.token, k.pd, k.ctx);
    expect(await k.posts()).toMatchObject([{ id: r.remoteId, media: [{ bytes: size, sha256: await sha(file) }] }]);
    expect((await ytStats(k))['chunks']).toBe(Math.ceil(size / C));
  });

  it('1 GiB (sparse) in 16 chunks of 64 MiB, with the token expiring every 5 chunks', async () => {
    const k = await ytKit(false);
    await ytConfig(k, { expireTokenAfterChunks: 5 });
    const file = sparseVideo(GiB);
    const family = k.server.ctx.families.familyOf(k.token.accessToken)!;
    const tokens = { renew: async (t: typeof k.token) => ({ ...t, accessToken: k.server.ctx.families.issueAccess(family).accessToken }) };
    const r = await createPublisher().publish(draft(file, GiB), k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toMatchObject([{ id: r.remoteId, media: [{ bytes: GiB }] }]);
    expect(await ytStats(k)).toMatchObject({ sessions: 1, chunks: 16, tokenExpiries: 3 });
  }, 60_000);
});

/** Sends one raw request to the sandbox session (what a careless client would send). */
async function put(k: PubKit, session: string, range: string, body: Uint8Array<ArrayBuffer> | undefined, token = k.token.accessToken): Promise<Response> {
  return fetch(session, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-range': range, 'content-type': 'video/mp4' }, ...(body ? { body } : {}) });
}
async function openSession(k: PubKit, total: number): Promise<string> {
  const res = await fetch(`${k.origin}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`, {
    method: 'POST',
    headers: { authorization: `Bearer ${k.token.accessToken}`, 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-length': String(total), 'x-upload-content-type': 'video/mp4' },
    body: JSON.stringify({ snippet: { title: 't' }, status: { privacyStatus: 'private' } }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('location')!;
}

describe('the sandbox refuses the plans the guide refuses', () => {
  it('non-final chunks: multiples of 256 KiB, all the same size; noncontinuous blocks store nothing; 201 at the end', async () => {
    const k = await ytKit(false);
    const total = 4 * U + 10;
    const s = await openSession(k, total);
    const status = async () => {
      const r = await put(k, s, `bytes */${total}`, undefined);
      return [r.status, r.headers.get('range')];
    };
    expect(await status()).toEqual([308, null]);
    expect((await put(k, s, `bytes 0-${U - 2}/${total}`, new Uint8Array(U - 1))).status).toBe(400);
    expect((await put(k, s, `bytes 0-${U}/${total}`, new Uint8Array(U + 1))).status).toBe(400);
    expect((await put(k, s, `bytes 0-${2 * U - 1}/${total}`, new Uint8Array(2 * U))).status).toBe(308);
    expect(await status()).toEqual([308, `bytes=0-${2 * U - 1}`]);
    // A different non-final size than the first chunk.
    expect((await put(k, s, `bytes ${2 * U}-${3 * U - 1}/${total}`, new Uint8Array(U))).status).toBe(400);
    // Overlapping and skipping blocks: nothing stored.
    expect((await put(k, s, `bytes ${2 * U - 1}-${4 * U - 2}/${total}`, new Uint8Array(2 * U))).headers.get('range')).toBe(`bytes=0-${2 * U - 1}`);
    expect((await put(k, s, `bytes ${2 * U + 1}-${4 * U}/${total}`, new Uint8Array(2 * U))).headers.get('range')).toBe(`bytes=0-${2 * U - 1}`);
    const done = await put(k, s, `bytes ${2 * U}-${total - 1}/${total}`, new Uint8Array(2 * U + 10));
    expect(done.status).toBe(201);
    const video = (await done.json()) as { id: string };
    const again = await put(k, s, `bytes */${total}`, undefined);
    expect([again.status, ((await again.json()) as { id: string }).id]).toEqual([201, video.id]);
  });

  it('an expired access token gets 401 on chunks and status queries alike; an unknown session 404', async () => {
    const k = await ytKit(false);
    const s = await openSession(k, U);
    k.server.ctx.families.expire('alice', 'access');
    expect((await put(k, s, `bytes 0-${U - 1}/${U}`, new Uint8Array(U))).status).toBe(401);
    expect((await put(k, s, `bytes */${U}`, undefined)).status).toBe(401);
    expect((await put(k, s.replace(/upload_id=[^&]+/, 'upload_id=nope'), `bytes */${U}`, undefined)).status).toBe(404);
  });
});

describe('metadata limits (docs/platforms/youtube.md#metadata): validation and sandbox agree', () => {
  const emoji = '\u{1F600}';
  const titleTail = (n: number) => 'T'.repeat(n);
  const cases: [string, Partial<PostDraft>, string | undefined][] = [
    ['title 99 characters', { title: titleTail(99) }, undefined],
    ['title 100 characters (emoji count once)', { title: emoji.repeat(100) }, undefined],
    ['title 101 characters', { title: titleTail(101) }, 'invalidTitle'],
    ['title with <', { title: 'a <b' }, 'invalidTitle'],
    ['title with >', { title: 'a> b' }, 'invalidTitle'],
    ['description 4999 bytes', { text: 'a'.repeat(4999) }, undefined],
    ['description 5000 bytes (2-byte characters)', { text: '\u00e9'.repeat(2500) }, undefined],
    ['description 5001 bytes', { text: '\u00e9'.repeat(2500) + 'a' }, 'invalidDescription'],
    ['description with <', { text: 'x < y' }, 'invalidDescription'],
    ['one tag of 500', { options: { tags: 't'.repeat(500) } }, undefined],
    ['one tag of 501', { options: { tags: 't'.repeat(501) } }, 'invalidTags'],
    ['two tags, 499 + comma', { options: { tags: `${'a'.repeat(249)},${'b'.repeat(249)}` } }, undefined],
    ['two tags, 500 + comma', { options: { tags: `${'a'.repeat(250)},${'b'.repeat(250)}` } }, 'invalidTags'],
    ['a tag with a space counts its quotes: 498 + 2', { options: { tags: `${'a'.repeat(496)} b` } }, undefined],
    ['a tag with a space counts its quotes: 499 + 2', { options: { tags: `${'a'.repeat(497)} b` } }, 'invalidTags'],
    ['privacy public', { privacy: 'public' }, undefined],
    ['privacy private', { privacy: 'private' }, undefined],
    ['privacy Public (wrong case)', { privacy: 'Public' }, 'invalidVideoMetadata'],
  ];
  it.each(cases)('%s', async (_n, over, reason) => {
    const k = await ytKit(false);
    const file = tempMedia(1, 'mp4');
    const p = draft(file, 1, over);
    expect(validate(p).length > 0, JSON.stringify(validate(p))).toBe(reason !== undefined);
    const sent = createPublisher().publish(p, k.token, k.pd, k.ctx);
    if (reason) await expect(sent).rejects.toMatchObject({ errorClass: 'invalid_request', platformCode: reason });
    else await expect(sent).resolves.toMatchObject({ remoteId: expect.any(String) });
  });

  it('the video resource carries snippet (title, description, tags, categoryId) and status (privacyStatus, selfDeclaredMadeForKids)', () => {
    const p = draft('/v.mp4', 1, { options: { tags: ' a , b c ,', categoryId: '22', madeForKids: 'true' } });
    expect(videoResource(p)).toEqual({ snippet: { title: 'My video', description: 'desc', tags: ['a', 'b c'], categoryId: '22' }, status: { privacyStatus: 'unlisted', selfDeclaredMadeForKids: true } });
    expect(validate(draft('/v.mp4', 1, { options: { madeForKids: 'yes', categoryId: 'music' } })).map((i) => i.field)).toEqual(['madeForKids', 'categoryId']);
  });

  it('file size: 256 GiB is accepted, one byte more and an empty file are refused', () => {
    expect(validate(draft('/v.mp4', LIMITS.fileBytes))).toEqual([]);
    expect(validate(draft('/v.mp4', LIMITS.fileBytes + 1)).map((i) => i.field)).toEqual(['media[0]']);
    expect(validate(draft('/v.mp4', 0)).map((i) => i.field)).toEqual(['media[0]']);
    expect(validate({ text: '', media: [], options: {}, privacy: 'secret' }).map((i) => i.field)).toEqual(['media', 'title', 'privacy']);
  });
});

describe('caps (docs/platforms/youtube.md#errors)', () => {
  it("the channel's upload cap is uploadLimitExceeded: rate limited, retried after 24 hours", async () => {
    const k = await ytKit(false);
    await k.config({ dailyLimit: 0 });
    const file = tempMedia(1, 'mp4');
    await expect(createPublisher().publish(draft(file, 1), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'rate_limited', platformCode: 'uploadLimitExceeded', retryAfterMs: DAY });
  });

  it("the project's videos.insert quota is quotaExceeded: rate limited (the engine waits for midnight Pacific)", async () => {
    const k = await ytKit(false);
    await ytConfig(k, { insertQuota: 1 });
    const file = tempMedia(1, 'mp4');
    await createPublisher().publish(draft(file, 1), k.token, k.pd, k.ctx);
    await expect(createPublisher().publish(draft(file, 1), k.token, k.pd, { ...k.ctx, checkpoint: {} })).rejects.toMatchObject({ errorClass: 'rate_limited', platformCode: 'quotaExceeded', status: 403 });
  });
});
