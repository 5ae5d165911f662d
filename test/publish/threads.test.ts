/**
 * Threads publishing against the sandbox, rules from docs/platforms/threads.md: each post kind goes through
 * its containers and publishes exactly once; the container status is polled at Threads' pace before
 * publishing (publishing an unfinished container is refused); a media error is a failure that names it; a
 * full 250-post window waits for it to reopen; a lost answer after threads_publish is reconciled, never
 * sent twice; the sandbox itself refuses what the docs forbid (so skipping validation cannot pass).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runPublish } from '../../src/commands/publish.js';
import * as threadsRoutes from '../../src/sandbox/threads-publish.js';
import { createPublisher } from '../../src/providers/threads-publish.js';
import { ProviderError } from '../../src/core/errors.js';
import { WaitUntilError } from '../../src/providers/types.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { startPubKit, type PubKit } from './kit.js';

let pp: PublishProfile;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['threads'] });
}, 60_000);
afterAll(async () => pp?.close());

const origin = () => pp.sandbox.origins.threads;
const control = (path: string, body: Record<string, unknown>) => fetch(`${origin()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const posted = async (text: string) => (await sandboxPosts(pp.sandbox, 'threads')).filter((p) => p.text === text);

async function publishUntilDone(postId: number): Promise<{ outcome: string; message?: string; errorClass?: string }[]> {
  const seen: { outcome: string; message?: string; errorClass?: string }[] = [];
  for (let i = 0; i < 15; i++) {
    const r = (await runPublish(pp.deps, {})).results.filter((x) => x.postId === postId);
    seen.push(...r.map((x) => ({ outcome: x.outcome, ...(x.message ? { message: x.message } : {}), ...(x.errorClass ? { errorClass: x.errorClass } : {}) })));
    if (seen.some((s) => s.outcome === 'published' || s.outcome === 'failed')) return seen;
    await new Promise((res) => setTimeout(res, 120));
  }
  return seen;
}

describe('threads: each post kind publishes once through its containers', () => {
  const img = (i: number) => `https://cdn.example.com/pic-${i}.jpg`;
  it.each([
    ['text only', [] as string[], 'text', 0],
    ['one image', [img(1)], 'image', 1],
    ['one video', ['https://cdn.example.com/clip.mp4'], 'video', 1],
    ['a carousel of three (images and a video)', [img(1), 'https://cdn.example.com/clip.mp4', img(2)], 'carousel', 3],
  ])('%s', async (_name, media, kind, items) => {
    const text = `threads ${kind} ${items}`;
    const add = await runScheduleAdd(pp.deps, { to: 'threads', at: 'now', text, media, set: ['threads.altText=a description'] });
    const out = await publishUntilDone(add.id);
    expect(out.at(-1)?.outcome).toBe('published');
    const p = await posted(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ kind, media: expect.any(Array) });
    expect(p[0]!.media).toHaveLength(items);
  });

  it('21 media or a local file are refused at schedule time, with the fix', async () => {
    const many = Array.from({ length: 21 }, (_, i) => img(i));
    await expect(runScheduleAdd(pp.deps, { to: 'threads', at: 'now', text: 'too many', media: many })).rejects.toThrow(/at most 20 images or videos/);
  });

  it('a media file Threads cannot fetch ends as a failure naming the reason (container status ERROR)', async () => {
    const add = await runScheduleAdd(pp.deps, { to: 'threads', at: 'now', text: 'unfetchable', media: ['https://cdn.example.com/unfetchable.mp4'] });
    const out = await publishUntilDone(add.id);
    expect(out.at(-1)).toMatchObject({ outcome: 'failed', errorClass: 'invalid_request' });
    expect(out.at(-1)?.message).toMatch(/FAILED_DOWNLOADING_VIDEO/);
    expect(await posted('unfetchable')).toHaveLength(0);
  });

  it('the answer of threads_publish is lost: the next run reconciles from the container and does not post twice', async () => {
    await control('/__publish/v1/config', { dropAfterCommit: { path: `/v1.0/${pp.conns.threads!.accountId}/threads_publish`, count: 1 } });
    const add = await runScheduleAdd(pp.deps, { to: 'threads', at: 'now', text: 'lost answer' });
    const first = (await runPublish(pp.deps, {})).results.find((r) => r.postId === add.id)!;
    expect(first.outcome).toBe('unconfirmed');
    const out = await publishUntilDone(add.id);
    expect(out.at(-1)?.outcome).toBe('published');
    expect(await posted('lost answer')).toHaveLength(1);
  });
});

describe('threads: the publisher against the sandbox routes', () => {
  let kit: PubKit;
  beforeAll(async () => {
    kit = await startPubKit('threads', threadsRoutes, ['graph']);
    kit.pd.apiVersion = 'v1.0';
  });
  afterAll(async () => kit?.close());
  const fresh = () => {
    kit.ctx.checkpoint = {};
    kit.ctx.saved.length = 0;
  };

  it('polls the container once a minute while IN_PROGRESS, then publishes; gives up after five minutes, keeping the container', async () => {
    fresh();
    await kit.config({ processingPolls: 3 });
    const sleeps: number[] = [];
    const pd = { ...kit.pd, clock: { now: kit.pd.clock.now, sleep: async (ms: number) => void sleeps.push(ms) } };
    const r = await createPublisher().publish({ text: 'slow video', media: [{ kind: 'url', url: 'https://cdn.example.com/v.mp4', mime: 'video/mp4' }], options: {} }, kit.token, pd, kit.ctx);
    expect(r.remoteId).toBeTruthy();
    expect(sleeps).toEqual([60_000, 60_000]);
    fresh();
    await kit.config({ processingPolls: 100 });
    sleeps.length = 0;
    const e = await createPublisher().publish({ text: 'never ready', media: [{ kind: 'url', url: 'https://cdn.example.com/v.mp4', mime: 'video/mp4' }], options: {} }, kit.token, pd, kit.ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ errorClass: 'transient', platformCode: 'IN_PROGRESS' });
    expect(sleeps).toHaveLength(5);
    expect(kit.ctx.checkpoint.container).toBeTruthy();
    await kit.config({ processingPolls: 1 });
  });

  it('a publisher that skips the status check is refused by the sandbox (the container is not ready)', async () => {
    await kit.config({ processingPolls: 5 });
    const h = { authorization: `Bearer ${kit.token.accessToken}` };
    const acct = kit.ctx.account.id;
    const c = (await (await fetch(`${kit.origin}/v1.0/${acct}/threads`, { method: 'POST', headers: h, body: new URLSearchParams({ media_type: 'TEXT', text: 'eager' }) })).json()) as { id: string };
    const res = await fetch(`${kit.origin}/v1.0/${acct}/threads_publish`, { method: 'POST', headers: h, body: new URLSearchParams({ creation_id: c.id }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(9007);
    await kit.config({ processingPolls: 1 });
  });

  it.each([
    ['501 characters', 'a'.repeat(501), /at most 500 characters/],
    ['497 letters and an emoji (4 bytes)', 'a'.repeat(497) + '👍', /at most 500 characters/],
    ['6 links', Array.from({ length: 6 }, (_, i) => `https://example.com/${i}`).join(' '), /LINK_LIMIT_EXCEEDED/],
  ])('the sandbox refuses a container with %s (validation skipped)', async (_n, text, why) => {
    fresh();
    const e = await createPublisher().publish({ text, media: [], options: {} }, kit.token, kit.pd, kit.ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).errorClass).toBe('invalid_request');
    expect((e as Error).message).toMatch(why);
  });

  it('the sandbox takes a carousel of 2 to 20 item containers: 1 and 21 are refused', async () => {
    const h = { authorization: `Bearer ${kit.token.accessToken}` };
    const acct = kit.ctx.account.id;
    const post = async (fields: Record<string, string>) => fetch(`${kit.origin}/v1.0/${acct}/threads`, { method: 'POST', headers: h, body: new URLSearchParams(fields) });
    const items: string[] = [];
    for (let i = 0; i < 21; i++) items.push(((await (await post({ media_type: 'IMAGE', image_url: `https://cdn.example.com/${i}.jpg`, is_carousel_item: 'true' })).json()) as { id: string }).id);
    const carousel = (n: number) => post({ media_type: 'CAROUSEL', children: items.slice(0, n).join(',') });
    expect((await carousel(1)).status).toBe(400);
    expect((await carousel(2)).status).toBe(200);
    expect((await carousel(20)).status).toBe(200);
    expect((await carousel(21)).status).toBe(400);
  });

  it('500 characters and 496 letters with an emoji are accepted at the boundary', async () => {
    for (const text of ['b'.repeat(500), 'c'.repeat(496) + '👍']) {
      fresh();
      expect((await createPublisher().publish({ text, media: [], options: {} }, kit.token, kit.pd, kit.ctx)).remoteId).toBeTruthy();
    }
  });

  it('a full 250-post window waits for it to reopen (24 hours after the oldest post in it), without publishing', async () => {
    fresh();
    await control2(kit, { quotaTotal: (await kit.posts()).length });
    const before = (await kit.posts()).length;
    const e = await createPublisher().publish({ text: 'over the limit', media: [], options: {} }, kit.token, kit.pd, kit.ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WaitUntilError);
    const oldest = Math.min(...(await kit.posts()).map((p) => (p as unknown as { createdAt: number }).createdAt));
    expect((e as WaitUntilError).until).toBeGreaterThanOrEqual(oldest + 86_400_000);
    expect((e as Error).message).toMatch(/threads: the publishing limit is reached/);
    expect((await kit.posts()).length).toBe(before);
    await control2(kit, { quotaTotal: 250 });
  });

  it('the default window is 250 posts in 24 hours (threads_publishing_limit)', async () => {
    const res = await fetch(`${kit.origin}/v1.0/${kit.ctx.account.id}/threads_publishing_limit?fields=quota_usage,config`, { headers: { authorization: `Bearer ${kit.token.accessToken}` } });
    expect(((await res.json()) as { data: { config: unknown }[] }).data[0]!.config).toEqual({ quota_total: 250, quota_duration: 86_400 });
  });

  it('reconcile: a FINISHED container was not posted; a PUBLISHED one is found by its text', async () => {
    fresh();
    const p = { text: 'reconcile me', media: [], options: {} };
    const pub = createPublisher();
    expect(await pub.reconcile(p, kit.token, kit.pd, kit.ctx)).toEqual({ status: 'not_posted' });
    const r = await pub.publish(p, kit.token, kit.pd, kit.ctx);
    expect(await pub.reconcile(p, kit.token, kit.pd, kit.ctx)).toMatchObject({ status: 'published', result: { remoteId: r.remoteId } });
  });
});

const control2 = (kit: PubKit, body: Record<string, unknown>) => fetch(`${kit.origin}/__meta/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
