/**
 * X chunked media upload at its boundaries (docs/platforms/x.md#segments, #media-limits):
 * 1 byte, just under/at/over one 4 MiB segment, exact multiples, each category's maximum
 * (image 5 MiB, GIF 15 MiB: published at the limit, refused one byte over; video 16 GiB
 * checked by validation and at INIT). The sandbox refuses a segment over 5 MiB, a file over
 * its category's limit and a FINALIZE with bytes missing, as X does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as xRoutes from '../../src/sandbox/x-publish.js';
import { publisher as x } from '../../src/providers/x-publish.js';
import { SEGMENT_BYTES } from '../../src/providers/x-upload.js';
import { multipart } from '../../src/providers/upload.js';
import type { MediaRef, PostDraft } from '../../src/providers/types.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';

const MiB = 1024 * 1024;
let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const file = (size: number, mime: string, ext: string): MediaRef => ({ kind: 'file', path: tempMedia(size, ext), mime, size });
const draft = (m: MediaRef): PostDraft => ({ text: `media ${m.size}`, media: [m], options: {} });
/** Segment sizes the sandbox received, per upload. */
const segmentPlans = (k: PubKit) =>
  [...(k.server.ctx.data.get('publish') as { uploads: Map<string, { segments: Map<number, number> }> }).uploads.values()].map((u) => [...u.segments.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n));

describe('X chunked upload boundaries (published once each)', () => {
  it.each([
    ['1 byte', 1, [1]],
    ['one byte under a segment', SEGMENT_BYTES - 1, [SEGMENT_BYTES - 1]],
    ['exactly one segment', SEGMENT_BYTES, [SEGMENT_BYTES]],
    ['one byte over a segment', SEGMENT_BYTES + 1, [SEGMENT_BYTES, 1]],
    ['exactly two segments', 2 * SEGMENT_BYTES, [SEGMENT_BYTES, SEGMENT_BYTES]],
    ['exactly three segments', 3 * SEGMENT_BYTES, [SEGMENT_BYTES, SEGMENT_BYTES, SEGMENT_BYTES]],
  ])('video of %s', async (_n, size, plan) => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    const r = await x.publish(draft(file(size, 'video/mp4', 'mp4')), kit.token, kit.pd, kit.ctx);
    expect(segmentPlans(kit)).toEqual([plan]);
    expect(await kit.posts()).toEqual([expect.objectContaining({ id: r.remoteId, media: [{ bytes: size }] })]);
  });

  it.each([
    ['image', 'image/png', 'png', 5 * MiB],
    ['GIF', 'image/gif', 'gif', 15 * MiB],
  ])('%s at its maximum is published; one byte over is refused before upload', async (_n, mime, ext, max) => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    const at = file(max, mime, ext);
    expect(x.validate(draft(at))).toEqual([]);
    await x.publish(draft(at), kit.token, kit.pd, kit.ctx);
    expect(await kit.posts()).toHaveLength(1);
    const over = { ...at, size: max + 1 };
    expect(x.validate(draft(over))).toEqual([{ field: 'media[0]', message: expect.stringContaining(`X limit is ${max / MiB}.0 MB`) }]);
  });

  it('video: 16 GiB (what initialize accepts) passes validation, 16 GiB + 1 does not; post-video durations are the probe\'s (media-check)', () => {
    const v = (size: number, durationSec?: number): PostDraft => ({ text: 'v', media: [{ kind: 'file', path: '/v.mp4', mime: 'video/mp4', size, ...(durationSec !== undefined ? { durationSec } : {}) }], options: {} });
    expect(x.validate(v(16 * 1024 * MiB))).toEqual([]);
    expect(x.validate(v(16 * 1024 * MiB + 1))).toHaveLength(1);
    // 141 s was the DM-video cap; a post video may run 20 minutes (docs/platforms/media-limits.md#x).
    expect(x.validate(v(1000, 141))).toEqual([]);
  });

  it('media combinations: 4 images yes, 5 no, a GIF or a video only alone', () => {
    const img = file(10, 'image/png', 'png');
    const gif = file(10, 'image/gif', 'gif');
    const d = (media: MediaRef[]): PostDraft => ({ text: 't', media, options: {} });
    expect(x.validate(d([img, img, img, img]))).toEqual([]);
    expect(x.validate(d([img, img, img, img, img]))).toEqual([expect.objectContaining({ message: 'X allows at most 4 images per post' })]);
    expect(x.validate(d([gif, img]))).toEqual([expect.objectContaining({ message: expect.stringContaining('one video or one GIF') })]);
  });
});

describe('the X sandbox refuses what X refuses', () => {
  const call = (path: string, init: RequestInit) => fetch(`${kit!.origin}${path}`, { ...init, headers: { authorization: `Bearer ${kit!.token.accessToken}`, ...(init.headers ?? {}) } });
  const init = (media_category: string, media_type: string, total_bytes: number) =>
    call('/2/media/upload/initialize', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ media_category, media_type, total_bytes }) });
  const appendSeg = (id: string, index: number, bytes: number) => {
    const mp = multipart([['segment_index', String(index)], ['media', { data: Buffer.alloc(bytes), filename: 'blob' }]], 'b0und');
    return call(`/2/media/upload/${id}/append`, { method: 'POST', headers: { 'content-type': mp.contentType }, body: new Uint8Array(mp.body) });
  };

  it('INIT: each category at its maximum is accepted, one byte over is refused', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    for (const [cat, type, max] of [['tweet_image', 'image/jpeg', 5 * MiB], ['tweet_gif', 'image/gif', 15 * MiB], ['tweet_video', 'video/mp4', 16 * 1024 * MiB]] as const) {
      expect((await init(cat, type, max)).status, cat).toBe(200);
      const over = await init(cat, type, max + 1);
      expect(over.status, cat).toBe(400);
      expect(await over.json()).toMatchObject({ detail: `File size exceeds ${max} bytes.` });
    }
    expect((await init('tweet_image', 'video/mp4', 10)).status).toBe(400);
  });

  it('APPEND: a 5 MiB segment is accepted, 5 MiB + 1 refused; FINALIZE with bytes missing refused', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    const id = ((await (await init('tweet_video', 'video/mp4', 10 * MiB + 1)).json()) as { data: { id: string } }).data.id;
    const ok = await appendSeg(id, 0, 5 * MiB);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ data: { expires_at: expect.any(Number) } });
    const big = await appendSeg(id, 1, 5 * MiB + 1);
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ detail: `Segment size exceeds ${5 * MiB} bytes.` });
    expect((await appendSeg(id, 1000, 1)).status).toBe(400);
    const fin = await call(`/2/media/upload/${id}/finalize`, { method: 'POST' });
    expect(fin.status).toBe(400);
  });
});
