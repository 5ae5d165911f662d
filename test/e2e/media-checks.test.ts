/**
 * Media checks through the built CLI against the sandbox: a text file named .mp4, an empty file
 * and a video over a platform's documented limit are refused at `schedule add` (exit 3, one line,
 * nothing stored); a file changed after scheduling is refused at `publish` without any request to
 * the platform, as a local error that names the file and the fix. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { mp4 } from '../helpers/media-files.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
let dir: string;
beforeAll(async () => {
  pp = await startPublishProfile();
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
  dir = mkdtempSync(join(tmpdir(), 'media-e2e-'));
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pp?.close();
});

const file = (name: string, bytes: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

async function listedPosts(): Promise<string> {
  return (await runCli(['schedule', 'list'], env)).stdout;
}

describe('media checks (built CLI)', () => {
  it('a text file named .mp4 and an empty file are refused at schedule add with exit 3 and one line', async () => {
    const before = await listedPosts();
    const text = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', 'hi', '--media', file('notes.mp4', 'not a video\n'.repeat(100))], env);
    expect(text.code).toBe(3);
    expect(text.stderr).toMatch(/notes\.mp4 is not a video or image/);
    const empty = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', 'hi', '--media', file('empty.mp4', '')], env);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/empty\.mp4 is empty \(0 bytes\)/);
    expect(await listedPosts()).toBe(before);
  });

  it('a video over TikTok\'s 600 s is refused at schedule add, naming file, platform, limit and value', async () => {
    const long = file('long.mp4', mp4({ seconds: 600.5, width: 1080, height: 1920, fps: 30 }));
    const r = await runCli(['schedule', 'add', '--to', 'tiktok,x', '--at', 'now', '--text', 'long', '--media', long, '--set', 'tiktok.privacy=SELF_ONLY'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("tiktok: media[0]: long.mp4 has duration 600.5 s (10 min 0.5 s); TikTok's maximum is 600 s (10 min 0 s) — trim it");
    expect(r.stderr).not.toMatch(/\bx: media/);
  });

  it('a file changed after scheduling fails at publish without reaching the platform; restoring it publishes', async () => {
    const bytes = mp4({ seconds: 5, width: 1280, height: 720, fps: 30 });
    const clip = file('clip.mp4', bytes);
    const add = await runCli(['schedule', 'add', '--to', 'x', '--at', 'now', '--text', 'changed file', '--media', clip, '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: number }).id;
    const postsBefore = (await sandboxPosts(pp.sandbox, 'x')).length;
    appendFileSync(clip, Buffer.from('trailing edit'));

    const pub = await runCli(['publish', '--json'], env);
    const { results } = JSON.parse(pub.stdout) as { results: { postId: number; outcome: string; errorClass?: string; message?: string }[] };
    expect(pub.code).toBe(1);
    const mine = results.find((x) => x.postId === id)!;
    expect(mine).toMatchObject({ outcome: 'failed', errorClass: 'local_file' });
    expect(mine.message).toMatch(new RegExp(`media file clip\\.mp4 changed since it was scheduled \\(${bytes.length} bytes then, ${bytes.length + 13} now\\) — restore the file, or schedule the new one: socialync schedule edit ${id} --media <file>`));
    expect((await sandboxPosts(pp.sandbox, 'x')).length).toBe(postsBefore);
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { status: string };
    expect(show.status).toBe('failed');

    // The fix the message names: schedule the file as it is now, then it publishes.
    expect((await runCli(['schedule', 'edit', String(id), '--media', clip], env)).code).toBe(0);
    const again = await runCli(['publish', '--json'], env);
    expect((JSON.parse(again.stdout) as { results: { postId: number; outcome: string }[] }).results.find((x) => x.postId === id)?.outcome).toBe('published');
    expect((await sandboxPosts(pp.sandbox, 'x')).length).toBe(postsBefore + 1);
  });
});
