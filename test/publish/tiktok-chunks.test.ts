/**
 * TikTok chunk plans at every documented boundary (docs/platforms/tiktok.md#chunks):
 * the pure plan for sizes up to 4 GiB, the sandbox's reading of the Media Transfer Guide
 * refusing what the guide refuses, and real uploads through the sandbox (sparse files),
 * each of which must end in exactly one post.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, openSync, writeSync, closeSync, ftruncateSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as routes from '../../src/sandbox/tiktok-publish.js';
import { planProblem, sizeProblem } from '../../src/sandbox/tiktok-publish.js';
import { publisher as tt } from '../../src/providers/tiktok-publish.js';
import { chunkPlan, chunkRange, MAX_CHUNK, MIB } from '../../src/providers/tiktok-chunks.js';
import { startPubKit, type PubKit } from './kit.js';

const GIB = 1024 * MIB;
const MB = 1_000_000;

/** Every plan we send must pass the guide under both readings of "MB". */
function expectAccepted(size: number, plan: { chunkSize: number; count: number }) {
  expect(planProblem(size, plan.chunkSize, plan.count), `MiB reading, size ${size}`).toBeUndefined();
  expect(planProblem(size, plan.chunkSize, plan.count, MB), `decimal reading, size ${size}`).toBeUndefined();
}

describe('chunk plan (pure): the guide\'s rules at each boundary', () => {
  const whole = (n: number) => ({ chunkSize: n, count: 1 });
  const table: [string, number, { chunkSize: number; count: number }][] = [
    ['1 byte: whole', 1, whole(1)],
    ['the guide\'s 4 MB example (4,194,304 bytes): whole', 4_194_304, whole(4_194_304)],
    ['just under 5 MB (decimal)', 5 * MB - 1, whole(5 * MB - 1)],
    ['at 5 MB (decimal)', 5 * MB, whole(5 * MB)],
    ['just under 5 MiB', 5 * MIB - 1, whole(5 * MIB - 1)],
    ['at 5 MiB', 5 * MIB, whole(5 * MIB)],
    ['just over 5 MiB', 5 * MIB + 1, whole(5 * MIB + 1)],
    ['7 MiB (announced as one 10 MiB chunk before issue 10)', 7 * MIB, whole(7 * MIB)],
    ['just under 10 MiB', 10 * MIB - 1, whole(10 * MIB - 1)],
    ['at 10 MiB: one chunk, chunk_size = video_size', 10 * MIB, whole(10 * MIB)],
    ['just over 10 MiB', 10 * MIB + 1, whole(10 * MIB + 1)],
    ['just under 20 MiB', 20 * MIB - 1, whole(20 * MIB - 1)],
    ['at 20 MiB: two chunks', 20 * MIB, { chunkSize: 10 * MIB, count: 2 }],
    ['the guide\'s 50,000,123-byte example: last chunk takes the remainder', 50_000_123, { chunkSize: 10 * MIB, count: 4 }],
    ['exact multiple (30 MiB)', 30 * MIB, { chunkSize: 10 * MIB, count: 3 }],
    ['at 64 MB (decimal)', 64 * MB, { chunkSize: 10 * MIB, count: 6 }],
    ['just over 64 MiB', 64 * MIB + 1, { chunkSize: 10 * MIB, count: 6 }],
    ['1 GiB', GIB, { chunkSize: 10 * MIB, count: 102 }],
    ['4 GiB (the platform maximum)', 4 * GIB, { chunkSize: 10 * MIB, count: 409 }],
  ];
  it.each(table)('%s', (_name, size, plan) => {
    expect(chunkPlan(size)).toEqual(plan);
    expectAccepted(size, plan);
    const [first, last] = chunkRange(size, plan, plan.count - 1);
    expect(last).toBe(size - 1);
    expect(last - first + 1).toBeGreaterThanOrEqual(Math.min(size, plan.chunkSize));
  });

  it('with 64 MB chunks: the 64 MB bound, the two-chunk split over 64 MB, the 128 MB final chunk and 1000 chunks', () => {
    const big = (size: number) => chunkPlan(size, 64 * MIB);
    expect(big(MAX_CHUNK)).toEqual({ chunkSize: MAX_CHUNK, count: 1 });
    expect(big(MAX_CHUNK + 1)).toEqual({ chunkSize: 32 * MB, count: 2 });
    expect(big(128 * MB - 1)).toEqual({ chunkSize: 64 * MB - 1, count: 2 });
    expect(big(128 * MB)).toEqual({ chunkSize: MAX_CHUNK, count: 2 });
    expect(big(192 * MB - 1)).toEqual({ chunkSize: MAX_CHUNK, count: 2 }); // final chunk 128 MB - 1
    expect(big(1000 * MAX_CHUNK)).toEqual({ chunkSize: MAX_CHUNK, count: 1000 });
    for (const s of [MAX_CHUNK, MAX_CHUNK + 1, 128 * MB - 1, 128 * MB, 192 * MB - 1, 1000 * MAX_CHUNK]) expectAccepted(s, big(s));
    expect(() => chunkPlan(1001 * MAX_CHUNK)).toThrow(/more than 1000 chunks/);
    expect(() => chunkPlan(0)).toThrow(/0 bytes/);
  });

  it('small preferred chunks grow to stay within 1000 chunks', () => {
    expect(chunkPlan(4 * GIB, 5 * MIB)).toEqual({ chunkSize: 5 * MIB, count: 819 });
    const p = chunkPlan(8 * GIB, 5 * MIB);
    expect(p).toEqual({ chunkSize: Math.ceil((8 * GIB) / 1000), count: 999 });
    expectAccepted(8 * GIB, p);
  });

  it('the platform maximum: 4 GiB is accepted, one byte more is refused', () => {
    expect(sizeProblem(4 * GIB)).toBeUndefined();
    expect(sizeProblem(4 * GIB + 1)).toMatch(/4 GB/);
    expect(tt.validate({ text: '', privacy: 'SELF_ONLY', media: [{ kind: 'file', path: '/v.mp4', mime: 'video/mp4', size: 4 * GIB + 1 }], options: {} })).toMatchObject([{ field: 'media[0]', message: expect.stringMatching(/limit is 4\.0 GB/) }]);
    expect(tt.validate({ text: '', privacy: 'SELF_ONLY', media: [{ kind: 'file', path: '/v.mp4', mime: 'video/mp4', size: 4 * GIB }], options: {} })).toEqual([]);
    expect(tt.validate({ text: '', privacy: 'SELF_ONLY', media: [{ kind: 'file', path: '/v.mp4', mime: 'video/mp4', size: 0 }], options: {} })).toMatchObject([{ message: expect.stringMatching(/empty/) }]);
  });
});

