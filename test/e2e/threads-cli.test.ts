/**
 * Threads through the built CLI (node bin/socialync.cjs) against the sandbox: a carousel of public URLs
 * is scheduled and published; a post Threads refuses (permission, Graph code 10) fails without an
 * automatic retry, `retry` sends it once and only once; a local file is refused at schedule time with
 * the fix; `status` shows the 60-day token deadline. Rules: docs/platforms/threads.md. Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../helpers/cli.js';
import { sandboxPosts, startPublishProfile, type PublishProfile } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';

let pp: PublishProfile;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  pp = await startPublishProfile({ platforms: ['threads'] });
  env = cliEnv({ ...pp.env, TZ: 'UTC' });
}, 60_000);
afterAll(async () => pp?.close());

const metaFault = (f: Record<string, unknown>) =>
  fetch(`${pp.sandbox.origins.threads}/__meta/v1/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: [f] }) });

describe('socialync with Threads (built CLI)', () => {
  it('publishes a carousel of public URLs once, with its permalink', async () => {
    const add = await runCli(['schedule', 'add', '--to', 'threads', '--at', 'now', '--text', 'cli carousel', '--media', 'https://cdn.example.com/a.jpg', '--media', 'https://cdn.example.com/b.png', '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: number }).id;
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    const posts = (await sandboxPosts(pp.sandbox, 'threads')).filter((p) => p.text === 'cli carousel');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.media).toHaveLength(2);
    const show = JSON.parse((await runCli(['schedule', 'show', String(id), '--json'], env)).stdout) as { targets: { url: string | null }[] };
    expect(show.targets[0]!.url).toMatch(/^https:\/\/www\.threads\.com\//);
  });

  it('a refused post fails without an automatic retry; retry sends it exactly once', async () => {
    await metaFault({ at: 'threads_publish', code: 10, status: 403, count: 1 });
    const add = await runCli(['schedule', 'add', '--to', 'threads', '--at', 'now', '--text', 'cli retry', '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const pub = await runCli(['publish'], env);
    expect(pub.code).toBe(1);
    expect(pub.stdout + pub.stderr).toMatch(/threads/);
    expect((await sandboxPosts(pp.sandbox, 'threads')).filter((p) => p.text === 'cli retry')).toHaveLength(0);
    const retry = await runCli(['retry', '--all-failed', '--yes'], env);
    expect(retry.code, retry.stderr + retry.stdout).toBe(0);
    const again = await runCli(['retry', '--all-failed', '--yes'], env);
    expect(again.code, again.stderr).toBe(0);
    expect((await sandboxPosts(pp.sandbox, 'threads')).filter((p) => p.text === 'cli retry')).toHaveLength(1);
  });

  it('a local file is refused at schedule time with the fix (exit 3)', async () => {
    const r = await runCli(['schedule', 'add', '--to', 'threads', '--at', 'now', '--text', 'local', '--media', tempMedia(4096, 'jpg')], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/threads: media\[0\]: Threads fetches media from a public URL .*--media https:\/\//);
  });

  it('status shows the long-lived token deadline (about 60 days)', async () => {
    const r = await runCli(['status', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const [e] = JSON.parse(r.stdout) as { platform: string; health: string; daysUntilReconnect: number }[];
    expect(e).toMatchObject({ platform: 'threads', health: 'healthy' });
    expect(e!.daysUntilReconnect).toBeGreaterThanOrEqual(59);
    expect(e!.daysUntilReconnect).toBeLessThanOrEqual(60);
  });
});
