/**
 * X media upload whose access token expires part-way (docs/platforms/x.md#token-expiry): the
 * sandbox expires the account's access tokens after every N stored segments, and an APPEND with the
 * expired token answers 401 and stores nothing. The publisher renews the token through the publish's
 * TokenSource, sends the refused segment again, and goes on with the next.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as xRoutes from '../../src/sandbox/x-publish.js';
import { publisher as x } from '../../src/providers/x-publish.js';
import { SEGMENT_BYTES } from '../../src/providers/x-upload.js';
import type { MediaRef, PostDraft } from '../../src/providers/types.js';
import { deadTokens, failingTokens, sandboxTokens, sha, startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function xKit(expireTokenAfterSegments: number): Promise<PubKit> {
  kit = await startPubKit('x', xRoutes, ['x', 'api']);
  await kit.config({ hashUploads: true });
  const res = await fetch(`${kit.origin}/__publish/v1/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expireTokenAfterSegments }) });
  expect(res.status).toBe(200);
  return kit;
}
const xStats = async (k: PubKit) => (await (await fetch(`${k.origin}/__publish/v1/x`)).json()) as Record<string, number>;
const video = (size: number): MediaRef => ({ kind: 'file', path: tempMedia(size, 'mp4', true), mime: 'video/mp4', size });
const draft = (m: MediaRef, text = 'long video'): PostDraft => ({ text, media: [m], options: {} });

describe('X: an access token that expires during the chunked upload', () => {
  it('dies after every segment: each refused segment is sent again with a renewed token; one post, every byte', async () => {
    const k = await xKit(1);
    const size = 3 * SEGMENT_BYTES + 1;
    const m = video(size);
    const tokens = sandboxTokens(k);
    const r = await x.publish(draft(m), k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toEqual([expect.objectContaining({ id: r.remoteId, text: 'long video', media: [{ bytes: size, sha256: await sha(m.path!) }] })]);
    // Segments 1, 2 and 3 each met a dead token, and so did FINALIZE after the last one.
    expect(tokens.calls).toHaveLength(4);
    expect(new Set(tokens.calls.map((t) => t.accessToken)).size).toBe(4);
    expect(await xStats(k)).toEqual({ segments: 4, rejectedAppends: 3, tokenExpiries: 4 });
  });

  it('dies after every 2nd segment of a GIF: renewed twice (segment 2, FINALIZE); published once', async () => {
    const k = await xKit(2);
    const size = 3 * SEGMENT_BYTES + 5;
    const m: MediaRef = { kind: 'file', path: tempMedia(size, 'gif', true), mime: 'image/gif', size };
    const tokens = sandboxTokens(k);
    await x.publish(draft(m, 'gif'), k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toEqual([expect.objectContaining({ media: [{ bytes: size, sha256: await sha(m.path!) }] })]);
    expect(tokens.calls).toHaveLength(2);
    expect((await xStats(k))['rejectedAppends']).toBe(1);
  });

  it('without a token source (what the upload did before) the same upload stops at segment 1: reconnect_needed, no post', async () => {
    const k = await xKit(1);
    await expect(x.publish(draft(video(2 * SEGMENT_BYTES)), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'reconnect_needed', status: 401 });
    expect(await k.posts()).toHaveLength(0);
    expect(await xStats(k)).toMatchObject({ segments: 1, rejectedAppends: 1 });
  });

  it('a renewed token that X refuses too is a real reconnect: renewed once, no loop, no post', async () => {
    const k = await xKit(1);
    const dead = deadTokens();
    await expect(x.publish(draft(video(3 * SEGMENT_BYTES)), k.token, k.pd, { ...k.ctx, tokens: dead })).rejects.toMatchObject({ errorClass: 'reconnect_needed' });
    expect(dead.calls).toHaveLength(1);
    expect(await xStats(k)).toMatchObject({ segments: 1, rejectedAppends: 2 });
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewal that fails (refresh token revoked) ends the publish with that error, once', async () => {
    const k = await xKit(1);
    const revoked = failingTokens('x: token refresh failed: Value passed for the token was invalid. (invalid_request)');
    await expect(x.publish(draft(video(2 * SEGMENT_BYTES)), k.token, k.pd, { ...k.ctx, tokens: revoked })).rejects.toThrow(/token refresh failed/);
    expect(revoked.calls).toBe(1);
    expect(await k.posts()).toHaveLength(0);
  });
});