describe('sandbox: refuses the plans the Media Transfer Guide refuses', () => {
  const refused: [string, number, number, number][] = [
    ['the plan sent before issue 10 for a 7 MiB file (10 MiB chunk, count 1)', 7 * MIB, 10 * MIB, 1],
    ['a file under 5 MB not sent whole', 4 * MIB, 2 * MIB, 2],
    ['a file under 5 MB with chunk_size over its size', 4 * MIB, 5 * MIB, 1],
    ['a chunk under 5 MB', 20 * MIB, 5 * MIB - 1, 4],
    ['a chunk over 64 MB', 200 * MIB, 64 * MIB + 1, 3],
    ['a file over 64 MB in one chunk', 100 * MIB, 60 * MIB, 1],
    ['a count that is not floor(size / chunk)', 50_000_123, 10_000_000, 6],
    ['an empty file', 0, 0, 1],
  ];
  it.each(refused)('refuses %s', (_n, size, chunk, count) => expect(planProblem(size, chunk, count)).toMatch(/./));

  const accepted: [string, number, number, number][] = [
    ['the guide\'s chunk example', 50_000_123, 10_000_000, 5],
    ['the guide\'s whole-upload example', 4_194_304, 4_194_304, 1],
    ['5 MB chunks', 20 * MIB, 5 * MIB, 4],
    ['64 MB chunks with a final chunk just under 128 MB', 3 * 64 * MIB - 1, 64 * MIB, 2],
    ['exactly 4 GB in 64 MB chunks', 4 * GIB, 64 * MIB, 64],
  ];
  it.each(accepted)('accepts %s', (_n, size, chunk, count) => expect(planProblem(size, chunk, count)).toBeUndefined());
  it('accepts 1000 chunks and refuses 1001 (decimal reading)', () => {
    expect(planProblem(1000 * 5 * MB, 5 * MB, 1000, MB)).toBeUndefined();
    expect(planProblem(1001 * 5 * MB, 5 * MB, 1001, MB)).toMatch(/1000/);
  });
});

describe('real uploads through the sandbox: each publishes exactly once', () => {
  let kit: PubKit;
  let dir: string;
  beforeAll(async () => {
    kit = await startPubKit('tiktok', routes, ['www', 'api']);
    dir = mkdtempSync(join(tmpdir(), 'socialync-tiktok-'));
  });
  afterAll(async () => {
    await kit.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A sparse file of `size` bytes with a marker at the start and end. */
  function sparseVideo(size: number): string {
    const p = join(dir, `v${size}.mp4`);
    const fd = openSync(p, 'w');
    ftruncateSync(fd, size);
    writeSync(fd, Buffer.from([1]), 0, 1, 0);
    writeSync(fd, Buffer.from([2]), 0, 1, size - 1);
    closeSync(fd);
    return p;
  }

  const sizes: [string, number][] = [
    ['1 byte', 1],
    ['just under 5 MiB', 5 * MIB - 1],
    ['at 5 MiB', 5 * MIB],
    ['just over 5 MiB', 5 * MIB + 1],
    ['7 MiB (refused at init before issue 10)', 7 * MIB],
    ['at 10 MiB', 10 * MIB],
    ['at 20 MiB (two chunks)', 20 * MIB],
    ['30 MiB (exact multiple, three chunks)', 30 * MIB],
    ['25 MiB + 123 (remainder in the last chunk)', 25 * MIB + 123],
    ['just over 64 MiB (six chunks)', 64 * MIB + 1],
  ];
  it.each(sizes)('%s', async (_n, size) => {
    // A fresh token per case: init is limited to 6 requests a minute per token.
    const fam = kit.server.ctx.families.start(kit.server.ctx.account('alice'), 'app', ['video.publish'], { accessTtlMs: 3_600_000, rotate: false });
    const before = (await kit.posts()).length;
    kit.ctx.checkpoint = {};
    const draft = { text: `size ${size}`, privacy: 'PUBLIC_TO_EVERYONE', media: [{ kind: 'file' as const, path: sparseVideo(size), mime: 'video/mp4', size }], options: {} };
    const r = await tt.publish(draft, { ...kit.token, accessToken: fam.tokens.accessToken }, kit.pd, kit.ctx);
    const posts = (await kit.posts()).slice(before);
    expect(posts).toMatchObject([{ text: `size ${size}`, media: [{ bytes: size }] }]);
    expect(r.url).toBe(`https://www.tiktok.com/video/${posts[0]!.id}`);
    expect(kit.ctx.checkpoint).toMatchObject({ chunk_size: String(chunkPlan(size).chunkSize), chunks: String(chunkPlan(size).count), uploaded: String(chunkPlan(size).count) });
  });
});
