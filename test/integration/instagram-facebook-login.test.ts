/**
 * Instagram through Facebook Login, in-process against the real sandbox over HTTP (the Facebook
 * sandbox plays graph.facebook.com, its dialog and rupload.facebook.com): app set --login facebook,
 * connect with --page, status, then an image (public URL) and a Reel (resumable upload) published
 * exactly once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { FakeBrowser, type FakeBrowserScript } from '../helpers/fake-browser.js';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';
import { sandboxPosts } from '../helpers/publish-sandbox.js';
import { tempMedia } from '../publish/kit.js';

const DAY = 24 * 3600 * 1000;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['instagram', 'facebook'] });
});
afterAll(async () => sandbox?.close());

/** A profile whose Instagram app is the sandbox's Facebook app, set through the CLI. */
async function profile(script: FakeBrowserScript = {}): Promise<TestDeps & { browser: FakeBrowser }> {
  const browser = new FakeBrowser(script);
  const t = makeTestDeps({ env: sandbox.hostEnv(), over: { browser } });
  t.stdin.end(sandbox.apps.facebook.clientSecret);
  expect(await t.run(['app', 'set', 'instagram', '--login', 'facebook', '--client-id', sandbox.apps.facebook.clientId, '--client-secret-stdin']), t.stderr()).toBe(0);
  return Object.assign(t, { browser });
}

async function json<T>(t: TestDeps, argv: string[]): Promise<T> {
  const before = t.stdout().length;
  expect(await t.run([...argv, '--json']), t.stderr()).toBe(0);
  return JSON.parse(t.stdout().slice(before)) as T;
}

describe('app set instagram --login facebook', () => {
  it('prints the redirect URI under Facebook rules (http, fixed port) and app list shows the login', async () => {
    const t = await profile();
    expect(t.stdout()).toBe('http://127.0.0.1:8741/callback\n');
    expect(t.stderr()).toContain('facebook login');
    const apps = await json<{ platform: string; login: string | null; redirectUri: string; clientSecret: string }[]>(t, ['app', 'list']);
    expect(apps).toEqual([expect.objectContaining({ platform: 'instagram', login: 'facebook', redirectUri: 'http://127.0.0.1:8741/callback', clientSecret: 'stored' })]);
    // Back to Instagram Login: its https rule returns.
    expect(await t.run(['app', 'set', 'instagram', '--login', 'instagram']), t.stderr()).toBe(0);
    expect(t.stdout()).toMatch(/https:\/\/127\.0\.0\.1:8741\/callback\n$/);
  });

  it('refuses a bad value or another platform with one line, and changes nothing', async () => {
    const t = await profile();
    const before = await json<unknown[]>(t, ['app', 'list']);
    expect(await t.run(['app', 'set', 'instagram', '--login', 'threads'])).toBe(3);
    expect(t.stderr()).toMatch(/--login must be instagram or facebook, got "threads"/);
    expect(await t.run(['app', 'set', 'tiktok', '--login', 'facebook', '--client-id', 'x'])).toBe(3);
    expect(t.stderr()).toMatch(/--login and --business-manager are for instagram only/);
    expect(await json<unknown[]>(t, ['app', 'list'])).toEqual(before);
  });
});

describe('connect instagram through Facebook Login', () => {
  it('several linked accounts without --page: one line listing them (exit 3), nothing saved', async () => {
    const t = await profile();
    expect(await t.run(['connect', 'instagram', '--port', '0'])).toBe(3);
    expect(t.stderr()).toContain('instagram: your Pages link several Instagram accounts: @alice.bakery (Page Alice Bakery, ');
    expect(t.stderr()).toContain('socialync connect instagram --page');
    expect(await json<unknown[]>(t, ['status'])).toEqual([]);
  });

  it('no Page with a linked Instagram account: says so and how to link one', async () => {
    const t = await profile({ account: 'carol' });
    expect(await t.run(['connect', 'instagram', '--port', '0'])).toBe(3);
    expect(t.stderr()).toMatch(/none of your Facebook Pages \(Carol Page\) has an Instagram professional account linked/);
    expect(await json<unknown[]>(t, ['status'])).toEqual([]);
  });

  it('connects with --page, shows the reconnect deadline, publishes an image and a Reel exactly once each', async () => {
    const t = await profile();
    const t0 = Date.now();
    expect(await t.run(['connect', 'instagram', '--page', '@alice.books', '--port', '0']), t.stderr()).toBe(0);
    const [s] = await json<{ platform: string; account: string; accountId: string; username: string; health: string; reconnectBy: string; accessExpiresAt: string }[]>(t, ['status']);
    expect(s).toMatchObject({ platform: 'instagram', username: 'alice.books', health: 'healthy' });
    const igId = s!.accountId;
    // No refresh token: the deadline is the long-lived token's 60 days (data access lasts 90).
    expect(Date.parse(s!.reconnectBy)).toBe(Date.parse(s!.accessExpiresAt));
    expect(Date.parse(s!.reconnectBy) - t0).toBeGreaterThan(59 * DAY);
    expect(Date.parse(s!.reconnectBy) - t0).toBeLessThan(61 * DAY);
    // refresh only checks the user token (it publishes here; Meta documents no renewal): no token call.
    const tokenCalls = sandbox.control.platform('facebook').stats().tokenCalls;
    const r = await json<{ results: { status: string; message: string }[] }>(t, ['refresh', '--force']);
    expect(r.results).toEqual([expect.objectContaining({ status: 'refreshed', message: expect.stringMatching(/^checked/) })]);
    expect(sandbox.control.platform('facebook').stats().tokenCalls).toBe(tokenCalls);
    const [after] = await json<{ reconnectBy: string; reconnectWhy: string; reconnectByEstimated: boolean }[]>(t, ['status']);
    expect(after).toMatchObject({ reconnectBy: s!.reconnectBy, reconnectByEstimated: false, reconnectWhy: expect.stringMatching(/publishing to Instagram through Facebook Login needs it/) });

    const reel = tempMedia(3 * 1024 * 1024, 'mp4');
    expect(await t.run(['schedule', 'add', '--to', 'instagram', '--at', 'now', '--text', 'Fresh croissants', '--media', 'https://cdn.example.com/croissant.jpg']), t.stderr()).toBe(0);
    expect(await t.run(['schedule', 'add', '--to', 'instagram', '--at', 'now', '--text', 'Baking reel', '--media', reel]), t.stderr()).toBe(0);
    expect(await t.run(['publish']), t.stderr()).toBe(0);
    expect(await t.run(['publish']), t.stderr()).toBe(0);

    const posts = (await sandboxPosts(sandbox, 'facebook')).filter((p) => (p as { page?: string }).page === igId);
    expect(posts.map((p) => p.text).sort()).toEqual(['Baking reel', 'Fresh croissants']);
    const byText = Object.fromEntries(posts.map((p) => [p.text, p]));
    expect(byText['Baking reel']!.media[0]!.bytes).toBe(3 * 1024 * 1024);
    // Nothing went to the Instagram Login host.
    expect(await sandboxPosts(sandbox, 'instagram')).toEqual([]);
    const list = await json<{ status: string }[]>(t, ['schedule', 'list', '--status', 'published']);
    expect(list).toHaveLength(2);
  });
});
