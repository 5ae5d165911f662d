/**
 * The built CLI publishes TikTok videos through the sandbox, which enforces the Media
 * Transfer Guide (docs/platforms/tiktok.md#chunks): a 7 MiB video (refused at init before
 * issue 10) and a 25 MiB + 123 B video (three chunks, the last taking the remainder),
 * each published exactly once with the uploaded size. Sparse files in a temp dir.
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeSparseMp4 } from '../helpers/media-files.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';

const MIB = 1024 * 1024;
let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['tiktok'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
  dir = mkdtempSync(join(tmpdir(), 'socialync-tiktok-e2e-'));
}, 60_000);
afterAll(async () => {
  await pp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sparseVideo(size: number): string {
  const p = join(dir, `clip-${size}.mp4`);
  writeSparseMp4(p, size, [[size - 1, Buffer.from([7])]]);
  return p;
}

describe('TikTok chunked upload through the built CLI', () => {
  it.each([
    ['7 MiB, one whole chunk', 7 * MIB],
    ['25 MiB + 123 B, three chunks', 25 * MIB + 123],
  ])('%s: published exactly once', async (_name, size) => {
    const text = `chunks ${size}`;
    const add = await runCli(['schedule', 'add', '--to', 'tiktok', '--at', 'now', '--text', text, '--media', sparseVideo(size), '--set', 'tiktok.privacy=PUBLIC_TO_EVERYONE', '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const pub = await runCli(['publish', '--verbose'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    expect(pub.stdout).toMatch(/tiktok:alice published/);
    const posts = (await sandboxPosts(pp.sandbox, 'tiktok')).filter((p) => p.text === text);
    expect(posts).toMatchObject([{ media: [{ bytes: size }] }]);
    const id = (JSON.parse(add.stdout) as { id: number }).id;
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { url: string | null }[] };
    expect(show.targets[0]!.url).toBe(`https://www.tiktok.com/video/${posts[0]!.id}`);
    // A second run has nothing left to send.
    expect((await runCli(['publish'], env)).code).toBe(0);
    expect((await sandboxPosts(pp.sandbox, 'tiktok')).filter((p) => p.text === text)).toHaveLength(1);
  });
});
