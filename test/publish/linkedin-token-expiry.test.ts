/**
 * LinkedIn uploads whose access token expires part-way (docs/platforms/linkedin.md#token-expiry):
 * the sandbox expires the member's access tokens after every N stored parts. Video part URLs are
 * pre-signed, so the parts go on regardless; finalizeUpload, the status checks and the post itself
 * carry the token and are renewed once through the publish's TokenSource. An image upload URL takes
 * the token, so a refused image PUT is sent again with the renewed one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as routes from '../../src/sandbox/linkedin-publish.js';
import { publisher as li } from '../../src/providers/linkedin-publish.js';
import { chunkRanges } from '../../src/providers/upload.js';
import type { MediaRef, PostDraft } from '../../src/providers/types.js';
import { deadTokens, failingTokens, sandboxTokens, startPubKit, tempMedia, type PubKit } from './kit.js';

const PART = 4_194_304;
let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function liKit(expireTokenAfterParts: number): Promise<PubKit> {
  kit = await startPubKit('linkedin', routes, ['www', 'api']);
  const res = await fetch(`${kit.origin}/__linkedin/v1/upload-config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expireTokenAfterParts }) });
  expect(res.status).toBe(200);
  return kit;
}
const liStats = async (k: PubKit) => (await (await fetch(`${k.origin}/__linkedin/v1/upload-stats`)).json()) as Record<string, number>;
const media = (size: number, mime: string, ext: string): MediaRef => ({ kind: 'file', path: tempMedia(size, ext, true), mime, size });
const draft = (m: MediaRef, text = 'long video'): PostDraft => ({ text, media: [m], options: {} });

/** The ETag (MD5) of each 4 MiB range of the file, as LinkedIn's part URLs answer them. */
const partMd5s = (path: string, size: number) => {
  const bytes = readFileSync(path);
  return chunkRanges(size, PART).map(([s, e]) => `"${createHash('md5').update(bytes.subarray(s, e + 1)).digest('hex')}"`);
};
const storedEtags = (k: PubKit) =>
  [...(k.server.ctx.data.get('publish') as { uploads: Map<string, { kind: string; parts: { etag?: string }[] }> }).uploads.values()].filter((a) => a.kind === 'video').map((a) => a.parts.map((p) => p.etag));

describe('LinkedIn: an access token that expires during the upload', () => {
  it('video: the token dies after the first part; the pre-signed parts go on, finalize renews it; one post, every part', async () => {
    const k = await liKit(1);
    const size = 2 * PART + 5;
    const m = media(size, 'video/mp4', 'mp4');
    const tokens = sandboxTokens(k);
    const r = await li.publish(draft(m), k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toEqual([expect.objectContaining({ id: r.remoteId, text: 'long video', media: [{ bytes: size }] })]);
    expect(storedEtags(k)).toEqual([partMd5s(m.path!, size)]);
    // The token died after each part, but parts 2 and 3 need none: only finalize met it, one renewal.
    expect(tokens.calls).toHaveLength(1);
    expect(await liStats(k)).toEqual({ parts: 3, tokenExpiries: 3 });
  });

  it('image: the token dies once the image is stored; the post renews it and is created once', async () => {
    const k = await liKit(1);
    const m = media(300_000, 'image/png', 'png');
    const tokens = sandboxTokens(k);
    await li.publish(draft(m, 'a picture'), k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toEqual([expect.objectContaining({ text: 'a picture', kind: 'image', media: [{ bytes: 300_000 }] })]);
    expect(tokens.calls).toHaveLength(1);
  });

  it('without a token source (what the upload did before) finalize fails: reconnect_needed, no post', async () => {
    const k = await liKit(1);
    await expect(li.publish(draft(media(PART + 1, 'video/mp4', 'mp4')), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'reconnect_needed', status: 401 });
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewed token that LinkedIn refuses too is a real reconnect: renewed once, no loop', async () => {
    const k = await liKit(1);
    const dead = deadTokens();
    await expect(li.publish(draft(media(PART + 1, 'video/mp4', 'mp4')), k.token, k.pd, { ...k.ctx, tokens: dead })).rejects.toMatchObject({ errorClass: 'reconnect_needed' });
    expect(dead.calls).toHaveLength(1);
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewal that fails (no programmatic refresh) ends the publish with that error, once', async () => {
    const k = await liKit(1);
    const none = failingTokens('linkedin: this connection has no refresh token; log in again');
    await expect(li.publish(draft(media(PART + 1, 'video/mp4', 'mp4')), k.token, k.pd, { ...k.ctx, tokens: none })).rejects.toThrow(/no refresh token/);
    expect(none.calls).toBe(1);
    expect(await k.posts()).toHaveLength(0);
  });
});
