/**
 * Pinterest image pins from a local file (docs/platforms/pinterest.md#image-base64): the Base64 is
 * streamed from the file into the JSON body of POST /v5/pins. The sandbox decodes it and checks it
 * as the API describes image_base64: the bytes arrive identical (SHA-256) whether or not the size is
 * a multiple of 3 (padding); 32 MB at most, checked just under, at and over the limit, at schedule
 * time and (validation skipped) by the sandbox; content_type and Base64 refused when wrong; the
 * request waits for its bytes in the upload buffer budget; a refused token is renewed and the whole
 * body sent again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pinRoutes from '../../src/sandbox/pinterest-publish.js';
import { firstBoardOf, IMAGE_MAX_BYTES } from '../../src/sandbox/pinterest-publish.js';
import { publisher } from '../../src/providers/pinterest-publish.js';
import { checkDraftMedia } from '../../src/publish/media-check.js';
import { uploadBuffers } from '../../src/core/memory-budget.js';
import { jpeg, png, writeSparse } from '../helpers/media-files.js';
import type { MediaRef, PostDraft } from '../../src/providers/types.js';
import { startPubKit, type PubKit } from './kit.js';

let kit: PubKit;
beforeAll(async () => {
  kit = await startPubKit('pinterest', pinRoutes, ['api']);
});
afterAll(async () => kit?.close());

const dir = mkdtempSync(join(tmpdir(), 'socialync-pin-'));
const draft = (text: string, m: MediaRef): PostDraft => ({ text, media: [m], options: { board: firstBoardOf(kit.ctx.account.id) } });
const publish = (text: string, m: MediaRef) => {
  kit.ctx.checkpoint = {};
  return publisher.publish(draft(text, m), kit.token, kit.pd, kit.ctx);
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A JPEG (or PNG) head followed by random bytes: `size` bytes in all. */
function imageFile(name: string, size: number, kind: 'jpeg' | 'png' = 'jpeg'): { m: MediaRef; data: Buffer } {
  const head = kind === 'png' ? png(64, 64) : jpeg(1000, 1500);
  const data = Buffer.concat([head, randomBytes(size - head.length)]);
  const path = join(dir, name);
  writeFileSync(path, data);
  return { m: { kind: 'file', path, mime: `image/${kind}`, size }, data };
}

/** A sparse JPEG of `size` bytes (the limit tests: 32 MB without writing 32 MB). */
function sparseJpeg(name: string, size: number): MediaRef {
  const path = join(dir, name);
  writeSparse(path, jpeg(1000, 1500), size);
  return { kind: 'file', path, mime: 'image/jpeg', size };
}

describe('pinterest image_base64: the sandbox receives the file byte for byte', () => {
  it.each([
    ['a multiple of 3 (no padding)', 300_000, 'jpeg'],
    ['3n + 1 (==)', 1024 * 1024 + 1, 'jpeg'],
    ['3n + 2 (=)', 1024 * 1024 + 2, 'png'],
  ] as const)('%s: %i bytes', async (_n, size, kind) => {
    const { m, data } = imageFile(`b64-${size}.${kind}`, size, kind);
    const r = await publish(`bytes ${size}`, m);
    expect(r.url).toBe(`https://www.pinterest.com/pin/${r.remoteId}/`);
    const [p] = (await kit.posts()).filter((x) => x.text === `bytes ${size}`);
    expect(p!.media[0]).toEqual({ bytes: size, sha256: sha256(data) });
  });
});

