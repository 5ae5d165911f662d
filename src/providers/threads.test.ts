/**
 * Threads provider and publishing rules at their boundaries (docs/platforms/threads.md): the OAuth steps
 * and the 24-hour refresh rule over a MockAgent, the 500-character count with emojis counted in UTF-8
 * bytes, the 5-link limit, the 2-20 carousel, public-URL media, and the media table.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import { descriptor, provider, THREADS_MIN_REFRESH_AGE_MS } from './threads.js';
import { threadsLength, threadsLinks, THREADS_TEXT_LIMIT } from './threads-text.js';
import { validate, THREADS_CAROUSEL } from './threads-publish.js';
import { checkDraftMedia } from '../publish/media-check.js';
import { sandboxTextLength } from '../sandbox/threads-publish.js';
import type { MediaRef, PostDraft, ProviderDeps, TokenSet } from './types.js';
import { JSON_HEADERS as JSONH, T0, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';
import { errorFixture } from '../../test/helpers/fixtures.js';

let kit: ProviderKit;
let d: ProviderDeps;
beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'th-app', clientSecret: 'th-secret-123' });
  kit.d.apiVersion = 'v1.0';
  d = kit.d;
});
afterEach(() => kit.done());
const graph = () => kit.agent.get('https://graph.threads.net');
const token = (over: Partial<TokenSet> = {}): TokenSet => ({ accessToken: 'THlong-abcdef', expiresAt: T0 + 30 * DAY, refreshExpiresAt: T0 + 30 * DAY, scopes: ['threads_basic'], obtainedAt: T0 - 30 * DAY, ...over });
const url = (u: string, mime = 'image/jpeg'): MediaRef => ({ kind: 'url', url: u, mime });
const draft = (text: string, media: MediaRef[] = []): PostDraft => ({ text, media, options: {} });
const messages = (p: PostDraft) => validate(p).map((i) => i.message).join('\n');

describe('threads authorization', () => {
  it('authorizes at threads.com with comma scopes, no PKCE, an https redirect on its fixed port', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: 'https://127.0.0.1:8744/callback', state: 's1', codeVerifier: 'v'.repeat(43), scopes: ['threads_basic', 'threads_content_publish'] }, d);
    expect(`${u.origin}${u.pathname}`).toBe('https://threads.com/oauth/authorize');
    expect(u.searchParams.get('scope')).toBe('threads_basic,threads_content_publish');
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('code_challenge')).toBeNull();
    expect(descriptor.redirect).toMatchObject({ https: true, port: 8744, host: '127.0.0.1' });
  });

  it('strips #_ from the code, then exchanges the 1-hour token for a 60-day one (th_exchange_token)', async () => {
    graph()
      .intercept({ path: '/oauth/access_token', method: 'POST', body: (b) => new URLSearchParams(b).get('code') === 'AQDx' && new URLSearchParams(b).get('client_secret') === 'th-secret-123' })
      .reply(200, { access_token: 'THshort-111111', user_id: 17841400000000001 }, JSONH);
    graph()
      .intercept({ path: (p) => p.startsWith('/access_token?') && p.includes('grant_type=th_exchange_token') && p.includes('access_token=THshort-111111') && p.includes('client_secret=th-secret-123'), method: 'GET' })
      .reply(200, { access_token: 'THlong-222222', token_type: 'bearer', expires_in: 5183944 }, JSONH);
    const t = await provider.exchangeCode({ code: 'AQDx#_', redirectUri: 'https://127.0.0.1:8744/callback', codeVerifier: '', callbackParams: {} }, d);
    expect(t).toMatchObject({ accessToken: 'THlong-222222', expiresAt: T0 + 5183944 * 1000, refreshExpiresAt: T0 + 5183944 * 1000 });
    expect(t.refreshToken).toBeUndefined();
    // A numeric user_id beyond 2^53 cannot be read exactly: it is not kept (who-am-I gives the id as a string).
    expect(t.extra).toBeUndefined();
  });
});

describe('threads refresh: only long-lived tokens at least 24 hours old and not expired', () => {
  it('just under 24 hours: no refresh call; the token is only checked and returned as it is', async () => {
    graph().intercept({ path: (p) => p.startsWith('/v1.0/me?'), method: 'GET' }).reply(200, { id: '42', username: 'alice' }, JSONH);
    const t = token({ obtainedAt: T0 - THREADS_MIN_REFRESH_AGE_MS + MINUTE });
    expect(await provider.refresh(t, d)).toBe(t);
  });
  it('at 24 hours: th_refresh_token gives a new 60-day token', async () => {
    graph()
      .intercept({ path: (p) => p.startsWith('/refresh_access_token?') && p.includes('grant_type=th_refresh_token') && p.includes('access_token=THlong-abcdef'), method: 'GET' })
      .reply(200, { access_token: 'THlong-333333', token_type: 'bearer', expires_in: 60 * 86400 }, JSONH);
    const next = await provider.refresh(token({ obtainedAt: T0 - THREADS_MIN_REFRESH_AGE_MS }), d);
    expect(next).toMatchObject({ accessToken: 'THlong-333333', expiresAt: T0 + 60 * DAY, obtainedAt: T0 });
  });
  it('expired: reconnect needed at once, without a network call', async () => {
    const e = await provider.refresh(token({ expiresAt: T0 - 1 }), d).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason: 'token_expired' });
  });
  it("Meta's code 190/463 at refresh is a reconnect; a 5xx is transient (the shared Graph table)", async () => {
    const f = errorFixture('meta', '190/463');
    graph().intercept({ path: (p) => p.startsWith('/refresh_access_token?'), method: 'GET' }).reply(f.status, f.body as object, JSONH);
    expect(await provider.refresh(token(), d).catch((x: unknown) => x)).toMatchObject({ errorClass: 'reconnect_needed', reason: 'token_expired' });
    graph().intercept({ path: (p) => p.startsWith('/refresh_access_token?'), method: 'GET' }).reply(503, { error: { message: 'down', code: 2 } }, JSONH);
    expect(await provider.refresh(token(), d).catch((x: unknown) => x)).toMatchObject({ errorClass: 'transient' });
  });
  it('refreshes 15 days before the 60 days end (product threshold)', () => {
    expect(descriptor.refresh).toMatchObject({ kind: 'ig_refresh', rotates: false, thresholdMinutes: 15 * 24 * 60 });
    expect(15 * DAY).toBeLessThan(60 * DAY - 24 * HOUR);
  });
});

describe('threads text: 500 characters, an emoji counting its UTF-8 bytes', () => {
  const a = (n: number) => 'a'.repeat(n);
  it.each([
    ['499 letters', a(499), 499, true],
    ['500 letters', a(500), 500, true],
    ['501 letters', a(501), 501, false],
    ['496 letters + 👍 (4 bytes)', a(496) + '👍', 500, true],
    ['497 letters + 👍', a(497) + '👍', 501, false],
    ['492 letters + 👍🏽 (skin tone: 8 bytes)', a(492) + '👍🏽', 500, true],
    ['493 letters + 🇩🇪 (flag: 8 bytes)', a(493) + '🇩🇪', 501, false],
    ['500 accented letters written with combining marks (one character each)', 'e\u0301'.repeat(500), 500, true],
    ['500 CJK characters (not emoji: one each)', '漢'.repeat(500), 500, true],
  ])('%s', (_name, text, length, ok) => {
    expect(threadsLength(text)).toBe(length);
    expect(sandboxTextLength(text)).toBe(length);
    if (ok) expect(messages(draft(text))).toBe('');
    else expect(messages(draft(text))).toMatch(new RegExp(`at most ${THREADS_TEXT_LIMIT} characters.*counts ${length}`));
  });
  it('at most 5 distinct links: 5 pass, 6 are refused, a repeated link counts once', () => {
    const links = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}`).join(' ');
    expect(threadsLinks(`${links(5)} https://example.com/0`)).toHaveLength(5);
    expect(messages(draft(links(5)))).toBe('');
    expect(messages(draft(`${links(5)} www.facebook.com`))).toMatch(/at most 5 links in a post; this text has 6/);
  });
});

describe('threads media at schedule time', () => {
  const images = (n: number) => Array.from({ length: n }, (_, i) => url(`https://cdn.example.com/${i}.jpg`));
  it('text only, one image, a 2-item and a 20-item carousel pass; 21 items are refused', () => {
    expect(messages(draft('hi'))).toBe('');
    expect(messages(draft('', images(1)))).toBe('');
    expect(messages(draft('', images(THREADS_CAROUSEL.min)))).toBe('');
    expect(messages(draft('', images(THREADS_CAROUSEL.max)))).toBe('');
    expect(messages(draft('', images(21)))).toMatch(/at most 20 images or videos; this post has 21/);
  });
  it('a local file is refused with the fix (Threads fetches media from a public URL)', () => {
    expect(messages(draft('hi', [{ kind: 'file', path: '/tmp/a.mp4', mime: 'video/mp4', size: 10 }]))).toMatch(/public URL .*--media https:\/\//);
  });
  it('empty text without media is refused', () => {
    expect(messages(draft('  '))).toMatch(/needs text or at least one image or video/);
  });
  it('JPEG and PNG images pass, GIF and WebP are refused; video: 300 s passes, 301 s is refused; 1 GB is the size limit', () => {
    const check = (m: MediaRef) => checkDraftMedia('threads', draft('', [m])).map((i) => i.message).join('\n');
    expect(check(url('https://cdn.example.com/a.png', 'image/png'))).toBe('');
    expect(check(url('https://cdn.example.com/a.gif', 'image/gif'))).toMatch(/Threads takes JPEG, PNG/);
    const video = (durationSec: number, size = 1000): MediaRef => ({ kind: 'file', path: '/tmp/v.mp4', mime: 'video/mp4', size, probe: { kind: 'video', container: 'mp4', durationSec, width: 1080, height: 1920, fps: 30, videoCodec: 'h264' } });
    expect(check(video(300))).toBe('');
    expect(check(video(301))).toMatch(/maximum is 300 s/);
    expect(check(video(10, 1024 ** 3))).toBe('');
    expect(check(video(10, 1024 ** 3 + 1))).toMatch(/maximum is 1 GB/);
  });
});
