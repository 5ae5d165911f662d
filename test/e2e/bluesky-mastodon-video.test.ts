/**
 * The two platforms that need no developer app, together through the built CLI against the
 * sandbox: `schedule add --to bluesky,mastodon` with a video publishes exactly once to each
 * (Bluesky through its video service, Mastodon through asynchronous media processing), and a
 * second `publish` sends nothing more. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['bluesky', 'mastodon'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

describe('schedule add --to bluesky,mastodon with a video', () => {
  it('publishes once to each; a second publish sends nothing', async () => {
    const text = `video to both ${Date.now()}`;
    const video = tempMedia(3 * 1024 * 1024, 'mp4');
    const add = await runCli(['schedule', 'add', '--to', 'bluesky,mastodon', '--at', 'now', '--text', text, '--media', video, '--set', 'bluesky.alt=A short clip', '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: number }).id;
    const pub = await runCli(['publish', '--json'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    const again = await runCli(['publish', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    for (const platform of ['bluesky', 'mastodon'] as const) {
      const posts = (await sandboxPosts(pp.sandbox, platform)).filter((p) => p.text === text);
      expect(posts, platform).toHaveLength(1);
      // Every byte of the file reached the platform, as a video.
      expect(posts[0], platform).toMatchObject({ kind: 'video', media: [{ bytes: 3 * 1024 * 1024 }] });
    }
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { status: string; targets: { platform: string; state: string; url: string | null }[] };
    expect(show.status).toBe('published');
    expect(show.targets.map((t) => [t.platform, t.state])).toEqual([
      ['bluesky', 'published'],
      ['mastodon', 'published'],
    ]);
    for (const t of show.targets) expect(t.url, t.platform).toMatch(/^https?:\/\//);
  }, 120_000);
});
