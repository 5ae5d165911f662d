/**
 * An Instagram Reel whose token expires while it goes up (docs/platforms/instagram.md#token-expiry):
 * the sandbox stores the resumable upload, then expires the token that sent it (Meta checks a token
 * when a request starts). The container status check meets code 190; the publisher renews the token
 * once through the publish's TokenSource and goes on: one Reel, every byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as igRoutes from '../../src/sandbox/instagram-publish.js';
import { createPublisher } from '../../src/providers/instagram-publish.js';
import type { PostDraft } from '../../src/providers/types.js';
import { deadTokens, failingTokens, sandboxTokens, sha, startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function igKit(expireTokenAfterUploads: number): Promise<PubKit> {
  kit = await startPubKit('instagram', igRoutes, ['www', 'api', 'graph']);
  await kit.config({ hashUploads: true });
  const res = await fetch(`${kit.origin}/__instagram/v1/upload-config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expireTokenAfterUploads }) });
  expect(res.status).toBe(200);
  return kit;
}
const igStats = async (k: PubKit) => (await (await fetch(`${k.origin}/__instagram/v1/upload-stats`)).json()) as Record<string, number>;
const reel = (size: number, text = 'long reel'): PostDraft => ({ text, media: [{ kind: 'file', path: tempMedia(size, 'mp4', true), mime: 'video/mp4', size }], options: {} });
const ig = createPublisher();

describe('Instagram: a token that expires while a Reel goes up', () => {
  it('the token dies with the upload: the status check renews it; one Reel, every byte', async () => {
    const k = await igKit(1);
    const size = 2 * 1024 * 1024 + 3;
    const d = reel(size);
    const tokens = sandboxTokens(k);
    const r = await ig.publish(d, k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toEqual([expect.objectContaining({ id: r.remoteId, text: 'long reel', media: [{ bytes: size, sha256: await sha(d.media[0]!.path!) }] })]);
    expect(tokens.calls).toHaveLength(1);
    expect(await igStats(k)).toEqual({ uploads: 1, tokenExpiries: 1 });
  });

  it('without a token source (what the publisher did before) the status check fails: reconnect_needed (190), no Reel', async () => {
    const k = await igKit(1);
    await expect(ig.publish(reel(4096), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'reconnect_needed', platformCode: expect.stringMatching(/^190/) });
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewed token that Meta refuses too is a real reconnect: renewed once, no loop', async () => {
    const k = await igKit(1);
    const dead = deadTokens();
    await expect(ig.publish(reel(4096), k.token, k.pd, { ...k.ctx, tokens: dead })).rejects.toMatchObject({ errorClass: 'reconnect_needed' });
    expect(dead.calls).toHaveLength(1);
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewal that fails (the 60-day token cannot be refreshed once expired) ends the publish with that error, once', async () => {
    const k = await igKit(1);
    const failing = failingTokens('instagram: token refresh failed: Session has expired (190)');
    await expect(ig.publish(reel(4096), k.token, k.pd, { ...k.ctx, tokens: failing })).rejects.toThrow(/Session has expired/);
    expect(failing.calls).toBe(1);
    expect(await k.posts()).toHaveLength(0);
  });
});
