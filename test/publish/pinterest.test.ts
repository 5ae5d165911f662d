/**
 * Pinterest pins against the sandbox (docs/platforms/pinterest.md): an image from a URL and from a file,
 * a video through the media upload (register, multipart POST with every upload parameter, status until
 * succeeded); every pin lands once on its board; a lost answer is reconciled from the board, never
 * posted twice; the sandbox refuses what the API refuses when validation is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { runScheduleAdd } from '../../src/commands/schedule-add.js';
import { runPublish } from '../../src/commands/publish.js';
import * as pinRoutes from '../../src/sandbox/pinterest-publish.js';
import { firstBoardOf } from '../../src/sandbox/pinterest-publish.js';
import { publisher } from '../../src/providers/pinterest-publish.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';

let pp: PublishProfile;
let board: string;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['pinterest'] });
  board = firstBoardOf(pp.conns.pinterest!.accountId);
}, 60_000);
afterAll(async () => pp?.close());

const config = (c: Record<string, unknown>) => fetch(`${pp.sandbox.origins.pinterest}/__publish/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
const pins = async (text: string) => (await sandboxPosts(pp.sandbox, 'pinterest')).filter((p) => p.text === text);

async function publishUntilDone(postId: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 15; i++) {
    seen.push(...(await runPublish(pp.deps, {})).results.filter((x) => x.postId === postId).map((x) => x.outcome));
    if (seen.includes('published') || seen.includes('failed')) return seen;
    await new Promise((r) => setTimeout(r, 120));
  }
  return seen;
}

describe('pinterest: pins publish once on their board', () => {
  it('an image from a public URL, with title, alt text and link', async () => {
    const add = await runScheduleAdd(pp.deps, { to: 'pinterest', at: 'now', text: 'url pin', title: 'A title', media: ['https://cdn.example.com/a.jpg'], set: [`pinterest.board=${board}`, 'pinterest.altText=a bowl of soup', 'pinterest.link=https://example.com/soup'] });
    expect((await publishUntilDone(add.id)).at(-1)).toBe('published');
    expect(await pins('url pin')).toMatchObject([{ title: 'A title', kind: 'image', page: board }]);
  });

  it('a local image goes as Base64: the sandbox receives every byte', async () => {
    const file = tempMedia(200_000, 'jpg');
    const add = await runScheduleAdd(pp.deps, { to: 'pinterest', at: 'now', text: 'file pin', media: [file], set: [`pinterest.board=${board}`] });
    expect((await publishUntilDone(add.id)).at(-1)).toBe('published');
    const [p] = await pins('file pin');
    expect(p!.media[0]!.bytes).toBe(statSync(file).size);
  });

  it('a local video: registered, uploaded with every upload parameter, polled until succeeded, then pinned', async () => {
    await config({ processingPolls: 2 });
    const file = tempMedia(3 * 1024 * 1024 + 5, 'mp4');
    const add = await runScheduleAdd(pp.deps, { to: 'pinterest', at: 'now', text: 'video pin', media: [file], set: [`pinterest.board=${board}`] });
    expect((await publishUntilDone(add.id)).at(-1)).toBe('published');
    const [p] = await pins('video pin');
    expect(p).toMatchObject({ kind: 'video' });
    expect(p!.media[0]!.bytes).toBe(statSync(file).size);
    await config({ processingPolls: 1 });
  });

  it('without a board the post is refused at schedule time, naming the fix', async () => {
    await expect(runScheduleAdd(pp.deps, { to: 'pinterest', at: 'now', text: 'no board', media: ['https://cdn.example.com/a.jpg'] })).rejects.toThrow(/--board <name or id>/);
  });

  it('a board of someone else fails (Board not found), without a retry loop', async () => {
    const add = await runScheduleAdd(pp.deps, { to: 'pinterest', at: 'now', text: 'wrong board', media: ['https://cdn.example.com/a.jpg'], set: ['pinterest.board=42'] });
    const r = (await runPublish(pp.deps, {})).results.find((x) => x.postId === add.id)!;
    expect(r).toMatchObject({ outcome: 'failed', errorClass: 'invalid_request' });
    expect(r.message).toMatch(/Board not found/);
  });

  it('the answer of POST /v5/pins is lost: reconciled from the board, published once', async () => {
    await config({ dropAfterCommit: { path: '/v5/pins', count: 1 } });
    const add = await runScheduleAdd(pp.deps, { to: 'pinterest', at: 'now', text: 'lost pin', media: ['https://cdn.example.com/a.jpg'], set: [`pinterest.board=${board}`] });
    const first = (await runPublish(pp.deps, {})).results.find((x) => x.postId === add.id)!;
    expect(first.outcome).toBe('unconfirmed');
    expect((await publishUntilDone(add.id)).at(-1)).toBe('published');
    expect(await pins('lost pin')).toHaveLength(1);
  });
});

describe('pinterest: the sandbox refuses what the API refuses', () => {
  let kit: PubKit;
  beforeAll(async () => {
    kit = await startPubKit('pinterest', pinRoutes, ['api']);
  });
  afterAll(async () => kit?.close());
  const kitBoard = () => firstBoardOf(kit.ctx.account.id);

  it.each([
    ['a 101-character title', { title: 'x'.repeat(101) }, /title is longer than 100/],
    ['an 801-character description', { text: 'x'.repeat(801) }, /description is longer than 800/],
    ['a 501-character alt text', { options: { altText: 'x'.repeat(501) } }, /alt_text is longer than 500/],
  ])('%s (validation skipped)', async (_n, over, why) => {
    kit.ctx.checkpoint = {};
    const p = { text: 'ok', media: [{ kind: 'url' as const, url: 'https://cdn.example.com/a.jpg', mime: 'image/jpeg' }], ...over, options: { board: kitBoard(), ...((over as { options?: Record<string, string> }).options ?? {}) } };
    const e = await publisher.publish(p, kit.token, kit.pd, kit.ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ errorClass: 'invalid_request' });
    expect((e as Error).message).toMatch(why);
  });

  it('100-character title and 800-character description are accepted', async () => {
    kit.ctx.checkpoint = {};
    const r = await publisher.publish({ text: 'y'.repeat(800), title: 't'.repeat(100), media: [{ kind: 'url', url: 'https://cdn.example.com/a.jpg', mime: 'image/jpeg' }], options: { board: kitBoard() } }, kit.token, kit.pd, kit.ctx);
    expect(r.url).toBe(`https://www.pinterest.com/pin/${r.remoteId}/`);
  });

  it('a pin from a video upload that has not succeeded yet is refused', async () => {
    const h = { authorization: `Bearer ${kit.token.accessToken}`, 'content-type': 'application/json' };
    const reg = (await (await fetch(`${kit.origin}/v5/media`, { method: 'POST', headers: h, body: JSON.stringify({ media_type: 'video' }) })).json()) as { media_id: string };
    const res = await fetch(`${kit.origin}/v5/pins`, { method: 'POST', headers: h, body: JSON.stringify({ board_id: kitBoard(), media_source: { source_type: 'video_id', media_id: reg.media_id } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/registered, not succeeded/);
  });
});
