import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DAY } from '../core/clock.js';
import { createHttp } from '../core/http.js';
import { ProviderError } from '../core/errors.js';
import { basicAuthorization, callJson, processTokenResponse, rateLimitDelayMs } from './oauth.js';
import { classify, descriptor } from './x.js';

const T0 = Date.UTC(2026, 10, 26);

describe('processTokenResponse', () => {
  const prev = { accessToken: 'old', refreshToken: 'keep', refreshExpiresAt: T0 + 5 * DAY, scopes: ['a'], obtainedAt: T0 - DAY };
  it('never replaces a held refresh token with an empty one', () => {
    const t = processTokenResponse({ access_token: 'new', expires_in: 60, refresh_token: '' }, { now: T0, descriptor, prev, fallbackScopes: ['a'] });
    expect(t).toMatchObject({ accessToken: 'new', refreshToken: 'keep', refreshExpiresAt: T0 + 5 * DAY, expiresAt: T0 + 60_000 });
  });
  it('a fixed-on-first deadline survives refreshes; an issue-based one restarts', () => {
    const fixed = processTokenResponse({ access_token: 'n' }, { now: T0, descriptor, prev, fallbackScopes: [], refreshLifetime: { ms: 7 * DAY, estimate: false, from: 'fixed-on-first' } });
    expect(fixed.refreshExpiresAt).toBe(T0 + 5 * DAY);
    const sliding = processTokenResponse({ access_token: 'n' }, { now: T0, descriptor, prev, fallbackScopes: [], refreshLifetime: { ms: 7 * DAY, estimate: true, from: 'issue' } });
    expect(sliding).toMatchObject({ refreshExpiresAt: T0 + 7 * DAY, refreshExpiresEstimated: true });
  });
  it('a response without access_token is an error, not an empty token', () => {
    expect(() => processTokenResponse({ token_type: 'bearer' }, { now: T0, descriptor, fallbackScopes: [] })).toThrow(ProviderError);
  });
});

describe('client authentication and retry delays', () => {
  it('form-encodes id and secret before Basic (RFC 6749 §2.3.1)', () => {
    expect(basicAuthorization('a b', 's:/')).toBe(`Basic ${Buffer.from('a+b:s%3A%2F').toString('base64')}`);
  });
  it('reads Retry-After and x-rate-limit-reset', () => {
    expect(rateLimitDelayMs(new Headers({ 'retry-after': '3' }), T0)).toBe(3000);
    expect(rateLimitDelayMs(new Headers({ 'x-rate-limit-reset': String(T0 / 1000 + 60) }), T0)).toBe(60_000);
    expect(rateLimitDelayMs(new Headers(), T0)).toBeUndefined();
  });
});

describe('network failures are transient', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"data":');
        setTimeout(() => res.socket?.destroy(), 20);
      } else res.socket?.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const call = (path: string) => callJson('x', createHttp({ timeoutMs: 2_000 }), origin + path, {}, classify, { now: T0, what: 'who-am-I', context: 'api' });

  it('a body cut off mid-read', async () => {
    await expect(call('/cut')).rejects.toMatchObject({ errorClass: 'transient' });
  });
  it('a reset before any answer', async () => {
    await expect(call('/reset')).rejects.toMatchObject({ errorClass: 'transient' });
  });
  it('a refused connection', async () => {
    await expect(callJson('x', createHttp({ timeoutMs: 2_000 }), 'http://127.0.0.1:1/x', {}, classify, { now: T0, what: 'w' })).rejects.toMatchObject({ errorClass: 'transient' });
  });
});
