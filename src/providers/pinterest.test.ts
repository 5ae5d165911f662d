/**
 * Pinterest provider and pin rules at their boundaries (docs/platforms/pinterest.md): Basic auth and
 * continuous_refresh at the token endpoint, the rotating 60-day refresh token, error classes, and the
 * pin limits (board, one medium, title 100, description 500, alt text 500, link 2048, no video URLs).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import { classifyPinterestError, descriptor, provider } from './pinterest.js';
import { validate } from './pinterest-publish.js';
import { checkDraftMedia } from '../publish/media-check.js';
import type { MediaRef, PostDraft, ProviderDeps, TokenSet } from './types.js';
import { JSON_HEADERS as JSONH, T0, providerKit, type ProviderKit } from '../../test/helpers/provider-kit.js';
import { errorFixture } from '../../test/helpers/fixtures.js';

let kit: ProviderKit;
let d: ProviderDeps;
beforeEach(() => {
  kit = providerKit(descriptor, { clientId: 'pin-app', clientSecret: 'pin-secret-123' });
  d = kit.d;
});
afterEach(() => kit.done());
const api = () => kit.agent.get('https://api.pinterest.com');
const basic = `Basic ${Buffer.from('pin-app:pin-secret-123').toString('base64')}`;
const form = (b: unknown) => new URLSearchParams(String(b));

describe('pinterest OAuth', () => {
  it('authorizes at www.pinterest.com/oauth/ with comma scopes and no PKCE, on a fixed http port', () => {
    const u = provider.buildAuthorizeUrl({ redirectUri: 'http://127.0.0.1:8745/callback', state: 's', codeVerifier: 'v'.repeat(43), scopes: descriptor.scopes.map((s) => s.scope) }, d);
    expect(`${u.origin}${u.pathname}`).toBe('https://www.pinterest.com/oauth/');
    expect(u.searchParams.get('scope')).toBe('user_accounts:read,boards:read,pins:read,pins:write');
    expect(u.searchParams.get('code_challenge')).toBeNull();
    expect(descriptor.redirect).toMatchObject({ port: 8745, https: false });
  });

  it('exchanges the code with HTTP Basic and continuous_refresh=true; records the 60-day refresh deadline', async () => {
    api()
      .intercept({ path: '/v5/oauth/token', method: 'POST', headers: { authorization: basic }, body: (b) => form(b).get('grant_type') === 'authorization_code' && form(b).get('continuous_refresh') === 'true' && !form(b).has('client_secret') })
      .reply(200, { access_token: 'pina_1', token_type: 'bearer', expires_in: 2592000, scope: 'boards:read,pins:write', refresh_token: 'pinr_1', refresh_token_expires_in: 5184000, refresh_token_expires_at: 0 }, JSONH);
    const t = await provider.exchangeCode({ code: 'c', redirectUri: 'http://127.0.0.1:8745/callback', codeVerifier: '', callbackParams: {} }, d);
    expect(t).toMatchObject({ accessToken: 'pina_1', refreshToken: 'pinr_1', expiresAt: T0 + 30 * DAY, refreshExpiresAt: T0 + 60 * DAY, scopes: ['boards:read', 'pins:write'] });
    expect(t.refreshExpiresEstimated).toBeUndefined();
  });

  it('refresh: a new refresh token replaces the old one (continuous refresh), with its own 60 days', async () => {
    api()
      .intercept({ path: '/v5/oauth/token', method: 'POST', headers: { authorization: basic }, body: (b) => form(b).get('grant_type') === 'refresh_token' && form(b).get('refresh_token') === 'pinr_1' && form(b).get('continuous_refresh') === 'true' })
      .reply(200, { access_token: 'pina_2', token_type: 'bearer', expires_in: 2592000, scope: 'pins:write', refresh_token: 'pinr_2', refresh_token_expires_in: 5184000 }, JSONH);
    const t: TokenSet = { accessToken: 'pina_1', refreshToken: 'pinr_1', expiresAt: T0 + DAY, refreshExpiresAt: T0 + 10 * DAY, scopes: ['pins:write'], obtainedAt: T0 - 29 * DAY };
    expect(await provider.refresh(t, d)).toMatchObject({ accessToken: 'pina_2', refreshToken: 'pinr_2', refreshExpiresAt: T0 + 60 * DAY });
    expect(descriptor.refresh).toMatchObject({ kind: 'refresh_token', rotates: true });
  });

  it('a refresh token past its 60 days is a reconnect without a network call', async () => {
    const t: TokenSet = { accessToken: 'a', refreshToken: 'r', refreshExpiresAt: T0 - 1, scopes: [], obtainedAt: T0 - 61 * DAY };
    const e = await provider.refresh(t, d).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ errorClass: 'reconnect_needed', reason: 'refresh_token_expired' });
  });

  it.each([
    ['authentication-failed', 'api', 'reconnect_needed'],
    ['not-permitted', 'api', 'permission'],
    ['rate-limited', 'api', 'rate_limited'],
    ['board-not-found', 'api', 'invalid_request'],
  ] as const)('recorded body %s at the API is %s', (name, context, cls) => {
    const f = errorFixture('pinterest', name);
    expect(classifyPinterestError(f.status, f.body, context).errorClass).toBe(cls);
  });
  it.each([
    [400, { code: 1, message: 'Invalid refresh token.' }, 'refresh', 'reconnect_needed'],
    [401, { code: 2, message: 'Authentication failed.' }, 'refresh', 'reconnect_needed'],
    [400, { code: 1, message: 'Invalid authorization code' }, 'code', 'invalid_request'],
    [503, {}, 'api', 'transient'],
    [0, undefined, 'api', 'transient'],
  ] as const)('HTTP %i %j at %s is %s', (status, body, context, cls) => {
    expect(classifyPinterestError(status, body, context).errorClass).toBe(cls);
  });
});

describe('pinterest pins at schedule time', () => {
  const img: MediaRef = { kind: 'url', url: 'https://cdn.example.com/a.jpg', mime: 'image/jpeg' };
  const draft = (o: Partial<PostDraft> = {}): PostDraft => ({ text: 'desc', media: [img], options: { board: '123' }, ...o });
  const msgs = (p: PostDraft) => validate(p).map((i) => i.message).join('\n');
  it('a board is required and must be a board id', () => {
    expect(msgs(draft())).toBe('');
    expect(msgs(draft({ options: {} }))).toMatch(/--board <name or id>/);
    expect(msgs(draft({ options: { board: 'Recipes' } }))).toMatch(/board id is a number/);
  });
  it.each([
    ['title', 'title', 100],
    ['text', 'description', 500],
  ] as const)('%s: %i characters pass, one more is refused', (field, what, max) => {
    const at = field === 'title' ? draft({ title: 'é'.repeat(max) }) : draft({ text: 'é'.repeat(max) });
    const over = field === 'title' ? draft({ title: 'é'.repeat(max + 1) }) : draft({ text: 'é'.repeat(max + 1) });
    expect(msgs(at)).toBe('');
    expect(msgs(over)).toMatch(new RegExp(`${what} is at most ${max} characters`));
  });
  it('alt text 500 passes, 501 is refused; a link must be http(s) and at most 2048 characters', () => {
    expect(msgs(draft({ options: { board: '1', altText: 'a'.repeat(500) } }))).toBe('');
    expect(msgs(draft({ options: { board: '1', altText: 'a'.repeat(501) } }))).toMatch(/alt text is at most 500/);
    const link = (n: number) => 'https://e.com/' + 'x'.repeat(n - 14);
    expect(msgs(draft({ options: { board: '1', link: link(2048) } }))).toBe('');
    expect(msgs(draft({ options: { board: '1', link: link(2049) } }))).toMatch(/at most 2048/);
    expect(msgs(draft({ options: { board: '1', link: 'ftp://e.com' } }))).toMatch(/http/);
  });
  it('exactly one medium; a video URL is refused (uploads only)', () => {
    expect(msgs(draft({ media: [] }))).toMatch(/exactly one image or video/);
    expect(msgs(draft({ media: [img, img] }))).toMatch(/exactly one image or video/);
    expect(msgs(draft({ media: [{ kind: 'url', url: 'https://cdn.example.com/v.mp4', mime: 'video/mp4' }] }))).toMatch(/videos as uploads only/);
  });
  it('video: 4 s and 15 min pass, 3.9 s and 15 min + 1 s are refused; aspect 1:2 to 1.91:1', () => {
    const v = (durationSec: number, width = 1080, height = 1920): MediaRef => ({ kind: 'file', path: '/tmp/v.mp4', mime: 'video/mp4', size: 1000, probe: { kind: 'video', container: 'mp4', durationSec, width, height, fps: 30, videoCodec: 'h264' } });
    const check = (m: MediaRef) => checkDraftMedia('pinterest', draft({ media: [m] })).map((i) => i.message).join('\n');
    expect(check(v(4))).toBe('');
    expect(check(v(900))).toBe('');
    expect(check(v(3.9))).toMatch(/minimum is 4 s/);
    expect(check(v(901))).toMatch(/maximum is 900 s/);
    expect(check(v(10, 1000, 2000))).toBe('');
    expect(check(v(10, 999, 2000))).toMatch(/aspect ratio/);
    expect(check(v(10, 1910, 1000))).toBe('');
    expect(check(v(10, 1920, 1000))).toMatch(/aspect ratio/);
  });
});
