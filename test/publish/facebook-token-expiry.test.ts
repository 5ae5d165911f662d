/**
 * A Facebook Page video whose User token expires during the Resumable Upload
 * (docs/platforms/facebook.md#token-expiry): the sandbox cuts the upload each time N more bytes were
 * stored and expires the User token that sent them (Page tokens live on). The publisher asks for the
 * offset, meets code 190, renews the token through the publish's TokenSource, asks again and sends
 * the rest; the handle is published once with the Page token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fbRoutes from '../../src/sandbox/facebook-publish.js';
import * as fbMain from '../../src/sandbox/facebook.js';
import { publisher as fb } from '../../src/providers/facebook-publish.js';
import type { PostDraft } from '../../src/providers/types.js';
import { deadTokens, failingTokens, sandboxTokens, sha, startFacebookKit, tempMedia, type PubKit } from './kit.js';

const MiB = 1024 * 1024;
let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function fbKit(expireTokenAfterBytes: number): Promise<PubKit> {
  kit = await startFacebookKit(fbRoutes, fbMain.createRoutes);
  await kit.config({ hashUploads: true });
  const res = await fetch(`${kit.origin}/__facebook/v1/upload-config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expireTokenAfterBytes }) });
  expect(res.status).toBe(200);
  return kit;
}
const fbStats = async (k: PubKit) => (await (await fetch(`${k.origin}/__facebook/v1/upload-stats`)).json()) as Record<string, number>;
const video = (size: number, text = 'long video'): PostDraft => ({ text, title: 'T', media: [{ kind: 'file', path: tempMedia(size, 'mp4', true), mime: 'video/mp4', size }], options: {} });

describe('Facebook: a User token that expires during the resumable upload', () => {
  it('cut and expired after every MiB: renewed, resumed at the server offset each time; one video, every byte', async () => {
    const k = await fbKit(MiB);
    const size = 3 * MiB + 7;
    const d = video(size);
    const tokens = sandboxTokens(k);
    const r = await fb.publish(d, k.token, k.pd, { ...k.ctx, tokens });
    expect(await k.posts()).toEqual([expect.objectContaining({ id: r.remoteId, text: 'long video', kind: 'video', media: [{ bytes: size, sha256: await sha(d.media[0]!.path!) }] })]);
    expect(tokens.calls).toHaveLength(3);
    expect(new Set(tokens.calls.map((t) => t.accessToken)).size).toBe(3);
    expect(await fbStats(k)).toEqual({ interruptions: 3, tokenExpiries: 3 });
    // The Page token was never touched: the video was published with it.
    expect(tokens.calls.every((t) => t.extra?.pageAccessToken === k.token.extra?.pageAccessToken)).toBe(true);
  });

  it('without a token source the cut upload cannot finish: reconnect_needed from the offset query (code 190), no video', async () => {
    const k = await fbKit(MiB);
    // The upload code before this rule did not even resume: the cut connection ended the attempt.
    await expect(fb.publish(video(2 * MiB), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'reconnect_needed', platformCode: expect.stringMatching(/^190/) });
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewal that cannot give a new token (Meta has no refresh for it) is a reconnect, asked once, no loop', async () => {
    const k = await fbKit(MiB);
    const dead = deadTokens();
    await expect(fb.publish(video(2 * MiB), k.token, k.pd, { ...k.ctx, tokens: dead })).rejects.toMatchObject({ errorClass: 'reconnect_needed', platformCode: expect.stringMatching(/^190/) });
    expect(dead.calls).toHaveLength(1);
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewal that fails ends the publish with that error, once', async () => {
    const k = await fbKit(MiB);
    const failing = failingTokens('facebook: the User token expired; log in again');
    await expect(fb.publish(video(2 * MiB), k.token, k.pd, { ...k.ctx, tokens: failing })).rejects.toThrow(/log in again/);
    expect(failing.calls).toBe(1);
    expect(await k.posts()).toHaveLength(0);
  });
});
