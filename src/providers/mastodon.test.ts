/**
 * Mastodon's pure rules (docs/platforms/mastodon.md): error classification of the recorded bodies,
 * the server's way of counting a status (URLs, mentions, content warning, graphemes) at the limit,
 * the instance configuration, and the per-server app helpers (instance names, loopback redirects).
 */
import { describe, expect, it } from 'vitest';
import { classifyMastodonError, mastodonRetryMs } from './mastodon.js';
import { countableText, statusLength } from './mastodon-text.js';
import { DEFAULT_LIMITS, limitsFrom } from './mastodon-instance.js';
import { checkAgainst } from './mastodon-publish.js';
import { coversRedirect, parseInstance, registrationRedirect } from '../auth/instance-app.js';
import { errorFixture } from '../../test/helpers/fixtures.js';

describe('classifyMastodonError (docs/platforms/mastodon.md#errors)', () => {
  const f = (name: string) => errorFixture('mastodon', name);
  it.each([
    ['invalid-token', 'api', 'reconnect_needed'],
    ['outside-scopes', 'api', 'permission'],
    ['text-blank', 'api', 'invalid_request'],
    ['media-processing', 'api', 'transient'],
    ['invalid-grant', 'code', 'invalid_request'],
    ['invalid-client', 'code', 'permission'],
    ['rate-limited', 'api', 'rate_limited'],
  ] as const)('%s at %s -> %s', (name, context, cls) => {
    const x = f(name);
    expect(classifyMastodonError(x.status, x.body, context).errorClass).toBe(cls);
  });
  it('a 401 at the code exchange is not a reconnect (the login itself failed)', () => {
    expect(classifyMastodonError(401, f('invalid-client').body, 'code').errorClass).toBe('permission');
    expect(classifyMastodonError(401, f('invalid-token').body, 'api').reason).toBe('unknown');
  });
  it('5xx and network failures are transient', () => {
    expect(classifyMastodonError(502, undefined, 'api').errorClass).toBe('transient');
    expect(classifyMastodonError(0, undefined, 'api').errorClass).toBe('transient');
  });
  it('X-RateLimit-Reset is an ISO 8601 time; Retry-After wins', () => {
    const now = Date.parse('2026-12-06T12:00:00.000Z');
    expect(mastodonRetryMs(new Headers({ 'x-ratelimit-reset': '2026-12-06T12:05:00.000Z' }), now)).toBe(300_000);
    expect(mastodonRetryMs(new Headers({ 'retry-after': '7', 'x-ratelimit-reset': '2026-12-06T12:05:00.000Z' }), now)).toBe(7_000);
    expect(mastodonRetryMs(new Headers({}), now)).toBeUndefined();
  });
});

describe('statusLength (docs/platforms/mastodon.md#text-length)', () => {
  it('every http(s) URL counts as the reserved number, whatever its length', () => {
    const long = `https://example.com/${'p'.repeat(200)}`;
    expect(statusLength(long, '', 23)).toBe(23);
    expect(statusLength(`see ${long} and http://a.io`, '', 23)).toBe(4 + 23 + 5 + 23);
    // Without a scheme it is plain text, counted character by character.
    expect(statusLength('example.com/abc', '', 23)).toBe(15);
  });
  it('a remote mention counts as its username; a local one as typed; a URL path with @ stays a URL', () => {
    expect(countableText('hi @alice@mastodon.example.social!', 23)).toBe('hi @alice!');
    expect(statusLength('@bob', '', 23)).toBe(4);
    expect(statusLength('https://example.com/@alice@x.y', '', 23)).toBe(23);
    expect(statusLength('mail me: bob@example.com', '', 23)).toBe(24);
  });
  it('the content warning counts, and an emoji (one grapheme) is one character', () => {
    expect(statusLength('abc', 'cw', 23)).toBe(5);
    expect(statusLength('👩‍👩‍👧‍👦🇩🇪é', '', 23)).toBe(3);
  });
  it.each([
    [499, 0],
    [500, 0],
    [501, 1],
  ])('checkAgainst a 500-character server: %i characters -> %i issue(s)', (n, issues) => {
    expect(checkAgainst({ text: 'x'.repeat(n), media: [], options: {} }, DEFAULT_LIMITS)).toHaveLength(issues);
  });
  it('at the limit with a URL and a mention, over by one is refused', () => {
    const url = `https://example.com/${'q'.repeat(80)}`;
    const at = `@carol@far.example ${url} ${'y'.repeat(500 - 6 - 1 - 23 - 1)}`;
    expect(statusLength(at, '', 23)).toBe(500);
    expect(checkAgainst({ text: at, media: [], options: {} }, DEFAULT_LIMITS)).toEqual([]);
    expect(checkAgainst({ text: `${at}y`, media: [], options: {} }, DEFAULT_LIMITS)).toHaveLength(1);
  });
});

