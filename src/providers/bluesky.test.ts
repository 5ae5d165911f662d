/**
 * Bluesky error classification (docs/platforms/bluesky.md#errors) over the recorded bodies in
 * test/fixtures/bluesky/errors.json, through the official library's own error classes: only a
 * dead session (invalid_grant at refresh, a refused access token) is a reconnect; nonces, 5xx and
 * network trouble are not; 429 carries its delay. Also the session deadline kept across refreshes.
 */
import { describe, expect, it } from 'vitest';
import { DAY } from '../core/clock.js';
import { ProviderError } from '../core/errors.js';
import { errorFixture } from '../../test/helpers/fixtures.js';
import { classifyLibraryError, toTokenSet, PUBLIC_SESSION_DAYS } from './bluesky.js';
import { xrpcError } from './bluesky-session.js';
import { loadLib } from './bluesky-client.js';
import type { ProviderDeps } from './types.js';

const now = Date.UTC(2026, 11, 6, 12);
const d = { clock: { now: () => now, sleep: async () => undefined } } as unknown as ProviderDeps;
const response = (name: string, headers: Record<string, string> = {}) => {
  const f = errorFixture('bluesky', name);
  return new Response(JSON.stringify(f.body), { status: f.status, headers: { 'content-type': 'application/json', ...headers } });
};
const lib = await loadLib();
const oauthError = async (name: string) => new lib.OAuthResponseError(response(name), errorFixture('bluesky', name).body as never);

describe('authorization server errors (through the library)', () => {
  it.each([
    ['refresh-session-expired', 'refresh_token_expired'],
    ['refresh-token-invalid', 'unknown'],
  ])('%s at refresh (TokenRefreshError) is reconnect_needed, reason %s', async (name, reason) => {
    const e = new lib.TokenRefreshError('did:plc:abc', 'refresh failed', { cause: await oauthError(name) });
    const p = classifyLibraryError(lib, e, 'token refresh', d);
    expect(p).toMatchObject({ errorClass: 'reconnect_needed', reason, platformCode: 'invalid_grant', status: 400 });
  });

  it('invalid_grant outside a refresh (a spent code) is the request, not a reconnect', async () => {
    expect(classifyLibraryError(lib, await oauthError('refresh-token-invalid'), 'code exchange', d).errorClass).toBe('invalid_request');
  });

  it('use_dpop_nonce that still reaches us is not a reconnect', async () => {
    expect(classifyLibraryError(lib, await oauthError('use-dpop-nonce'), 'token refresh', d)).toMatchObject({ errorClass: 'invalid_request', platformCode: 'use_dpop_nonce' });
  });

  it('a failed metadata fetch: 503 transient, 429 rate limited with Retry-After', async () => {
    const r503 = await lib.FetchResponseError.from(new Response('down', { status: 503 }));
    expect(classifyLibraryError(lib, new lib.OAuthResolverError('Failed to resolve OAuth server metadata', { cause: r503 }), 'session', d).errorClass).toBe('transient');
    const r429 = await lib.FetchResponseError.from(new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }));
    expect(classifyLibraryError(lib, new lib.OAuthResolverError('Failed', { cause: r429 }), 'session', d)).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 7000 });
  });

  it('an unresolvable handle is the user input, not transient', () => {
    expect(classifyLibraryError(lib, new lib.OAuthResolverError('Failed to resolve identity: nobody.invalid'), 'cannot start the login', d).errorClass).toBe('invalid_request');
  });

  it('our own bug is not hidden as a platform error', () => {
    expect(() => classifyLibraryError(lib, new TypeError('x is undefined'), 'refresh', d)).toThrow(TypeError);
  });
});

describe('PDS (XRPC) errors', () => {
  it.each([
    ['xrpc-expired-token', 'reconnect_needed', 'token_expired'],
    ['xrpc-invalid-token', 'reconnect_needed', 'platform_revoked'],
    ['xrpc-invalid-post', 'invalid_request', undefined],
    ['xrpc-record-not-found', 'invalid_request', undefined],
    ['xrpc-upstream-failure', 'transient', undefined],
  ])('%s -> %s', async (name, errorClass, reason) => {
    const e = await xrpcError(response(name), 'call', d);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.errorClass).toBe(errorClass);
    if (reason) expect(e.reason).toBe(reason);
    expect(e.platformCode).toBe((errorFixture('bluesky', name).body as { error: string }).error);
  });

  it('429 waits until RateLimit-Reset (a Unix time, or delta-seconds as the header draft has it), or Retry-After when sent', async () => {
    const reset = String(Math.floor(now / 1000) + 120);
    expect((await xrpcError(response('xrpc-rate-limited', { 'ratelimit-reset': reset }), 'call', d)).retryAfterMs).toBe(120_000);
    expect((await xrpcError(response('xrpc-rate-limited', { 'ratelimit-reset': '45' }), 'call', d)).retryAfterMs).toBe(45_000);
    expect((await xrpcError(response('xrpc-rate-limited', { 'retry-after': '30' }), 'call', d)).retryAfterMs).toBe(30_000);
  });
});

describe('the session deadline (docs/platforms/bluesky.md#lifetimes)', () => {
  const saved = (expiresInMs: number) => ({
    dpopJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' },
    authMethod: { method: 'none' },
    tokenSet: { iss: 'https://bsky.social', sub: 'did:plc:abc', aud: 'https://pds.example', scope: 'atproto transition:generic', access_token: 'at', refresh_token: 'rt', token_type: 'DPoP', expires_at: new Date(Date.now() + expiresInMs).toISOString() },
  }) as never;
  it('is the login time + 14 days, and a refresh days later does not move it', () => {
    const login = now - 5 * DAY;
    const t = toTokenSet(saved(15 * 60_000), d, login);
    expect(t.refreshExpiresAt).toBe(login + PUBLIC_SESSION_DAYS * DAY);
    expect(t.refreshExpiresEstimated).toBe(false);
    expect(t.extra!['sessionStartedAt']).toBe(String(login));
    // The access-token lifetime is kept on our clock (the library stamps the wall clock).
    expect(Math.abs(t.expiresAt! - (now + 15 * 60_000))).toBeLessThan(2_000);
    // The DPoP private key stays with the tokens (secret store), not in the metadata.
    expect(JSON.parse(t.extra!['dpopJwk']!)).toMatchObject({ d: 'd' });
  });
});
