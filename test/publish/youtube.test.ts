/**
 * YouTube publisher against the YouTube sandbox, which enforces the documented resumable-upload
 * rules (docs/platforms/youtube.md#resumable-upload): an access token that expires mid-upload,
 * 5xx, dropped connections, expired sessions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPublisher, publisher as yt } from '../../src/providers/youtube-publish.js';
import { CHUNK_UNIT } from '../../src/providers/youtube-upload.js';
import { ProviderError } from '../../src/core/errors.js';
import type { TokenSet, TokenSource } from '../../src/providers/types.js';
import { tempMedia, type PubKit } from './kit.js';
import { draft, sandboxTokens, sha, ytConfig, ytKit as startYtKit, ytStats } from './youtube-kit.js';

let kit: PubKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});
const ytKit = async () => (kit = await startYtKit());

describe('YouTube: an access token that expires during the upload', () => {
  it('401 mid-upload: the token is renewed, the status queried, the upload resumes at the server offset; one video, byte-exact', async () => {
    const k = await ytKit();
    await ytConfig(k, { expireTokenAfterChunks: 3 });
    const size = 10 * CHUNK_UNIT + 123;
    const file = tempMedia(size, 'mp4', true);
    const tokens = sandboxTokens(k);
    const r = await createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, size), k.token, k.pd, { ...k.ctx, tokens });
    const posts = await k.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ id: r.remoteId, media: [{ bytes: size, sha256: await sha(file) }] });
    // 11 chunks, a token dies after every 3rd: renewed 3 times, each rejected token handed back once.
    expect(tokens.calls).toHaveLength(3);
    expect(new Set(tokens.calls.map((t) => t.accessToken)).size).toBe(3);
    const stats = await ytStats(k);
    expect(stats).toMatchObject({ sessions: 1, chunks: 11, tokenExpiries: 3 });
    expect(stats['statusQueries']).toBeGreaterThanOrEqual(3);
  });

  it('without a token source (what every upload did before) the same upload cannot finish: reconnect_needed, no video', async () => {
    const k = await ytKit();
    await ytConfig(k, { expireTokenAfterChunks: 3 });
    const size = 10 * CHUNK_UNIT + 123;
    const file = tempMedia(size, 'mp4');
    await expect(createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, size), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'reconnect_needed' });
    expect(await k.posts()).toHaveLength(0);
  });

  it('a renewed token that is rejected too is a real reconnect: renewed once, no loop', async () => {
    const k = await ytKit();
    await ytConfig(k, { expireTokenAfterChunks: 1 });
    const size = 3 * CHUNK_UNIT;
    const file = tempMedia(size, 'mp4');
    const calls: TokenSet[] = [];
    const dead: TokenSource = { renew: async (t) => (calls.push(t), t) };
    await expect(createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, size), k.token, k.pd, { ...k.ctx, tokens: dead })).rejects.toMatchObject({ errorClass: 'reconnect_needed' });
    expect(calls).toHaveLength(1);
  });

  it('a renewal that fails (grant revoked) ends the publish with its error, not a loop', async () => {
    const k = await ytKit();
    await ytConfig(k, { expireTokenAfterChunks: 1 });
    const file = tempMedia(2 * CHUNK_UNIT, 'mp4');
    const revoked: TokenSource = { renew: async () => Promise.reject(new ProviderError('youtube: token refresh failed: Token has been expired or revoked. (invalid_grant)', { errorClass: 'reconnect_needed' })) };
    await expect(createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, 2 * CHUNK_UNIT), k.token, k.pd, { ...k.ctx, tokens: revoked })).rejects.toThrow(/invalid_grant/);
  });
});

describe('YouTube: interruptions and expired sessions', () => {
  it('a 503 mid-upload is resumed after a status query; one video, byte-exact', async () => {
    const k = await ytKit();
    const size = 3 * 1024 * 1024 + 17;
    const file = tempMedia(size, 'mp4', true);
    k.server.control.fault({ method: 'PUT', path: '/upload/youtube/v3/videos', status: 503, count: 1 });
    const r = await createPublisher({ chunkBytes: 4 * CHUNK_UNIT }).publish(draft(file, size), k.token, k.pd, k.ctx);
    expect(r.url).toBe(`https://www.youtube.com/watch?v=${r.remoteId}`);
    expect(await k.posts()).toMatchObject([{ title: 'My video', media: [{ bytes: size, sha256: await sha(file) }] }]);
    expect(k.ctx.saved[0]).toMatchObject({ session: expect.stringContaining('upload_id='), sent: expect.any(String) });
  });

  it('a crash after the session started resumes from the saved session URI; reconcile sees completion', async () => {
    const k = await ytKit();
    const size = 1024 * 1024;
    const file = tempMedia(size, 'mp4');
    // The chunk and the 8 status queries after it (the attempt's bound) all lose their connection.
    k.server.control.fault({ method: 'PUT', path: '/upload/youtube/v3/videos', dropConnection: true, count: 9 });
    await expect(yt.publish(draft(file, size), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'transient' });
    expect(k.ctx.checkpoint['session']).toBeTruthy();
    expect((await yt.reconcile(draft(file, size), k.token, k.pd, k.ctx)).status).toBe('not_posted');
    const r = await yt.publish(draft(file, size), k.token, k.pd, k.ctx);
    expect(await yt.reconcile(draft(file, size), k.token, k.pd, k.ctx)).toEqual({ status: 'published', result: r });
    expect(await k.posts()).toHaveLength(1);
  });

  it('an expired session (404) is restarted from byte 0 with a new session; one video', async () => {
    const k = await ytKit();
    const size = 5 * CHUNK_UNIT + 9;
    const file = tempMedia(size, 'mp4', true);
    await ytConfig(k, { expireTokenAfterChunks: 2 });
    // First attempt stops after 2 chunks (no token source), leaving a half-done session ...
    await expect(createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, size), k.token, k.pd, k.ctx)).rejects.toMatchObject({ errorClass: 'reconnect_needed' });
    const first = k.ctx.checkpoint['session'];
    // ... which then expires.
    await ytConfig(k, { expireTokenAfterChunks: null, expireSessions: true });
    const r = await createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, size), k.token, k.pd, { ...k.ctx, tokens: sandboxTokens(k) });
    expect(k.ctx.checkpoint['session']).not.toBe(first);
    expect(await k.posts()).toMatchObject([{ id: r.remoteId, media: [{ bytes: size, sha256: await sha(file) }] }]);
  });

  it('sessions that keep expiring end as transient after a bounded number of restarts', async () => {
    const k = await ytKit();
    await ytConfig(k, { sessionTtlMs: 0 });
    const file = tempMedia(2 * CHUNK_UNIT, 'mp4');
    await expect(createPublisher({ chunkBytes: CHUNK_UNIT }).publish(draft(file, 2 * CHUNK_UNIT), k.token, k.pd, k.ctx)).rejects.toThrow(/keeps expiring/);
    expect((await ytStats(k))['sessions']).toBe(3);
  });
});
