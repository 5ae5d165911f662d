/**
 * The LinkedIn publisher against the sandbox, which enforces the documented rules
 * (docs/platforms/linkedin.md): little text, video parts and sizes, commentary length,
 * who may read an author's posts (reconcile).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as routes from '../../src/sandbox/linkedin-publish.js';
import { organizationsOf } from '../../src/sandbox/linkedin.js';
import { publisher as li, COMMENTARY_MAX, VIDEO_MAX_BYTES, VIDEO_MIN_BYTES } from '../../src/providers/linkedin-publish.js';
import type { PostDraft, TokenSet } from '../../src/providers/types.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const PART = 4_194_304;
const text = (t: string, options: Record<string, string> = {}): PostDraft => ({ text: t, media: [], options });
const video = (size: number): PostDraft => ({ text: 'li video', media: [{ kind: 'file', path: tempMedia(size, 'mp4'), mime: 'video/mp4', size }], options: {} });

async function memberKit(): Promise<PubKit> {
  return (kit = await startPubKit('linkedin', routes, ['www', 'api']));
}

/** A kit whose connection posts as the organization alice administers. */
async function orgKit(): Promise<{ k: PubKit; org: string }> {
  const k = await startPubKit('linkedin', routes, ['www', 'api']);
  const org = organizationsOf(k.server.ctx.account('alice'))[0]!.urn;
  k.ctx.account.meta.authorUrn = org;
  return { k: (kit = k), org };
}

/** A token of alice's with exactly these scopes. */
function tokenWith(k: PubKit, scopes: string[]): TokenSet {
  const { tokens } = k.server.ctx.families.start(k.server.ctx.account('alice'), 'app', scopes, { accessTtlMs: 3_600_000, rotate: false });
  return { accessToken: tokens.accessToken, scopes, obtainedAt: Date.now() };
}

