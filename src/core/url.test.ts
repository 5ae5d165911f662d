import { describe, expect, it } from 'vitest';
import { hostUrl } from './url.js';

describe('hostUrl', () => {
  it('keeps a path prefix of the base', () => {
    expect(hostUrl('https://proxy.example/tiktok', '/v2/user/info/').toString()).toBe('https://proxy.example/tiktok/v2/user/info/');
    expect(hostUrl('https://proxy.example/tiktok/', '/v2/user/info/').toString()).toBe('https://proxy.example/tiktok/v2/user/info/');
  });
  it('joins a bare origin like new URL does', () => {
    expect(hostUrl('https://open.tiktokapis.com', '/v2/oauth/token/').toString()).toBe(new URL('/v2/oauth/token/', 'https://open.tiktokapis.com').toString());
  });
  it('keeps the query of the path and a port of the base', () => {
    expect(hostUrl('http://127.0.0.1:4000/a', '/2/users/me?user.fields=id').toString()).toBe('http://127.0.0.1:4000/a/2/users/me?user.fields=id');
  });
  it('adds the slash a relative path lacks', () => {
    expect(hostUrl('https://h/p', 'x').pathname).toBe('/p/x');
  });
});