describe('pinterest image size: 32 MB at most (just under, at, over)', () => {
  it.each([
    [IMAGE_MAX_BYTES - 1, true],
    [IMAGE_MAX_BYTES, true],
    [IMAGE_MAX_BYTES + 1, false],
  ])('%i bytes: accepted %s by the sandbox (validation skipped)', async (size, ok) => {
    const m = sparseJpeg(`limit-${size}.jpg`, size);
    const out = await publish(`limit ${size}`, m).catch((e: unknown) => e);
    if (ok) {
      expect(out).toMatchObject({ remoteId: expect.any(String) });
      expect((await kit.posts()).find((x) => x.text === `limit ${size}`)!.media[0]!.bytes).toBe(size);
    } else {
      expect(out).toMatchObject({ errorClass: 'invalid_request', status: 400 });
      expect((out as Error).message).toMatch(/the image is 33554433 bytes; the maximum is 33554432/);
      expect((await kit.posts()).some((x) => x.text === `limit ${size}`)).toBe(false);
    }
  }, 60_000);

  it.each([
    [IMAGE_MAX_BYTES - 1, 0],
    [IMAGE_MAX_BYTES, 0],
    [IMAGE_MAX_BYTES + 1, 1],
  ])('%i bytes at schedule time: %i problem(s)', (size, problems) => {
    const issues = checkDraftMedia('pinterest', { text: 'x', media: [{ kind: 'file', path: '/tmp/pin.jpg', mime: 'image/jpeg', size }], options: {} });
    expect(issues).toHaveLength(problems);
    if (problems) expect(issues[0]!.message).toMatch(/Pinterest's maximum is/);
  });
});

describe('pinterest image_base64: what the API refuses', () => {
  const pin = (source: Record<string, unknown>) =>
    fetch(`${kit.origin}/v5/pins`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kit.token.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ board_id: firstBoardOf(kit.ctx.account.id), media_source: { source_type: 'image_base64', ...source } }),
    });

  it.each([
    ['content_type image/gif', { content_type: 'image/gif', data: 'R0lGODlh' }, /content_type must be image\/jpeg or image\/png/],
    ['no content_type', { data: '/9j/4AAQ' }, /content_type must be/],
    ['no data', { content_type: 'image/jpeg' }, /data must be Base64/],
    ['Base64url characters', { content_type: 'image/jpeg', data: '_9j-4AAQ' }, /data must be Base64/],
    ['padding in the middle', { content_type: 'image/jpeg', data: 'QQ==QQ==' }, /not valid Base64/],
    ['missing padding', { content_type: 'image/jpeg', data: 'QQ' }, /not valid Base64/],
  ])('%s: 400', async (_n, source, why) => {
    const res = await pin(source);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(why);
  });

  it('valid Base64 with content_type image/png: 201', async () => {
    expect((await pin({ content_type: 'image/png', data: png(4, 4).toString('base64') })).status).toBe(201);
  });
});

describe('pinterest image_base64: the request holds its bytes in the upload buffer budget', () => {
  it('while the budget is full the pin waits; once bytes are given back it is sent', async () => {
    const { m } = imageFile('budget.jpg', 200_000);
    uploadBuffers.setLimit(1024 * 1024);
    const hold = await uploadBuffers.acquire(1024 * 1024);
    try {
      const pending = publish('budget pin', m);
      await new Promise((r) => setTimeout(r, 300));
      expect((await kit.posts()).some((x) => x.text === 'budget pin')).toBe(false);
      hold();
      await pending;
      expect((await kit.posts()).filter((x) => x.text === 'budget pin')).toHaveLength(1);
    } finally {
      hold();
      uploadBuffers.setLimit(64 * 1024 * 1024);
    }
  });
});

describe('pinterest image_base64: an access token refused (401) is renewed once and the whole body sent again', () => {
  it('the first request with an expired token is refused; the renewed one pins the same bytes, once', async () => {
    const { m, data } = imageFile('renew.jpg', 700_001);
    const renewed: string[] = [];
    kit.ctx.checkpoint = {};
    kit.ctx.tokens = { renew: async (t) => (renewed.push(t.accessToken), kit.token) };
    try {
      const r = await publisher.publish(draft('renewed pin', m), { ...kit.token, accessToken: 'expired-token' }, kit.pd, kit.ctx);
      expect(renewed).toEqual(['expired-token']);
      const got = (await kit.posts()).filter((x) => x.text === 'renewed pin');
      expect(got).toEqual([expect.objectContaining({ id: r.remoteId, media: [{ bytes: 700_001, sha256: sha256(data) }] })]);
    } finally {
      delete kit.ctx.tokens;
    }
  });
});
