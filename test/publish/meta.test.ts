import { afterEach, describe, expect, it } from 'vitest';
import * as fbRoutes from '../../src/sandbox/facebook-publish.js';
import * as fbMain from '../../src/sandbox/facebook.js';
import * as igRoutes from '../../src/sandbox/instagram-publish.js';
import { publisher as fb } from '../../src/providers/facebook-publish.js';
import { publisher as ig } from '../../src/providers/instagram-publish.js';
import { startFacebookKit, startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const fbKit = () => startFacebookKit(fbRoutes, fbMain.createRoutes);

describe('Facebook Page publisher against the sandbox', () => {
  it('text to the feed; a local video through the Resumable Upload API and a file handle', async () => {
    kit = await fbKit();
    const t = await fb.publish({ text: 'fb text', media: [], options: {} }, kit.token, kit.pd, kit.ctx);
    expect(t.remoteId).toMatch(/_/);
    const size = 9 * 1024 * 1024 + 1;
    kit.ctx.checkpoint = {};
    const v = await fb.publish({ text: 'fb video', title: 'T', media: [{ kind: 'file', path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} }, kit.token, kit.pd, kit.ctx);
    expect(v.url).toContain('/videos/');
    expect(await kit.posts()).toMatchObject([{ text: 'fb text' }, { text: 'fb video', media: [{ bytes: size }] }]);
  });

  it('a lost answer is found in the Page feed instead of posting twice', async () => {
    kit = await fbKit();
    await kit.config({ dropAfterCommit: { path: '/v25.0/*' } });
    const draft = { text: 'fb once', media: [{ kind: 'file' as const, path: tempMedia(30_000, 'jpg'), mime: 'image/jpeg', size: 30_000 }], options: {} };
    await expect(fb.publish(draft, kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    expect((await fb.reconcile(draft, kit.token, kit.pd, kit.ctx)).status).toBe('published');
    expect(await kit.posts()).toHaveLength(1);
  });
});

describe('Instagram publisher against the sandbox', () => {
  it('an image by public URL: container -> media_publish -> permalink', async () => {
    kit = await startPubKit('instagram', igRoutes, ['www', 'api', 'graph']);
    const draft = { text: 'ig pic', media: [{ kind: 'url' as const, url: 'https://cdn.example.com/p.jpg', mime: 'image/jpeg' }], options: {} };
    expect(ig.validate(draft)).toEqual([]);
    expect(ig.validate({ ...draft, media: [{ kind: 'file', path: '/tmp/p.jpg', mime: 'image/jpeg', size: 10 }] }).map((i) => i.message)).toEqual([expect.stringMatching(/public URL/)]);
    const r = await ig.publish(draft, kit.token, kit.pd, kit.ctx);
    expect(r.url).toMatch(/^https:\/\/www\.instagram\.com\/p\//);
  });

  it('a local reel by resumable upload, slow processing; a crash after media_publish reconciles as published', async () => {
    kit = await startPubKit('instagram', igRoutes, ['www', 'api', 'graph']);
    await kit.config({ processingPolls: 3, dropAfterCommit: { path: '/v25.0/*' } });
    const size = 2 * 1024 * 1024;
    const draft = { text: 'ig reel', media: [{ kind: 'file' as const, path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} };
    expect((await ig.reconcile(draft, kit.token, kit.pd, kit.ctx)).status).toBe('not_posted');
    await expect(ig.publish(draft, kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    const rec = await ig.reconcile(draft, kit.token, kit.pd, kit.ctx);
    expect(rec.status).toBe('published');
    expect(await kit.posts()).toMatchObject([{ text: 'ig reel', media: [{ bytes: size }] }]);
  });
});
