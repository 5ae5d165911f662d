import { afterEach, describe, expect, it } from 'vitest';
import * as routes from '../../src/sandbox/tiktok-publish.js';
import { publisher as tt, chunkPlan } from '../../src/providers/tiktok-publish.js';
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
    expect(await kit.posts()).toMatchObject([{ text: 'tiktok caption', media: [{ bytes: size }] }]);
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
