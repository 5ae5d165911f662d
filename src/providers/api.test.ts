/**
 * The per-platform parts of `socialync api` (src/providers/<platform>-api.ts): default path
 * prefixes, required headers, the refused-token test and each platform's paging rule.
 */
import { describe, expect, it } from 'vitest';
import type { ApiCall, PlatformApi } from './api.js';
import { xApi } from './x-api.js';
import { youtubeApi } from './youtube-api.js';
import { tiktokApi } from './tiktok-api.js';
import { linkedinApi } from './linkedin-api.js';
import { facebookApi } from './facebook-api.js';
import { instagramApi, instagramFacebookApi } from './instagram-api.js';
import { mastodonApi } from './mastodon-api.js';
import { linkTarget } from './api.js';
import { resolvePath } from '../commands/api.js';
import type { ProviderDeps } from './types.js';

const pd = (over: Partial<ProviderDeps> = {}) => ({ hosts: {}, ...over }) as ProviderDeps;
const get = (u: string): ApiCall => ({ method: 'GET', url: new URL(u) });

describe('default path prefixes', () => {
  it.each([
    [xApi, 'users/me', '/2/users/me'],
    [xApi, '/2/users/me', '/2/users/me'],
    [xApi, '1.1/account/settings.json', '/1.1/account/settings.json'],
    [youtubeApi, 'channels', '/youtube/v3/channels'],
    [youtubeApi, '/upload/youtube/v3/videos', '/upload/youtube/v3/videos'],
    [tiktokApi, 'user/info/', '/v2/user/info/'],
    [tiktokApi, '/v2/user/info/', '/v2/user/info/'],
    [linkedinApi, 'posts', '/rest/posts'],
    [linkedinApi, '/v2/userinfo', '/v2/userinfo'],
    [facebookApi, 'me/accounts', '/v25.0/me/accounts'],
    [facebookApi, '/v19.0/me', '/v19.0/me'],
    [instagramApi, 'me', '/v25.0/me'],
  ] as [PlatformApi, string, string][])('%#: %s', (api, path, want) => {
    expect(api.path(path, pd())).toBe(want);
  });

  it('the Graph prefix follows the configured version', () => {
    expect(facebookApi.path('me', pd({ apiVersion: 'v26.0' }))).toBe('/v26.0/me');
  });

  it('LinkedIn adds LinkedIn-Version (configured) and X-Restli-Protocol-Version 2.0.0, never a token header', () => {
    expect(linkedinApi.headers(pd({ apiVersion: '202611' }))).toStrictEqual({ 'linkedin-version': '202611', 'x-restli-protocol-version': '2.0.0' });
  });
});

describe('which token acts, and when the platform refused it', () => {
  const t = { accessToken: 'user-token', scopes: [], obtainedAt: 0, expiresAt: 123, extra: { pageAccessToken: 'page-token' } };
  it('Facebook: the Page token (no expiry); others: the access token with its expiry', () => {
    expect(facebookApi.credential(t)).toStrictEqual({ token: 'page-token' });
    expect(facebookApi.credential({ ...t, extra: {} })).toStrictEqual({ token: 'user-token', expiresAt: 123 });
    expect(instagramFacebookApi.credential(t)).toStrictEqual({ token: 'user-token', expiresAt: 123 });
    expect(xApi.credential(t)).toStrictEqual({ token: 'user-token', expiresAt: 123 });
  });

  it('Graph: 401, or code 190 / 102 with HTTP 400; not other errors', () => {
    expect(facebookApi.rejectsToken(400, { error: { code: 190, error_subcode: 463 } })).toBe(true);
    expect(facebookApi.rejectsToken(400, { error: { code: 102 } })).toBe(true);
    expect(facebookApi.rejectsToken(401, undefined)).toBe(true);
    expect(facebookApi.rejectsToken(400, { error: { code: 100 } })).toBe(false);
    expect(facebookApi.rejectsToken(200, { data: [] })).toBe(false);
    expect(xApi.rejectsToken(401, {})).toBe(true);
    expect(xApi.rejectsToken(403, {})).toBe(false);
  });
});

