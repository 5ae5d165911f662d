import { afterEach, describe, expect, it } from 'vitest';
import * as routes from '../../src/sandbox/linkedin-publish.js';
import { publisher as li } from '../../src/providers/linkedin-publish.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('LinkedIn publisher against the sandbox', () => {
  it('video: init, parts with ETags in order, finalize, status poll, post URN from x-restli-id', async () => {
    kit = await startPubKit('linkedin', routes, ['www', 'api']);
    await kit.config({ processingPolls: 2 });
    const size = 9 * 1024 * 1024 + 5;
    const r = await li.publish({ text: 'li video', media: [{ kind: 'file', path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} }, kit.token, kit.pd, kit.ctx);
    expect(r.remoteId).toMatch(/^urn:li:share:/);
    expect(r.url).toBe(`https://www.linkedin.com/feed/update/${r.remoteId}`);
    expect(await kit.posts()).toMatchObject([{ text: 'li video', kind: 'video', media: [{ bytes: size }] }]);
  });

  it('image post; a lost answer is reconciled from the author finder', async () => {
    kit = await startPubKit('linkedin', routes, ['www', 'api']);
    await kit.config({ dropAfterCommit: { path: '/rest/posts' } });
    const draft = { text: 'li image', media: [{ kind: 'file' as const, path: tempMedia(50_000, 'jpg'), mime: 'image/jpeg', size: 50_000 }], options: {} };
    await expect(li.publish(draft, kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    const rec = await li.reconcile(draft, kit.token, kit.pd, kit.ctx);
    expect(rec).toMatchObject({ status: 'published', result: { remoteId: expect.stringMatching(/^urn:li:share:/) } });
    expect(await kit.posts()).toHaveLength(1);
  });

  it('an inactive LinkedIn-Version is a clear invalid_request (426), not a reconnect', async () => {
    kit = await startPubKit('linkedin', routes, ['www', 'api']);
    await expect(li.publish({ text: 'x', media: [], options: {} }, kit.token, { ...kit.pd, apiVersion: '202401' }, kit.ctx)).rejects.toMatchObject({ status: 426 });
  });
});
