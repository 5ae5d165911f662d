/**
 * The built CLI (`socialync publish`, as cron runs it) uploads a YouTube video whose access token
 * expires part-way (the sandbox expires it after the first 64 MiB chunk, as an upload longer than
 * the token's hour would): the token is refreshed through `socialync refresh`'s path and lock, the
 * upload resumes at the server's offset, and the video is published exactly once.
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { writeSparseMp4 } from '../helpers/media-files.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { DEFAULT_CHUNK_BYTES } from '../../src/providers/youtube-upload.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['youtube'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

/** Two chunks: one full 64 MiB chunk and a 1-byte tail (a sparse MP4 with a marker). */
function twoChunkVideo(): string {
  const p = join(mkdtempSync(join(tmpdir(), 'socialync-yt-e2e-')), 'long.mp4');
  writeSparseMp4(p, DEFAULT_CHUNK_BYTES + 1, [[DEFAULT_CHUNK_BYTES, Buffer.from('x')]]);
  return p;
}

async function youtubeConfig(c: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${pp.sandbox.origins.youtube}/__youtube/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
  expect(res.status).toBe(200);
}

async function schedule(text: string, video: string): Promise<number> {
  const add = await runCli(['schedule', 'add', '--to', 'youtube', '--at', 'now', '--text', text, '--title', text, '--media', video, '--json'], env);
  expect(add.code, add.stderr).toBe(0);
  return (JSON.parse(add.stdout) as { id: number }).id;
}

describe('YouTube: 401 mid-upload (built CLI, sandbox)', () => {
  it('the access token expires after the first chunk: refreshed, resumed, published once', async () => {
    const conn = pp.conns.youtube!;
    const before = await loadTokens(pp.deps, conn);
    const refreshesBefore = pp.sandbox.control.platform('youtube').stats()['refreshes'] ?? 0;
    await youtubeConfig({ expireTokenAfterChunks: 1 });
    const id = await schedule('long upload', twoChunkVideo());
    const pub = await runCli(['publish', '--verbose'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    expect(pub.stdout).toMatch(/ published /);
    const posts = (await sandboxPosts(pp.sandbox, 'youtube')).filter((p) => p.text === 'long upload');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.media[0]!.bytes).toBe(DEFAULT_CHUNK_BYTES + 1);
    // Two refreshes: the pre-post check (YouTube's 65-minute threshold exceeds the token's hour) and
    // the renewal after the 401; through the secret store, the (non-rotating) refresh token kept.
    expect((pp.sandbox.control.platform('youtube').stats()['refreshes'] ?? 0) - refreshesBefore).toBe(2);
    const yt = (await (await fetch(`${pp.sandbox.origins.youtube}/__youtube/v1/stats`)).json()) as Record<string, number>;
    // The token died after each of the 2 chunks; only the second chunk met a dead token.
    expect(yt).toMatchObject({ tokenExpiries: 2, chunks: 2 });
    expect(yt['rejectedChunks']).toBe(1);
    const after = await loadTokens(pp.deps, conn);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { status: string };
    expect(show.status).toBe('published');
    await youtubeConfig({ expireTokenAfterChunks: null });
  });

  it('when the refresh token is dead too, the target fails as reconnect needed, naming the command', async () => {
    await youtubeConfig({ expireTokenAfterChunks: 1 });
    const id = await schedule('dead grant', twoChunkVideo());
    pp.sandbox.control.platform('youtube').expire('refresh', 'alice');
    const pub = await runCli(['publish'], env);
    expect(pub.code).toBe(4);
    expect(pub.stdout + pub.stderr).toMatch(/socialync connect youtube/);
    expect((await sandboxPosts(pp.sandbox, 'youtube')).filter((p) => p.text === 'dead grant')).toHaveLength(0);
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string; errorClass: string }[] };
    expect(show.targets[0]).toMatchObject({ state: 'failed', errorClass: 'reconnect_needed' });
    await youtubeConfig({ expireTokenAfterChunks: null });
  });
});