async function rest(k: PubKit, method: string, path: string, body?: unknown, token = k.token.accessToken): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${k.origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'linkedin-version': '202604', 'x-restli-protocol-version': '2.0.0', 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const raw = await res.text();
  return { status: res.status, json: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
}

// Texts a user types, each with reserved characters of the little format; LinkedIn must show them as typed.
const TYPED = [
  'Launch day (v2) is here! #launch @team',
  'snake_case, *bold*, ~strike~, a|b, <tag>, [link], {braces}',
  'Windows path C:\\Users\\me and a trailing backslash \\',
  'C# and F# are not hashtags; ## neither; #1 is one',
  '#café_au_lait 🎉 #日本 mail me: a@b.example',
  'literally typed markup: {hashtag|\\#|fake} and @[Eddy](urn:li:person:1234)',
  '# alone, #, and #-dash',
];

describe('LinkedIn commentary is little text (docs/platforms/linkedin.md#little-text)', () => {
  it.each(TYPED)('%j is shown exactly as typed, once', async (typed) => {
    const k = await memberKit();
    const r = await li.publish(text(typed), k.token, k.pd, k.ctx);
    expect(r.remoteId).toMatch(/^urn:li:share:/);
    expect((await k.posts()).map((p) => p.text)).toEqual([typed]);
  });

  it('the sandbox cuts plain text at the first unescaped reserved character, as LinkedIn does (the old publisher sent plain text)', async () => {
    const k = await memberKit();
    const author = k.ctx.account.meta.authorUrn;
    const post = { author, visibility: 'PUBLIC', lifecycleState: 'PUBLISHED', distribution: { feedDistribution: 'MAIN_FEED' } };
    expect((await rest(k, 'POST', '/rest/posts', { ...post, commentary: 'We shipped (finally) the new API' })).status).toBe(201);
    expect((await rest(k, 'POST', '/rest/posts', { ...post, commentary: 'see my_file for details' })).status).toBe(201);
    expect((await rest(k, 'POST', '/rest/posts', { ...post, commentary: 'see my\\_file for details' })).status).toBe(201);
    expect((await k.posts()).map((p) => p.text)).toEqual(['We shipped ', 'see my', 'see my_file for details']);
  });

  it('#word becomes a hashtag template; with linkedin.hashtags=text it stays escaped text; both read back as typed', async () => {
    const { k, org } = await orgKit();
    await li.publish(text('Hello #world'), k.token, k.pd, k.ctx);
    await li.publish(text('Hello #plain', { hashtags: 'text' }), k.token, k.pd, k.ctx);
    const found = await rest(k, 'GET', `/rest/posts?q=author&author=${encodeURIComponent(org)}&count=10`, undefined);
    expect(found.status).toBe(400); // the finder needs X-RestLi-Method: FINDER
    const res = await fetch(`${k.origin}/rest/posts?q=author&author=${encodeURIComponent(org)}`, { headers: { authorization: `Bearer ${k.token.accessToken}`, 'linkedin-version': '202604', 'x-restli-protocol-version': '2.0.0', 'x-restli-method': 'FINDER' } });
    const rows = ((await res.json()) as { elements: { commentary: string }[] }).elements.map((e) => e.commentary);
    expect(rows).toEqual(['Hello \\#plain', 'Hello {hashtag|\\#|world}']);
    expect((await k.posts()).map((p) => p.text)).toEqual(['Hello #world', 'Hello #plain']);
  });

  it('refuses an unknown linkedin.hashtags value before scheduling', () => {
    expect(li.validate(text('x', { hashtags: 'links' }))).toEqual([expect.objectContaining({ field: 'options.hashtags' })]);
  });
});

describe('commentary length: 3000 characters as shown, UTF-16 units (docs/platforms/linkedin.md#text-length)', () => {
  const cases: [string, string, boolean][] = [
    ['2999 letters', 'a'.repeat(COMMENTARY_MAX - 1), true],
    ['3000 letters', 'a'.repeat(COMMENTARY_MAX), true],
    ['3001 letters', 'a'.repeat(COMMENTARY_MAX + 1), false],
    ['3000 reserved characters (6000 sent)', '(_)'.repeat(COMMENTARY_MAX / 3), true],
    ['3001 with a reserved character last', `${'b'.repeat(COMMENTARY_MAX)}#`, false],
    ['1500 emoji = 3000 units', '🎉'.repeat(COMMENTARY_MAX / 2), true],
    ['1500 emoji + 1', `${'🎉'.repeat(COMMENTARY_MAX / 2)}!`, false],
  ];
  it.each(cases)('%s', async (_name, typed, ok) => {
    expect(li.validate(text(typed))).toHaveLength(ok ? 0 : 1);
    const k = await memberKit();
    // Publish even what validate refuses: the sandbox must refuse it too (422 -> invalid_request).
    const sent = li.publish(text(typed), k.token, k.pd, k.ctx);
    if (ok) {
      await sent;
      expect((await k.posts()).map((p) => p.text)).toEqual([typed]);
    } else {
      await expect(sent).rejects.toMatchObject({ errorClass: 'invalid_request', status: 422 });
      expect(await k.posts()).toEqual([]);
    }
  });
});

describe('video: 75 KB..500 MB, parts of exactly 4,194,304 bytes (docs/platforms/linkedin.md#video-parts)', () => {
  it.each([
    [VIDEO_MIN_BYTES, 1],
    [PART - 1, 1],
    [PART, 1],
    [PART + 1, 2],
    [2 * PART, 2],
    [2 * PART + 5, 3],
  ])('%i bytes: published once in %i part(s), every byte uploaded', async (size, parts) => {
    const k = await memberKit();
    await k.config({ processingPolls: 2 });
    expect(li.validate(video(size))).toEqual([]);
    const r = await li.publish(video(size), k.token, k.pd, k.ctx);
    expect(r.url).toBe(`https://www.linkedin.com/feed/update/${r.remoteId}`);
    expect(await k.posts()).toMatchObject([{ text: 'li video', kind: 'video', media: [{ bytes: size }] }]);
    const init = await rest(k, 'POST', '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner: k.ctx.account.meta.authorUrn, fileSizeBytes: size } });
    expect((init.json.value as { uploadInstructions: unknown[] }).uploadInstructions).toHaveLength(parts);
  });

  it('the largest video gets 120 part URLs: 119 of 4,194,304 bytes and the 877,824-byte remainder', async () => {
    const k = await memberKit();
    const owner = k.ctx.account.meta.authorUrn;
    const at = await rest(k, 'POST', '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner, fileSizeBytes: VIDEO_MAX_BYTES } });
    const parts = (at.json.value as { uploadInstructions: { firstByte: number; lastByte: number }[] }).uploadInstructions;
    expect(parts).toHaveLength(120);
    expect(parts.slice(0, -1).every((p, i) => p.firstByte === i * PART && p.lastByte - p.firstByte + 1 === PART)).toBe(true);
    expect(parts.at(-1)).toEqual(expect.objectContaining({ firstByte: 119 * PART, lastByte: VIDEO_MAX_BYTES - 1 }));
    expect(VIDEO_MAX_BYTES - 119 * PART).toBe(877_824);
  });

  it.each([
    ['just under the minimum', VIDEO_MIN_BYTES - 1],
    ['just over the maximum', VIDEO_MAX_BYTES + 1],
  ])('%s: refused by validate and by LinkedIn', async (_n, size) => {
    const issues = li.validate({ text: 'v', media: [{ kind: 'file', path: '/nonexistent.mp4', mime: 'video/mp4', size }], options: {} });
    expect(issues).toEqual([expect.objectContaining({ field: 'media[0]' })]);
    const k = await memberKit();
    const r = await rest(k, 'POST', '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner: k.ctx.account.meta.authorUrn, fileSizeBytes: size } });
    expect(r.status).toBe(400);
  });

  it('a part of the wrong size is refused (a whole file PUT to the first part URL)', async () => {
    const k = await memberKit();
    const init = await rest(k, 'POST', '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner: k.ctx.account.meta.authorUrn, fileSizeBytes: PART + 1 } });
    const first = (init.json.value as { uploadInstructions: { uploadUrl: string }[] }).uploadInstructions[0]!;
    const put = await fetch(first.uploadUrl, { method: 'PUT', body: Buffer.alloc(PART + 1), headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(400);
  });

  it('duration 3 s..30 min: under or over is refused before scheduling', () => {
    const v = (durationSec: number): PostDraft => ({ text: 'v', media: [{ kind: 'file', path: '/v.mp4', mime: 'video/mp4', size: 1_000_000, durationSec }], options: {} });
    expect(li.validate(v(3))).toEqual([]);
    expect(li.validate(v(1800))).toEqual([]);
    expect(li.validate(v(2.9))).toHaveLength(1);
    expect(li.validate(v(1801))).toHaveLength(1);
  });
});

describe('reconcile after a lost answer (docs/platforms/linkedin.md#reconcile)', () => {
  const typed = 'Lost answer (really) #reconcile @ops snake_case \\o/';

  it("as a member: LinkedIn's finder needs r_member_social, so the outcome is unknown and says exactly why; one post", async () => {
    const k = await memberKit();
    await k.config({ dropAfterCommit: { path: '/rest/posts' } });
    const token = tokenWith(k, ['openid', 'profile', 'w_member_social']);
    await expect(li.publish(text(typed), token, k.pd, k.ctx)).rejects.toThrow();
    const rec = await li.reconcile(text(typed), token, k.pd, k.ctx);
    expect(rec).toEqual({ status: 'unknown', reason: expect.stringContaining('r_member_social') });
    expect((await k.posts()).map((p) => p.text)).toEqual([typed]);
  });

  it('as an organization: found through the organization finder, compared as shown (reserved characters, hashtags); one post', async () => {
    const { k, org } = await orgKit();
    await k.config({ dropAfterCommit: { path: '/rest/posts' } });
    const token = tokenWith(k, ['openid', 'profile', 'w_organization_social', 'r_organization_social']);
    const draft = { ...text(typed), media: [{ kind: 'file' as const, path: tempMedia(50_000, 'jpg'), mime: 'image/jpeg', size: 50_000 }] };
    await expect(li.publish(draft, token, k.pd, k.ctx)).rejects.toThrow();
    const rec = await li.reconcile(draft, token, k.pd, k.ctx);
    expect(rec).toMatchObject({ status: 'published', result: { remoteId: expect.stringMatching(/^urn:li:share:/) } });
    expect(await k.posts()).toMatchObject([{ text: typed, page: org, kind: 'image' }]);
    expect(await li.reconcile(text(`${typed} (edited)`), token, k.pd, k.ctx)).toEqual({ status: 'not_posted' });
  });

  it('as an organization without r_organization_social: unknown, naming that permission', async () => {
    const { k } = await orgKit();
    const token = tokenWith(k, ['openid', 'profile', 'w_organization_social']);
    await li.publish(text('hi'), token, k.pd, k.ctx);
    await k.ctx.saveCheckpoint({ sent: String(Date.now()) });
    expect(await li.reconcile(text('hi'), token, k.pd, k.ctx)).toEqual({ status: 'unknown', reason: expect.stringContaining('r_organization_social') });
  });

  it('posting as an organization the member does not administer is a permission error', async () => {
    const k = await memberKit();
    k.ctx.account.meta.authorUrn = 'urn:li:organization:1';
    await expect(li.publish(text('hi'), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'permission', status: 403 });
  });
});

describe('request headers (docs/platforms/linkedin.md#versions, #headers)', () => {
  it('an inactive LinkedIn-Version is a clear invalid_request (426), not a reconnect', async () => {
    const k = await memberKit();
    await expect(li.publish(text('x'), k.token, { ...k.pd, apiVersion: '202401' }, k.ctx)).rejects.toMatchObject({ status: 426, errorClass: 'invalid_request' });
  });

  it('LinkedIn-Version must be YYYYMM', async () => {
    const k = await memberKit();
    await expect(li.publish(text('x'), k.token, { ...k.pd, apiVersion: '2026-04' }, k.ctx)).rejects.toMatchObject({ status: 426 });
    await expect(li.publish(text('x'), k.token, { ...k.pd, apiVersion: '202604' }, k.ctx)).resolves.toMatchObject({ remoteId: expect.any(String) });
  });

  it('without X-Restli-Protocol-Version the call is refused', async () => {
    const k = await memberKit();
    const res = await fetch(`${k.origin}/rest/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k.token.accessToken}`, 'linkedin-version': '202604', 'content-type': 'application/json' },
      body: JSON.stringify({ author: k.ctx.account.meta.authorUrn, commentary: 'x', visibility: 'PUBLIC', lifecycleState: 'PUBLISHED' }),
    });
    expect(res.status).toBe(400);
    expect(await k.posts()).toEqual([]);
  });
});

describe('finalizeUpload (docs/platforms/linkedin.md#video-parts)', () => {
  it('finalize with the ETags out of order is refused', async () => {
    const k = await memberKit();
    const size = PART + 10;
    const init = await rest(k, 'POST', '/rest/videos?action=initializeUpload', { initializeUploadRequest: { owner: k.ctx.account.meta.authorUrn, fileSizeBytes: size } });
    const v = init.json.value as { video: string; uploadToken: string; uploadInstructions: { uploadUrl: string; firstByte: number; lastByte: number }[] };
    const etags: string[] = [];
    for (const p of v.uploadInstructions) {
      const put = await fetch(p.uploadUrl, { method: 'PUT', body: Buffer.alloc(p.lastByte - p.firstByte + 1, etags.length + 1) });
      etags.push(put.headers.get('etag')!);
    }
    const finalize = (ids: string[]) => rest(k, 'POST', '/rest/videos?action=finalizeUpload', { finalizeUploadRequest: { video: v.video, uploadToken: v.uploadToken, uploadedPartIds: ids } });
    expect((await finalize([...etags].reverse())).status).toBe(400);
    expect((await finalize(etags)).status).toBe(200);
  });
});
