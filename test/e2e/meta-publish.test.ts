/**
 * The built CLI against the sandbox, Meta rules (docs/platforms/instagram.md, facebook.md): a temporary
 * Instagram error (24/2207008 at media_publish) still ends with the post published exactly once, and a
 * local Facebook Page video goes through the Resumable Upload API. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['instagram', 'facebook'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const schedule = async (args: string[]) => {
  const add = await runCli(['schedule', 'add', '--at', 'now', '--json', ...args], env);
  expect(add.code, add.stderr).toBe(0);
  return (JSON.parse(add.stdout) as { id: number }).id;
};

/** `socialync publish` as cron runs it, until the post is published (the engine's backoff is 50-200 ms here). */
async function publishRuns(id: number): Promise<string> {
  for (let i = 0; i < 15; i++) {
    await runCli(['publish'], env);
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { status: string };
    if (show.status === 'published' || show.status === 'failed') return show.status;
    await new Promise((r) => setTimeout(r, 250));
  }
  return 'still waiting';
}

describe('Meta publishing through the built CLI', () => {
  it('Instagram: a temporary 24/2207008 at media_publish is retried and the post is published exactly once', async () => {
    await fetch(`${pp.sandbox.origins.instagram}/__meta/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: [{ at: 'media_publish', code: 24, subcode: 2207008, count: 1 }] }) });
    const id = await schedule(['--to', 'instagram', '--text', 'e2e temporary code', '--media', 'https://cdn.example.com/e2e.jpg']);
    expect(await publishRuns(id)).toBe('published');
    expect((await sandboxPosts(pp.sandbox, 'instagram')).filter((p) => p.text === 'e2e temporary code')).toHaveLength(1);
    const stats = (await (await fetch(`${pp.sandbox.origins.instagram}/__meta/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { state: { faults: { count: number }[] } };
    expect(stats.state.faults[0]?.count).toBe(0); // the fault was really served
  });

  it('Facebook: a local video (upload session -> file handle -> Page video) is published once with every byte', async () => {
    const size = 5 * 1024 * 1024 + 3;
    const id = await schedule(['--to', 'facebook', '--text', 'e2e page video', '--title', 'E2E', '--media', tempMedia(size, 'mp4')]);
    expect(await publishRuns(id)).toBe('published');
    const posts = (await sandboxPosts(pp.sandbox, 'facebook')).filter((p) => p.text === 'e2e page video');
    expect(posts).toMatchObject([{ media: [{ bytes: size }] }]);
  });
});
