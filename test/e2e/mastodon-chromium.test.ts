/**
 * End to end with the built CLI and real headless Chromium (docs/platforms/mastodon.md): nothing
 * configured beforehand, `connect mastodon --instance` on each of the sandbox's two servers (one
 * with PKCE metadata, one without) by clicking Approve; `status` shows no expiry; a post with a
 * content warning and a video goes to both servers once, each within its own limit; a text over the
 * smaller server's limit fails there only; a revoked token is found by `refresh` (exit 4) with the
 * command that fixes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';
import { tempMedia } from '../publish/kit.js';

const skip = chromiumMissing();

describe.skipIf(Boolean(skip))('Mastodon on two servers with real Chromium (built CLI)', () => {
  let sandbox: Sandbox;
  let env: NodeJS.ProcessEnv;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const servers = () => ({ current: sandbox.origins.mastodon, classic: `${sandbox.origins.mastodon}/classic` });

  beforeAll(async () => {
    sandbox = await startSandbox({ platforms: ['mastodon'] });
    const home = mkdtempSync(join(tmpdir(), 'socialync-e2e-mastodon-'));
    // No SOCIALYNC_MASTODON_* variable and no `app set`: the servers are named on the command line.
    env = cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex') });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  async function connectIn(instance: string, name: string): Promise<{ url: URL; stderr: string }> {
    const run = startCli(['connect', 'mastodon', '--instance', instance, '--name', name, '--no-browser', '--timeout', '60'], env);
    const [url] = await run.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\S*oauth\/authorize\S+/);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url!);
    await page.click('#approve');
    await page.waitForSelector('#result', { timeout: 20_000 });
    expect(await page.textContent('body')).toMatch(/Connected to Mastodon/);
    await ctx.close();
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    return { url: new URL(url!), stderr: r.stderr };
  }

  it('connects on both servers by clicking Approve: PKCE where announced, one app registered on each', async () => {
    const a = await connectIn(servers().current, 'main');
    expect(a.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(a.stderr).toMatch(/registering socialync as an app/);
    const b = await connectIn(servers().classic, 'old');
    expect(b.url.pathname).toBe('/classic/oauth/authorize');
    expect(b.url.searchParams.has('code_challenge')).toBe(false);
    expect(sandbox.control.platform('mastodon').stats().appsRegistered).toBe(2);
  });

  it('status shows both healthy with no expiry and no reconnect deadline', async () => {
    const r = await runCli(['status', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as { account: string; health: string; accessExpiresAt: string | null; daysUntilReconnect: number | null }[];
    expect(entries.map((e) => e.account).sort()).toEqual(['main', 'old']);
    for (const e of entries) expect(e).toMatchObject({ health: 'healthy', accessExpiresAt: null, daysUntilReconnect: null });
    const table = await runCli(['status'], env);
    expect(table.stdout).toMatch(/mastodon\tmain\thealthy\t\t/);
  });

  it('a post with a content warning and a video goes to both servers once; 600 characters fail only on the 500-character one', async () => {
    const video = tempMedia(400_000, 'mp4');
    const add = await runCli(['schedule', 'add', '--to', 'mastodon:main,mastodon:old', '--at', 'now', '--text', 'Launch', '--media', video, '--privacy', 'unlisted', '--set', 'mastodon.spoiler=launch news', '--json'], env);
    expect(add.code, add.stderr).toBe(0);
    const pub = await runCli(['publish'], env);
    expect(pub.code, pub.stderr + pub.stdout).toBe(0);
    const posts = ((await (await fetch(`${servers().current}/__publish/v1/posts`)).json()) as { posts: { text: string; privacy: string; page?: string; media: unknown[] }[] }).posts;
    expect(posts.filter((p) => p.text === 'Launch').map((p) => [p.page ?? '/', p.privacy, p.media.length]).sort()).toEqual([['/', 'unlisted', 1], ['/classic', 'unlisted', 1]]);
    const long = await runCli(['schedule', 'add', '--to', 'mastodon:main,mastodon:old', '--at', 'now', '--text', 'z'.repeat(600), '--json'], env);
    expect(long.code, long.stderr).toBe(0);
    const second = await runCli(['publish'], env);
    expect(second.code).toBe(5);
    expect(second.stdout + second.stderr).toMatch(/this server allows 500 characters/);
  });

  it('a revoked token is found by refresh: exit 4, with the command that fixes it', async () => {
    sandbox.control.platform('mastodon').revoke('alice');
    const r = await runCli(['refresh', '--force'], env);
    expect(r.code).toBe(4);
    expect(r.stdout + r.stderr).toMatch(/socialync connect mastodon --name (main|old)/);
  });
});