describe('paging', () => {
  it('X: meta.next_token as pagination_token; search takes it as next_token; the last page has none', () => {
    expect(xApi.nextPage(get('https://api.x.com/2/users/1/tweets?max_results=5'), { meta: { next_token: 'abc' } })?.url.href).toBe('https://api.x.com/2/users/1/tweets?max_results=5&pagination_token=abc');
    expect(xApi.nextPage(get('https://api.x.com/2/tweets/search/recent?query=a'), { meta: { next_token: 'abc' } })?.url.searchParams.get('next_token')).toBe('abc');
    expect(xApi.nextPage(get('https://api.x.com/2/users/1/tweets?pagination_token=abc'), { meta: { next_token: 'def' } })?.url.searchParams.getAll('pagination_token')).toEqual(['def']);
    expect(xApi.nextPage(get('https://api.x.com/2/users/1/tweets'), { meta: { result_count: 2 } })).toBeUndefined();
    expect(xApi.nextPage({ method: 'POST', url: new URL('https://api.x.com/2/tweets') }, { meta: { next_token: 'abc' } })).toBeUndefined();
  });

  it('YouTube: nextPageToken as pageToken', () => {
    expect(youtubeApi.nextPage(get('https://www.googleapis.com/youtube/v3/playlistItems?part=id'), { nextPageToken: 'CAUQAA', items: [] })?.url.searchParams.get('pageToken')).toBe('CAUQAA');
    expect(youtubeApi.nextPage(get('https://www.googleapis.com/youtube/v3/playlistItems'), { prevPageToken: 'x', items: [] })).toBeUndefined();
  });

  it('TikTok: data.cursor back in the JSON body while data.has_more', () => {
    const call: ApiCall = { method: 'POST', url: new URL('https://open.tiktokapis.com/v2/video/list/?fields=id'), json: { max_count: 20 } };
    expect(tiktokApi.nextPage(call, { data: { videos: [], cursor: 1700000000000, has_more: true } })).toStrictEqual({ ...call, json: { max_count: 20, cursor: 1700000000000 } });
    expect(tiktokApi.nextPage(call, { data: { videos: [], cursor: 1700000000000, has_more: false } })).toBeUndefined();
  });

  it('LinkedIn: paging.links rel=next first; else start/count, ending on a short page or at total', () => {
    const u = 'https://api.linkedin.com/rest/posts?q=author&count=2';
    expect(linkedinApi.nextPage(get(u), { elements: [1, 2], paging: { start: 0, count: 2, links: [{ rel: 'next', href: '/rest/posts?q=author&start=2&count=2' }] } })?.url.href).toBe('https://api.linkedin.com/rest/posts?q=author&start=2&count=2');
    expect(linkedinApi.nextPage(get(u), { elements: [1, 2], paging: { start: 0, count: 2 } })?.url.searchParams.get('start')).toBe('2');
    expect(linkedinApi.nextPage(get(u), { elements: [1], paging: { start: 2, count: 2 } })).toBeUndefined();
    expect(linkedinApi.nextPage(get(u), { elements: [1, 2], paging: { start: 2, count: 2, total: 4 } })).toBeUndefined();
    expect(linkedinApi.nextPage(get(u), { elements: [], paging: { start: 4, count: 2 } })).toBeUndefined();
  });

  it('Graph: the absolute paging.next URL', () => {
    const next = 'https://graph.facebook.com/v25.0/1/feed?limit=2&after=QVFI';
    expect(facebookApi.nextPage(get('https://graph.facebook.com/v25.0/1/feed?limit=2'), { data: [], paging: { cursors: { after: 'QVFI' }, next } })?.url.href).toBe(next);
    expect(facebookApi.nextPage(get('https://graph.facebook.com/v25.0/1/feed'), { data: [], paging: { cursors: { after: 'QVFI' } } })).toBeUndefined();
  });

  it('Mastodon: the Link header\'s rel="next" URL (docs/platforms/mastodon.md#api-paging); none, or an empty page, ends paging', () => {
    const u = 'https://m.example/api/v1/accounts/1/statuses?limit=2';
    const link = (v: string) => new Headers({ link: v });
    const both = '<https://m.example/api/v1/accounts/1/statuses?limit=2&max_id=7163058>; rel="next", <https://m.example/api/v1/accounts/1/statuses?limit=2&min_id=7275607>; rel="prev"';
    expect(mastodonApi.nextPage(get(u), [{ id: '1' }], link(both))?.url.href).toBe('https://m.example/api/v1/accounts/1/statuses?limit=2&max_id=7163058');
    expect(mastodonApi.nextPage(get(u), [{ id: '1' }], link('<https://m.example/api/v1/x?min_id=9>; rel="prev"'))).toBeUndefined();
    expect(mastodonApi.nextPage(get(u), [{ id: '1' }], new Headers())).toBeUndefined();
    expect(mastodonApi.nextPage(get(u), [], link(both))).toBeUndefined();
    expect(mastodonApi.nextPage({ method: 'POST', url: new URL(u) }, [{ id: '1' }], link(both))).toBeUndefined();
  });

  it('Link header parsing (RFC 8288): quoted or bare rel, several rel types, relative URLs, commas inside the URL', () => {
    const base = new URL('https://m.example/api/v1/timelines/home');
    expect(linkTarget('<https://m.example/a?x=1,2>; rel="prev", <https://m.example/b?max_id=5>; rel="next"', 'next', base)?.href).toBe('https://m.example/b?max_id=5');
    expect(linkTarget('</api/v1/timelines/home?max_id=5>; rel=next', 'next', base)?.href).toBe('https://m.example/api/v1/timelines/home?max_id=5');
    expect(linkTarget('<https://m.example/c>; title="a, b"; rel="prev next"', 'next', base)?.href).toBe('https://m.example/c');
    expect(linkTarget('<https://m.example/d>; REL="Next"', 'next', base)?.href).toBe('https://m.example/d');
    expect(linkTarget('<https://m.example/e>; rel="nextish"', 'next', base)).toBeUndefined();
    expect(linkTarget(null, 'next', base)).toBeUndefined();
  });
});