describe('instance configuration (docs/platforms/mastodon.md#instance-limits)', () => {
  it('reads configuration.statuses and media_attachments; missing parts take the defaults', () => {
    const l = limitsFrom({ configuration: { statuses: { max_characters: 5000, max_media_attachments: 6, characters_reserved_per_url: 30 }, media_attachments: { image_size_limit: 1000, video_size_limit: 2000, supported_mime_types: ['image/png'] } } });
    expect(l).toMatchObject({ maxCharacters: 5000, maxAttachments: 6, reservedPerUrl: 30, imageSizeLimit: 1000, videoSizeLimit: 2000, supportedMimeTypes: ['image/png'], descriptionLimit: 1500 });
    expect(limitsFrom({})).toEqual(DEFAULT_LIMITS);
    expect(limitsFrom({ max_toot_chars: 11_000 }).maxCharacters).toBe(11_000);
  });
  it('media at the size limit pass, one byte over does not; a type the server does not list is refused', () => {
    const l = { ...DEFAULT_LIMITS, supportedMimeTypes: ['image/png', 'video/mp4'] };
    const img = (size: number, mime = 'image/png') => ({ text: 'x', media: [{ kind: 'file' as const, path: '/a', size, mime }], options: {} });
    expect(checkAgainst(img(l.imageSizeLimit), l)).toEqual([]);
    expect(checkAgainst(img(l.imageSizeLimit + 1), l)).toHaveLength(1);
    expect(checkAgainst(img(10, 'image/heic'), l)[0]?.message).toMatch(/does not accept/);
  });
});

describe('per-server apps (docs/platforms/mastodon.md#apps, #redirect)', () => {
  it('parses instance names: https by default, http only on this machine, nothing but a server', () => {
    expect(parseInstance('mastodon.social')).toBe('https://mastodon.social');
    expect(parseInstance('https://Fosstodon.org/')).toBe('https://fosstodon.org');
    expect(parseInstance('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
    expect(() => parseInstance('http://mastodon.social')).toThrow(/https/);
    expect(() => parseInstance('https://mastodon.social/?x=1')).toThrow(/not a server/);
  });
  it('a 127.0.0.1 registration without port covers every port; localhost does not', () => {
    expect(registrationRedirect('http://127.0.0.1:53111/callback')).toBe('http://127.0.0.1/callback');
    expect(coversRedirect('http://127.0.0.1/callback', 'http://127.0.0.1:53111/callback')).toBe(true);
    expect(coversRedirect('http://127.0.0.1/callback', 'http://127.0.0.1:53111/other')).toBe(false);
    expect(coversRedirect('http://localhost/callback', 'http://localhost:53111/callback')).toBe(false);
    expect(registrationRedirect('http://localhost:53111/callback')).toBe('http://localhost:53111/callback');
  });
});

describe('periodic who-am-I for tokens that never expire (docs/platforms/mastodon.md#lifetimes)', async () => {
  const { refreshDue } = await import('../auth/due.js');
  const { descriptor } = await import('./mastodon.js');
  const H = 3_600_000;
  const now = Date.parse('2026-12-06T12:00:00Z');
  const due = (lastCheckHoursAgo: number | null, obtainedHoursAgo = 100) =>
    refreshDue({ conn: { accessExpiresAt: null, tokenObtainedAt: now - obtainedHoursAgo * H, lastRefreshAt: lastCheckHoursAgo === null ? null : now - lastCheckHoursAgo * H }, descriptor, thresholdMs: 0, now });
  it('checks every 6 hours since the last check (or the login), not before', () => {
    expect(descriptor.refresh.checkEveryMinutes).toBe(360);
    expect(due(5.9)).toMatchObject({ due: false, kind: 'no_expiry' });
    expect(due(6)).toMatchObject({ due: true });
    expect(due(null, 1)).toMatchObject({ due: false });
    expect(due(null, 7)).toMatchObject({ due: true });
  });
});

describe('schedule-time media check (docs/platforms/mastodon.md#instance-limits)', async () => {
  const { checkDraftMedia } = await import('../publish/media-check.js');
  const draft = (mime: string, size: number, container: string) => ({ text: 'x', options: {}, media: [{ kind: 'file' as const, path: `/m.${container}`, mime, size, probe: { kind: mime.startsWith('video') ? ('video' as const) : ('image' as const), container } }] });
  it('a size beyond the defaults is left to the server (it may allow more); a format Mastodon never takes is refused', () => {
    expect(checkDraftMedia('mastodon', draft('video/mp4', 300 * 1024 * 1024, 'mp4'))).toEqual([]);
    expect(checkDraftMedia('mastodon', draft('image/png', 40 * 1024 * 1024, 'png'))).toEqual([]);
    expect(checkDraftMedia('mastodon', draft('video/x-msvideo', 1000, 'avi'))).toHaveLength(1);
  });
});
