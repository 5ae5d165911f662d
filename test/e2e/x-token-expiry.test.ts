/**
 * The built CLI (`socialync publish`, as cron runs it) posts an X video whose access token expires
 * after the first APPEND segment (the sandbox expires it, as an upload longer than the token's two
 * hours would): the second segment is refused with 401, the token is refreshed through
 * `socialync refresh`'s path and lock (X rotates the refresh token: the new one is stored), the
 * refused segment is sent again, and the post is published exactly once with every byte.
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSparseMp4 } from '../helpers/media-files.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { SEGMENT_BYTES } from '../../src/providers/x-upload.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['x'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

/** Two segments: one full 4 MiB segment and a 1-byte tail (a sparse MP4 the schedule-time probe accepts). */
function twoSegmentVideo(): string {
  const p = join(mkdtempSync(join(tmpdir(), 'socialync-x-e2e-')), 'clip.mp4');
  writeSparseMp4(p, SEGMENT_BYTES + 1, [[SEGMENT_BYTES, Buffer.from('x')]]);
  return p;
}

async function xControl(c: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${pp.sandbox.origins.x}/__publish/v1/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}
const xStats = async () => (await (await fetch(`${pp.sandbox.origins.x}/__publish/v1/x`)).json()) as Record<string, number>;

async function schedule(text: string, video: string): Promise<number> {
  const add = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', text, '--media', video, '--json'], env);
  expect(add.code, add.stderr).toBe(0);
  return (JSON.parse(add.stdout) as { id: number }).id;
}

describe('X: 401 mid-upload (built CLI, sandbox)', () => {
  it('the access token expires after the first segment: refreshed, the refused segment resent, published once', async () => {
    const conn = pp.conns.x!;
    const before = await loadTokens(pp.deps, conn);
    const refreshesBefore = pp.sandbox.control.platform('x').stats()['refreshes'] ?? 0;
    await xControl({ expireTokenAfterSegments: 1 });
    const id = await schedule('long upload', twoSegmentVideo());
    const pub = await runCli(['publish', '--verbose'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    expect(pub.stdout).toMatch(/ published /);
    const posts = (await sandboxPosts(pp.sandbox, 'x')).filter((p) => p.text === 'long upload');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.media[0]!.bytes).toBe(SEGMENT_BYTES + 1);
    // The token died after each of the 2 segments; only the second segment met a dead token, then FINALIZE.
    expect(await xStats()).toMatchObject({ segments: 2, rejectedAppends: 1, tokenExpiries: 2 });
    // One refresh per dead token (segment 2, FINALIZE), each through the store: the rotated refresh token is kept.
    expect((pp.sandbox.control.platform('x').stats()['refreshes'] ?? 0) - refreshesBefore).toBe(2);
    const after = await loadTokens(pp.deps, conn);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(pp.sandbox.control.validate(after.refreshToken!)).toMatchObject({ valid: true });
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { status: string };
    expect(show.status).toBe('published');
    await xControl({ expireTokenAfterSegments: null });
  });

  it('when the refresh token is dead too, the target fails as reconnect needed, naming the command', async () => {
    await xControl({ expireTokenAfterSegments: 1 });
    const id = await schedule('dead grant', twoSegmentVideo());
    // The pre-post check still finds a live access token; the refresh token dies before the upload.
    pp.sandbox.control.platform('x').expire('refresh', 'alice');
    const stats = await xStats();
    const pub = await runCli(['publish', '--verbose'], env);
    expect(pub.code).toBe(4);
    // It failed in the upload (segment 2 refused, one renewal tried), not before it.
    expect(await xStats()).toMatchObject({ segments: stats['segments']! + 1, rejectedAppends: stats['rejectedAppends']! + 1 });
    expect(pub.stdout + pub.stderr).toMatch(/socialync connect x/);
    expect((await sandboxPosts(pp.sandbox, 'x')).filter((p) => p.text === 'dead grant')).toHaveLength(0);
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { state: string; errorClass: string }[] };
    expect(show.targets[0]).toMatchObject({ state: 'failed', errorClass: 'reconnect_needed' });
    await xControl({ expireTokenAfterSegments: null });
  });
});
