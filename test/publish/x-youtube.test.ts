import { afterEach, describe, expect, it } from 'vitest';
import * as xRoutes from '../../src/sandbox/x-publish.js';
import { publisher as x } from '../../src/providers/x-publish.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';
import { checkDraftMedia } from '../../src/publish/media-check.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('X publisher against the sandbox', () => {
  it('posts text with an image through chunked upload and records the post id', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    const img = tempMedia(6 * 1024 * 1024 - 10, 'png');
    const draft = { text: 'hello x', media: [{ kind: 'file' as const, path: img, mime: 'image/png', size: 6 * 1024 * 1024 - 10 }], options: {} };
    expect(x.validate(draft).map((i) => i.message)).toEqual([expect.stringMatching(/X limit is 5.0 MB/)]);
    expect(checkDraftMedia('x', draft).map((i) => i.message)).toEqual([expect.stringMatching(/X's maximum is 5 MB/)]);
    const ok = { ...draft, media: [{ ...draft.media[0]!, size: 100_000 }] };
    const small = tempMedia(100_000, 'png');
    ok.media[0]!.path = small;
    expect([...x.validate(ok), ...checkDraftMedia('x', ok)]).toEqual([]);
    const r = await x.publish(ok, kit.token, kit.pd, kit.ctx);
    expect(r.url).toBe(`https://x.com/i/web/status/${r.remoteId}`);
    const posts = await kit.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ id: r.remoteId, text: 'hello x', media: [{ bytes: 100_000 }] });
    expect(kit.ctx.saved.some((c) => c.sent)).toBe(true);
  });

  it('a dropped answer after the post was created is reconciled as published, not re-sent', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    await kit.config({ dropAfterCommit: { path: '/2/tweets' } });
    const draft = { text: 'only once', media: [], options: {} };
    await expect(x.publish(draft, kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    const rec = await x.reconcile(draft, kit.token, kit.pd, kit.ctx);
    expect(rec.status).toBe('published');
    expect(await kit.posts()).toHaveLength(1);
    // Nothing sent yet -> proven not posted without asking the platform.
    expect((await x.reconcile(draft, kit.token, kit.pd, { ...kit.ctx, checkpoint: {} })).status).toBe('not_posted');
  });

  it('a 429 daily limit is rate_limited with the reset delay', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    await kit.config({ dailyLimit: 0 });
    await expect(x.publish({ text: 'x', media: [], options: {} }, kit.token, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: 'rate_limited', retryAfterMs: expect.any(Number) });
  });
});
