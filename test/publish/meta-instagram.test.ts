/**
 * Instagram publishing rules that Meta documents (docs/platforms/instagram.md): every temporary error
 * code ends with the post published exactly once; a full publishing window makes the target wait for
 * it to reopen (without using up attempts) and then publish; the container status is polled at Meta's
 * pace; the resumable Reel upload at its boundaries.
 */
import { checkDraftMedia } from '../../src/publish/media-check.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runPublish } from '../../src/commands/publish.js';
import { postStoreFor } from '../../src/store/posts.js';
import * as igRoutes from '../../src/sandbox/instagram-publish.js';
import { createPublisher, validate } from '../../src/providers/instagram-publish.js';
import { META_ERRORS } from '../../src/providers/graph.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { startPubKit, tempMedia } from './kit.js';

let pp: PublishProfile;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['instagram'] });
}, 60_000);
afterAll(async () => pp?.close());

const metaConfig = (c: Record<string, unknown>) =>
  fetch(`${pp.sandbox.origins.instagram}/__meta/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
const image = (n: string) => ({ to: 'instagram', at: 'now', text: n, media: ['https://cdn.example.com/pic.jpg'] });

/** Runs publish ticks until the post's target is published (or gives up), returning the outcomes seen. */
async function publishUntilDone(postId: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = (await runPublish(pp.deps, {})).results.filter((x) => x.postId === postId);
    seen.push(...r.map((x) => x.outcome));
    if (seen.includes('published') || seen.includes('failed')) return seen;
    await new Promise((res) => setTimeout(res, 120));
  }
  return seen;
}

const temporary = META_ERRORS.filter((r) => r.errorClass === 'transient' && r.doc.includes('instagram-platform'));

describe('Instagram temporary error codes (Instagram error-code reference)', () => {
  it.each(temporary.flatMap((r) => (['media', 'media_publish'] as const).map((at) => [`${r.code}/${r.subcode}`, at, r] as const)))('%s once at %s: published exactly once', async (name, at, r) => {
    await metaConfig({ faults: [{ at, code: r.code, subcode: r.subcode, count: 1 }] });
    const text = `temporary ${name} at ${at}`;
    const add = await runScheduleAdd(pp.deps, image(text));
    const outcomes = await publishUntilDone(add.id);
    expect(outcomes.at(-1)).toBe('published');
    expect(outcomes[0]).not.toBe('published'); // the fault was really hit
    expect((await sandboxPosts(pp.sandbox, 'instagram')).filter((p) => p.text === text)).toHaveLength(1);
  });

  it('4/2207051 (suspected spam) fails at once with the reason instead of being retried as a rate limit', async () => {
    await metaConfig({ faults: [{ at: 'media_publish', code: 4, subcode: 2207051, count: 1 }] });
    const add = await runScheduleAdd(pp.deps, image('spam suspect'));
    const r = (await runPublish(pp.deps, {})).results.find((x) => x.postId === add.id)!;
    expect(r).toMatchObject({ outcome: 'failed', errorClass: 'permission' });
    expect(r.message).toMatch(/2207051/);
  });
});

describe('Instagram publishing limit (content_publishing_limit, moving window)', () => {
  it('a full window makes the target wait until a slot frees, shown to the user, then it publishes once', async () => {
    await metaConfig({ faults: [], quotaTotal: 1, quotaDurationSec: 2 });
    await new Promise((res) => setTimeout(res, 2100)); // earlier tests' posts leave the 2-second window
    try {
      const first = await runScheduleAdd(pp.deps, image('fills the window'));
      expect(await publishUntilDone(first.id)).toEqual(['published']);
      const firstAt = (await sandboxPosts(pp.sandbox, 'instagram')).find((p) => p.text === 'fills the window') as unknown as { createdAt: number };
      const second = await runScheduleAdd(pp.deps, image('waits for the window'));
      const waiting = (await runPublish(pp.deps, {})).results.find((x) => x.postId === second.id)!;
      expect(waiting).toMatchObject({ outcome: 'retry_scheduled', errorClass: 'rate_limited' });
      expect(waiting.message).toMatch(/publishing limit is reached \(1 of 1 posts/);
      const until = Date.parse(waiting.nextAttemptAt!);
      expect(until).toBeGreaterThanOrEqual(firstAt.createdAt + 2000);
      expect(until).toBeLessThan(firstAt.createdAt + 2000 + 1100);
      expect(waiting.message).toContain(new Date(until).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      const posts = postStoreFor(await pp.deps.store());
      const target = (await posts.targets(second.id))[0]!;
      expect(target.attempts).toBe(0); // waiting for the window does not use up an attempt
      // Before the window reopens nothing is due; after it, the post goes out once.
      expect((await runPublish(pp.deps, {})).results.filter((x) => x.postId === second.id)).toEqual([]);
      await new Promise((res) => setTimeout(res, Math.max(0, until - Date.now()) + 50));
      expect(await publishUntilDone(second.id)).toEqual(['published']);
      expect((await sandboxPosts(pp.sandbox, 'instagram')).filter((p) => p.text === 'waits for the window')).toHaveLength(1);
    } finally {
      await metaConfig({ quotaTotal: 50, quotaDurationSec: 86_400 });
    }
  });
});

describe('Instagram container status pace (once a minute, at most five minutes)', () => {
  it('checks at the injected pace, gives up after five minutes keeping the container, resumes it next time', async () => {
    const kit = await startPubKit('instagram', igRoutes, ['www', 'api', 'graph']);
    try {
      const sleeps: number[] = [];
      kit.pd.clock = { now: kit.pd.clock.now, sleep: async (ms: number) => void sleeps.push(ms) };
      await kit.config({ processingPolls: 100 });
      const size = 1024;
      const draft = { text: 'slow reel', media: [{ kind: 'file' as const, path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} };
      const pub = createPublisher({ intervalMs: 60_000, maxWaitMs: 5 * 60_000 });
      await expect(pub.publish(draft, kit.token, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: 'transient' });
      expect(sleeps).toEqual([60_000, 60_000, 60_000, 60_000, 60_000]);
      const container = kit.ctx.checkpoint.container;
      expect(container).toBeTruthy();
      await kit.config({ processingPolls: 0 });
      sleeps.length = 0;
      await pub.publish(draft, kit.token, kit.pd, kit.ctx);
      expect(sleeps).toEqual([]);
      expect(kit.ctx.checkpoint.container).toBe(container);
      expect(await kit.posts()).toMatchObject([{ text: 'slow reel', media: [{ bytes: size }] }]);
    } finally {
      await kit.close();
    }
  });
});

describe('Instagram resumable Reel upload (rupload: offset + file_size)', () => {
  it.each([1, 2, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 8 * 1024 * 1024])('%i bytes: one upload of the whole file, published once', async (size) => {
    const kit = await startPubKit('instagram', igRoutes, ['www', 'api', 'graph']);
    try {
      const draft = { text: `reel ${size}`, media: [{ kind: 'file' as const, path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} };
      await createPublisher().publish(draft, kit.token, kit.pd, kit.ctx);
      expect(await kit.posts()).toMatchObject([{ text: `reel ${size}`, media: [{ bytes: size }] }]);
    } finally {
      await kit.close();
    }
  });

  it('the sandbox refuses an offset that is not where the upload stopped, and more bytes than file_size', async () => {
    const kit = await startPubKit('instagram', igRoutes, ['www', 'api', 'graph']);
    try {
      const c = (await (await fetch(`${kit.origin}/v25.0/${kit.ctx.account.id}/media?media_type=REELS&upload_type=resumable`, { method: 'POST', headers: { authorization: `Bearer ${kit.token.accessToken}` } })).json()) as { id: string; uri: string };
      const send = (offset: number, size: number, body: Buffer) => fetch(c.uri, { method: "POST", headers: { authorization: `OAuth ${kit.token.accessToken}`, offset: String(offset), file_size: String(size) }, body: new Uint8Array(body) });
      expect((await send(5, 10, Buffer.alloc(5))).status).toBe(400);
      expect((await send(0, 10, Buffer.alloc(11))).status).toBe(400);
    } finally {
      await kit.close();
    }
  });

  it('schedule-time limit: 1 GiB is accepted, one byte more is refused (the media table, docs/platforms/media-limits.md#instagram)', () => {
    const draft = (size: number) => ({ text: 'x', media: [{ kind: 'file' as const, path: '/tmp/v.mp4', mime: 'video/mp4', size }], options: {} });
    const v = (size: number) => [...validate(draft(size)), ...checkDraftMedia('instagram', draft(size))];
    expect(v(1024 ** 3 - 1)).toEqual([]);
    expect(v(1024 ** 3)).toEqual([]);
    expect(v(1024 ** 3 + 1).map((i) => i.message)).toEqual([expect.stringMatching(/maximum is 1 GB/)]);
  });
});
