/**
 * Facebook Page videos from a local file (docs/platforms/facebook.md#video): the Resumable Upload API
 * (session -> bytes at file_offset -> handle) and the handle published on the Page, at the boundaries;
 * the sandbox refuses the undocumented upload_phase flow and offsets that do not match its copy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fbRoutes from '../../src/sandbox/facebook-publish.js';
import * as fbMain from '../../src/sandbox/facebook.js';
import { publisher as fb, validate } from '../../src/providers/facebook-publish.js';
import { startFacebookKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const fbKit = () => startFacebookKit(fbRoutes, fbMain.createRoutes);

const MiB = 1024 * 1024;
const video = (size: number, text = `video ${size}`) => ({ text, title: 'T', media: [{ kind: 'file' as const, path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} });

describe('Facebook local video: Resumable Upload API + file handle', () => {
  // 1 byte; around the old 4 MiB chunk and its multiples (the API has no chunk size: one request sends the rest).
  it.each([1, 2, 4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 8 * MiB, 9 * MiB + 1])('%i bytes: published once with every byte', async (size) => {
    kit = await fbKit();
    const r = await fb.publish(video(size), kit.token, kit.pd, kit.ctx);
    expect(r.url).toContain(`/videos/${r.remoteId}`);
    expect(await kit.posts()).toMatchObject([{ text: `video ${size}`, kind: 'video', media: [{ bytes: size }] }]);
    expect(kit.ctx.checkpoint.uploadSession).toMatch(/^upload:/);
    expect(kit.ctx.checkpoint.videoHandle).toBeTruthy();
  });

  it('an interrupted upload resumes at the offset the server reports, sending only the rest', async () => {
    kit = await fbKit();
    const size = 3 * MiB + 5;
    const d = video(size, 'resumed');
    const start = await fetch(`${kit.origin}/v25.0/app/uploads?file_name=v.mp4&file_length=${size}&file_type=video/mp4`, { method: 'POST', headers: { authorization: `OAuth ${kit.token.accessToken}` } });
    const session = ((await start.json()) as { id: string }).id;
    const first = await fetch(`${kit.origin}/v25.0/${session}`, { method: 'POST', headers: { authorization: `OAuth ${kit.token.accessToken}`, file_offset: '0' }, body: new Uint8Array(MiB) });
    expect(first.status).toBe(400); // incomplete: the server keeps what it got
    kit.ctx.checkpoint = { uploadSession: session };
    await fb.publish(d, kit.token, kit.pd, kit.ctx);
    expect(await kit.posts()).toMatchObject([{ text: 'resumed', media: [{ bytes: size }] }]);
    const stats = (await (await fetch(`${kit.origin}/__sandbox/v1/stats`)).json().catch(() => ({}))) as { uploadedBytes?: number };
    if (stats.uploadedBytes !== undefined) expect(stats.uploadedBytes).toBe(size);
  });

  it('the sandbox refuses the undocumented upload_phase flow, wrong offsets, too many bytes and Page tokens on the upload API', async () => {
    kit = await fbKit();
    const page = kit.token.extra!.pageId!;
    const pageToken = kit.token.extra!.pageAccessToken!;
    const old = await fetch(`${kit.origin}/v25.0/${page}/videos`, { method: 'POST', headers: { authorization: `Bearer ${pageToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'upload_phase=start&file_size=10' });
    expect(old.status).toBe(400);
    expect(JSON.stringify(await old.json())).toMatch(/upload_phase is not supported/);
    const start = (t: string, length: number, type = 'video/mp4') => fetch(`${kit!.origin}/v25.0/app/uploads?file_name=v.mp4&file_length=${length}&file_type=${type}`, { method: 'POST', headers: { authorization: `OAuth ${t}` } });
    expect((await start(pageToken, 10)).status).toBe(400);
    expect((await start(kit.token.accessToken, 0)).status).toBe(400);
    expect((await start(kit.token.accessToken, 10, 'video/quicktime')).status).toBe(400);
    const session = ((await (await start(kit.token.accessToken, 10)).json()) as { id: string }).id;
    const send = (offset: number, n: number) => fetch(`${kit!.origin}/v25.0/${session}`, { method: 'POST', headers: { authorization: `OAuth ${kit!.token.accessToken}`, file_offset: String(offset) }, body: new Uint8Array(n) });
    expect((await send(3, 7)).status).toBe(400); // not where the server's copy ends
    expect((await send(0, 11)).status).toBe(400); // past file_length
    const ok = await send(0, 10);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { h?: string }).h).toBeTruthy();
  });

  it('local videos must be MP4 (the only video file_type the upload API takes); others go by URL', () => {
    const mov = { text: 'x', media: [{ kind: 'file' as const, path: '/tmp/v.mov', mime: 'video/quicktime', size: 10 }], options: {} };
    expect(validate(mov).map((i) => i.message)).toEqual([expect.stringMatching(/MP4 only/)]);
    expect(validate({ ...mov, media: [{ kind: 'url', url: 'https://cdn.example.com/v.mov', mime: 'video/quicktime' }] })).toEqual([]);
  });
});

describe('Facebook after the user token expired (docs/platforms/facebook.md#tokens)', () => {
  it('a local video needs a reconnect (token_expired, no upload call), a text post still goes out with the Page token', async () => {
    kit = await fbKit();
    const t = { ...kit.token, expiresAt: kit.pd.clock.now() - 1000 };
    const e = (await fb.publish(video(10, 'late video'), t, kit.pd, kit.ctx).catch((x: unknown) => x)) as { errorClass?: string; reason?: string; message?: string };
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason: 'token_expired' });
    expect(e.message).toMatch(/local video uploads need the Facebook user token, which expired on .*; text, photo and link posts still work/);
    expect(kit.ctx.checkpoint.uploadSession).toBeUndefined();
    const r = await fb.publish({ text: 'late text', media: [], options: {} }, t, kit.pd, { ...kit.ctx, checkpoint: {} });
    expect(r.remoteId).toBeTruthy();
    expect(await kit.posts()).toMatchObject([{ text: 'late text', kind: 'text' }]);
  });
});
