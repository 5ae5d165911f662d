/**
 * X text rules (docs/platforms/x.md#length, #stored-text, #reconcile): the weighted length
 * twitter-text counts, at and around the limit (default and configured), and reconcile
 * against the form X stores (t.co links, HTML entities, media link, note_tweet), through
 * the publisher against the sandbox: an answer lost after the post exists ends with
 * exactly one post.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as xRoutes from '../../src/sandbox/x-publish.js';
import { publisher as x } from '../../src/providers/x-publish.js';
import { matchesStored } from '../../src/providers/x-text.js';
import { storedPost, storeText } from '../../src/sandbox/x-stored.js';
import { createHttp } from '../../src/core/http.js';
import type { PostDraft } from '../../src/providers/types.js';
import { startPubKit, tempMedia, type PubKit } from './kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const draft = (text: string): PostDraft => ({ text, media: [], options: {} });
const settings = (v: unknown) => ({ get: <T>(k: string) => (k === 'textLimits.x' ? (v as T) : undefined) });
const issues = (text: string, s?: ReturnType<typeof settings>) => x.validate(draft(text), s).map((i) => i.message);
const LONG_URL = `https://example.com/${'p'.repeat(300)}?q=1&r=2`;

describe('X weighted length (twitter-text)', () => {
  it.each([
    ['280 Latin characters', 'a'.repeat(280), 280],
    ['140 CJK characters (2 each)', '漢'.repeat(140), 280],
    ['140 emoji (2 each)', '👋'.repeat(140), 280],
    ['140 ZWJ family emoji (2 each, whatever their code points)', '👨‍👩‍👧‍👦'.repeat(140), 280],
    ['a 320-character link counts 23', `${'a'.repeat(256)} ${LONG_URL}`, 280],
    ['a bare domain is a link too', `${'a'.repeat(256)} example.com`, 280],
  ])('%s is at the limit and accepted', (_name, text) => {
    expect(issues(text)).toEqual([]);
  });

  it.each([
    ['281 Latin characters', 'a'.repeat(281), 281],
    ['141 CJK characters', '漢'.repeat(141), 282],
    ['139 CJK and 3 Latin', `${'漢'.repeat(139)}abc`, 281],
    ['141 emoji', '👋'.repeat(141), 282],
    ['a long link one character over', `${'a'.repeat(257)} ${LONG_URL}`, 281],
  ])('%s is over and refused with the weighted count', (_name, text, n) => {
    expect(issues(text)).toEqual([expect.stringContaining(`X counts this text as ${n} characters`)]);
    expect(issues(text)[0]).toContain('the limit is 280; for an account with longer posts (X Premium) set textLimits.x');
  });

  it('code points are not the measure: 200 CJK characters are 400 weighted', () => {
    expect(issues('漢'.repeat(200))).toEqual([expect.stringContaining('as 400 characters')]);
  });

  it('a configured larger limit (X Premium) moves the boundary: just under, at, over', () => {
    const premium = settings(25_000);
    expect(issues('a'.repeat(24_999), premium)).toEqual([]);
    expect(issues('a'.repeat(25_000), premium)).toEqual([]);
    expect(issues('a'.repeat(25_001), premium)).toEqual([expect.stringMatching(/as 25001 characters.*the limit is 25000 \(config textLimits\.x\)/)]);
    expect(issues('漢'.repeat(12_501), premium)).toEqual([expect.stringContaining('as 25002 characters')]);
  });

  it('an unusable setting is named, and characters X refuses are named', () => {
    expect(issues('hi', settings('lots'))).toEqual([expect.stringContaining('config textLimits.x must be a whole number of at least 280')]);
    expect(issues('hi', settings(100))).toEqual([expect.stringContaining('textLimits.x')]);
    expect(issues('bad \uFFFE char')).toEqual([expect.stringContaining('U+FFFE')]);
  });

  it('publish checks again before anything is sent (the setting may have changed since schedule add)', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    await expect(x.publish(draft('a'.repeat(281)), kit.token, kit.pd, kit.ctx)).rejects.toMatchObject({ errorClass: 'invalid_request', message: expect.stringContaining('as 281 characters') });
    expect(await kit.posts()).toHaveLength(0);
    expect(kit.ctx.saved).toEqual([]);
  });

  it('the sandbox refuses what X refuses: 281 weighted characters at POST /2/tweets', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    const send = (text: string) => fetch(`${kit!.origin}/2/tweets`, { method: 'POST', headers: { authorization: `Bearer ${kit!.token.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    expect((await send('漢'.repeat(140))).status).toBe(201);
    const over = await send(`${'漢'.repeat(140)}a`);
    expect(over.status).toBe(403);
    expect(await over.json()).toMatchObject({ title: 'Forbidden', detail: expect.stringContaining('too long') });
  });
});

describe('reconcile compares with the form X stores', () => {
  const cases: [string, string, number][] = [
    ['a link', 'Read https://example.com/post?a=1&b=2 today', 0],
    ['HTML-encoded characters', 'Fish & chips <3 > 2 &amp; more', 0],
    ['a bare domain (stored as http://)', 'see example.com/x, and Example.org', 0],
    ['an attached image (trailing media link)', 'with a picture & a link https://example.com/p', 1],
    ['media only (no text)', '', 1],
    ['decomposed accents (X stores NFC)', 'cafe\u0301 &', 0],
    ['CRLF line ends', 'one\r\ntwo & three', 0],
  ];
  it.each(cases)('%s matches', (_n, text, media) => {
    const stored = storeText('1800000000000001', text, media ? [{ key: '3_1', kind: 'photo', user: 'alice' }] : []);
    expect(stored.text).not.toBe(text || 'x'); // the stored form really differs from what was typed
    expect(matchesStored(text, storedPost('1800000000000001', stored, 10, new Set(['entities'])), media > 0)).toBe(true);
  });

  it('a different text or a different link does not match', () => {
    const stored = storedPost('1', storeText('1', 'Read https://example.com/a & more', []), 10, new Set(['entities']));
    expect(matchesStored('Read https://example.com/b & more', stored, false)).toBe(false);
    expect(matchesStored('Read https://example.com/a and more', stored, false)).toBe(false);
    expect(matchesStored('Read https://example.com/a & more', stored, false)).toBe(true);
  });

  it('a long post matches through note_tweet; without it, it cannot be compared', () => {
    const text = `${'long '.repeat(80)}https://example.com/long & end`;
    const stored = storeText('2', text, []);
    expect(matchesStored(text, storedPost('2', stored, 500, new Set(['entities', 'note_tweet'])), false)).toBe(true);
    expect(matchesStored(text, storedPost('2', stored, 500, new Set(['entities'])), false)).toBe(false);
  });
});

describe('X publisher: an answer lost after the post exists', () => {
  const lost = async (text: string, o: { media?: boolean; hold?: boolean } = {}) => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    const d: PostDraft = { text, media: o.media ? [{ kind: 'file', path: tempMedia(1000, 'png'), mime: 'image/png', size: 1000 }] : [], options: {} };
    const pd = o.hold ? { ...kit.pd, http: createHttp({ timeoutMs: 300 }) } : kit.pd;
    if (o.hold) await fetch(`${kit.origin}/__publish/v1/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ holdCreateMs: 1500 }) });
    else await kit.config({ dropAfterCommit: { path: '/2/tweets' } });
    await expect(x.publish(d, kit.token, pd, kit.ctx)).rejects.toThrow();
    expect(await kit.posts()).toHaveLength(1);
    const rec = await x.reconcile(d, kit.token, kit.pd, kit.ctx);
    expect(rec).toEqual({ status: 'published', result: { remoteId: (await kit.posts())[0]!.id, url: expect.stringContaining('/status/') } });
    return rec;
  };

  it('a post with a link and & (connection dropped) is found, not sent again', async () => {
    await lost('Launch notes https://example.com/notes?a=1&b=2 & <thanks>');
  });

  it('a post with an image (trailing t.co media link) is found', async () => {
    await lost('Photo & caption', { media: true });
  });

  it('create times out after the post exists: reconciled, exactly one post', async () => {
    await lost('Timed out & still there https://example.com/t', { hold: true });
  });

  it('a long post (configured limit, X Premium) is found through note_tweet', async () => {
    const text = `${'Premium words '.repeat(40)}https://example.com/premium & done`;
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    await fetch(`${kit.origin}/__publish/v1/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ textLimit: 25_000 }) });
    await kit.config({ dropAfterCommit: { path: '/2/tweets' } });
    const pd = { ...kit.pd, settings: settings(25_000) };
    await expect(x.publish(draft(text), kit.token, pd, kit.ctx)).rejects.toThrow();
    expect((await x.reconcile(draft(text), kit.token, pd, kit.ctx)).status).toBe('published');
    expect(await kit.posts()).toHaveLength(1);
  });

  it('a different post in the window is not taken for ours: not_posted', async () => {
    kit = await startPubKit('x', xRoutes, ['x', 'api']);
    await kit.config({ dropAfterCommit: { path: '/2/tweets' } });
    await expect(x.publish(draft('first & https://example.com/1'), kit.token, kit.pd, kit.ctx)).rejects.toThrow();
    expect((await x.reconcile(draft('second & https://example.com/1'), kit.token, kit.pd, kit.ctx)).status).toBe('not_posted');
  });
});