describe('where the token may go', () => {
  const target = (hosts: Record<string, string>, api: PlatformApi = xApi) => ({ platform: 'x' as const, api, pd: pd({ hosts }), bases: Object.values(hosts).map((h) => new URL(h)) });

  it('a relative path joins the first API host, keeping an overridden path prefix', () => {
    expect(resolvePath(target({ api: 'https://api.x.com' }), 'users/me?user.fields=id').href).toBe('https://api.x.com/2/users/me?user.fields=id');
    expect(resolvePath(target({ api: 'https://proxy.example/tiktok' }, tiktokApi), 'user/info/').href).toBe('https://proxy.example/tiktok/v2/user/info/');
    // "//host" is a path on the API host, never another host.
    expect(resolvePath(target({ api: 'https://api.x.com' }), '//evil.example/2/x').host).toBe('api.x.com');
  });

  it('an absolute URL only on the platform hosts (scheme, port and prefix included)', () => {
    const t = target({ api: 'https://proxy.example/x', graph: 'https://graph.facebook.com' });
    expect(resolvePath(t, 'https://proxy.example/x/2/users/me').href).toBe('https://proxy.example/x/2/users/me');
    expect(resolvePath(t, 'https://graph.facebook.com/v25.0/me').host).toBe('graph.facebook.com');
    for (const bad of ['https://proxy.example/other/2/users/me', 'https://proxy.example/xy', 'http://proxy.example/x/2', 'https://proxy.example:8443/x/2', 'https://evil.example/x/2', 'https://proxy.example@evil.example/x/2', 'https://u:p@proxy.example/x/2', 'file:///etc/passwd']) {
      expect(() => resolvePath(t, bad), bad).toThrow(/refusing to send the x token/);
    }
  });
});
