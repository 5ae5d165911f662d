/**
 * `connect mastodon --instance <server>` in-process against the sandbox playing two servers, with a
 * FakeBrowser: no `app set`, one app registered per server and reused, registered again when the
 * server forgot it, PKCE only where the server announces it, each connection on its own server;
 * then `refresh` as a who-am-I check, a revoked token found by it, `status` and `disconnect`
 * (docs/platforms/mastodon.md).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { secretKeys } from '../../src/secrets/types.js';
import { FakeBrowser } from '../helpers/fake-browser.js';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ platforms: ['mastodon'] });
});
afterAll(() => sb?.close());
beforeEach(() => sb.control.platform('mastodon').reset());

const root = () => sb.origins.mastodon;
const classic = () => `${sb.origins.mastodon}/classic`;
const stats = () => sb.control.platform('mastodon').stats();

function profile(browser = new FakeBrowser()): TestDeps & { browser: FakeBrowser } {
  // No SOCIALYNC_MASTODON_* variables and no `app set`: nothing is configured beforehand.
  return Object.assign(makeTestDeps({ over: { browser } }), { browser });
}

async function connect(t: TestDeps, instance: string, extra: string[] = []): Promise<number> {
  return t.run(['connect', 'mastodon', '--instance', instance, '--json', ...extra]);
}

async function statusOf(t: TestDeps): Promise<{ platform: string; account: string; health: string; reason: string | null; accessExpiresAt: string | null }[]> {
  const before = t.stdout().length;
  await t.run(['status', '--json']);
  return JSON.parse(t.stdout().slice(before));
}

describe('connect mastodon --instance', () => {
  it('registers socialync on the server, connects, and keeps the server on the connection', async () => {
    const t = profile();
    expect(await connect(t, root()), t.stderr()).toBe(0);
    expect(t.stderr()).toMatch(/registering socialync as an app on http:\/\/127\.0\.0\.1:\d+/);
    expect(stats().appsRegistered).toBe(1);
    const opened = new URL(t.browser.opened[0]!);
    expect(opened.searchParams.get('code_challenge_method')).toBe('S256');
    expect(opened.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const c = (await (await t.deps.store()).listConnections({ platform: 'mastodon' }))[0]!;
    expect(c.meta.instance).toBe(root());
    expect(c.name).toBe(`alice@${new URL(root()).host}`);
    // The app is a secret, kept under the server's origin; nothing in config.
    const app = JSON.parse((await (await t.deps.secrets()).get(secretKeys.instanceApp('mastodon', root())))!) as { clientId: string; redirectUri: string; flags: { pkce: boolean } };
    expect(app).toMatchObject({ redirectUri: 'http://127.0.0.1/callback', flags: { pkce: true } });
    expect(t.deps.config.get('apps.mastodon')).toBeUndefined();
  });

  it('reuses the app on later connects (another free port each time), registers again once the server forgot it', async () => {
    const t = profile();
    expect(await connect(t, root()), t.stderr()).toBe(0);
    t.browser.script = { account: 'bob' };
    expect(await connect(t, root()), t.stderr()).toBe(0);
    expect(stats().appsRegistered).toBe(1);
    await fetch(`${root()}/__mastodon/purge-apps`, { method: 'POST' });
    t.browser.script = { account: 'carol' };
    expect(await connect(t, root()), t.stderr()).toBe(0);
    expect(t.stderr()).toMatch(/gone or no longer fits; registering it again/);
    expect(stats().appsRegistered).toBe(2);
    expect((await (await t.deps.store()).listConnections({ platform: 'mastodon' })).map((c) => c.name).sort()).toEqual(['alice', 'bob', 'carol'].map((n) => `${n}@${new URL(root()).host}`));
  });

  it('an older server without PKCE metadata: no code_challenge; one app per server; the same person on two servers is two connections', async () => {
    const t = profile();
    expect(await connect(t, classic()), t.stderr()).toBe(0);
    const opened = new URL(t.browser.opened[0]!);
    expect(opened.pathname).toBe('/classic/oauth/authorize');
    expect(opened.searchParams.has('code_challenge')).toBe(false);
    expect(await connect(t, root(), ['--name', 'alice-root']), t.stderr()).toBe(0);
    expect(stats().appsRegistered).toBe(2);
    const conns = await (await t.deps.store()).listConnections({ platform: 'mastodon' });
    expect(conns.map((c) => c.meta.instance).sort()).toEqual([root(), classic()].sort());
    expect(new Set(conns.map((c) => c.accountId)).size).toBe(2);
  });

  it('--instance is refused for other platforms; garbage is a usage error', async () => {
    const t = profile();
    expect(await t.run(['connect', 'x', '--instance', 'mastodon.social'])).toBe(3);
    expect(t.stderr()).toMatch(/--instance is for Mastodon/);
    expect(await t.run(['connect', 'mastodon', '--instance', 'http://mastodon.social'])).toBe(3);
    expect(t.stderr()).toMatch(/only https servers/);
  });
});

describe('tokens that never expire: refresh checks, status, disconnect', () => {
  it('status shows no expiry; refresh is a who-am-I check on its own server, no token exchanged', async () => {
    const t = profile();
    expect(await connect(t, classic()), t.stderr()).toBe(0);
    const [s] = await statusOf(t);
    expect(s).toMatchObject({ platform: 'mastodon', health: 'healthy', accessExpiresAt: null });
    const tokenCalls = stats().tokenCalls;
    expect(await t.run(['refresh', '--force', '--json']), t.stderr()).toBe(0);
    expect(t.stdout()).toMatch(/checked: the token is valid/);
    expect(stats().tokenCalls).toBe(tokenCalls);
  });

  it('a revoked token is found by refresh: needs reconnect, with the command that fixes it (exit 4)', async () => {
    const t = profile();
    expect(await connect(t, root()), t.stderr()).toBe(0);
    sb.control.platform('mastodon').revoke('alice');
    expect(await t.run(['refresh', '--force'])).toBe(4);
    expect(t.stderr() + t.stdout()).toMatch(/socialync connect mastodon --name alice@/);
    const [s] = await statusOf(t);
    expect(s).toMatchObject({ health: 'needs_reconnect' });
    // Reconnecting by name goes back to the same server without --instance.
    expect(await t.run(['connect', 'mastodon', '--name', s!.account]), t.stderr()).toBe(0);
    expect(stats().appsRegistered).toBe(1);
    expect((await statusOf(t))[0]).toMatchObject({ health: 'healthy' });
  });

  it('disconnect revokes the token at the server with the app registered there', async () => {
    const t = profile();
    expect(await connect(t, classic()), t.stderr()).toBe(0);
    const c = (await (await t.deps.store()).listConnections({ platform: 'mastodon' }))[0]!;
    const token = (JSON.parse((await (await t.deps.secrets()).get(`conn.${c.id}`))!) as { accessToken: string }).accessToken;
    expect(await t.run(['disconnect', 'mastodon', c.name, '--yes']), t.stderr()).toBe(0);
    expect(sb.control.validate(token).valid).toBe(false);
  });
});

describe('publish, retry, doctor and api on the connection\'s own server', () => {
  it('a post that failed on a revoked token is published once after `connect --name … --retry-failed`', async () => {
    const t = profile();
    expect(await connect(t, classic(), ['--name', 'old']), t.stderr()).toBe(0);
    sb.control.platform('mastodon').revoke('alice');
    expect(await t.run(['schedule', 'add', '--to', 'mastodon:old', '--at', 'now', '--text', 'retry me', '--json'])).toBe(0);
    expect(await t.run(['publish'])).not.toBe(0);
    expect(t.stdout() + t.stderr()).toMatch(/socialync connect mastodon --name old/);
    expect(await t.run(['connect', 'mastodon', '--name', 'old', '--retry-failed', '--json']), t.stderr()).toBe(0);
    const posts = ((await (await fetch(`${root()}/__publish/v1/posts`)).json()) as { posts: { text: string; page?: string }[] }).posts;
    expect(posts.filter((p) => p.text === 'retry me')).toEqual([expect.objectContaining({ page: '/classic' })]);
  });

  it('doctor: the app registered on each server and a live check against it', async () => {
    const t = profile();
    expect(await connect(t, classic()), t.stderr()).toBe(0);
    const before = t.stdout().length;
    await t.run(['doctor', '--json']);
    const { checks } = JSON.parse(t.stdout().slice(before)) as { checks: { id: string; status: string; title: string }[] };
    expect(checks.find((c) => c.id === 'apps.mastodon')).toMatchObject({ status: 'ok', title: expect.stringContaining(`app registered on ${classic()}`) });
    expect(checks.find((c) => c.title.startsWith('mastodon/'))).toMatchObject({ status: 'ok', title: expect.stringMatching(/live check ok/) });
    // Reachability is probed on the connection's server, not the default mastodon.social.
    expect(checks.find((c) => c.id === 'network.mastodon')).toMatchObject({ status: 'ok', title: `mastodon: ${new URL(root()).host} reachable` });
    expect(await t.run(['app', 'set', 'mastodon', '--client-id', 'x'])).toBe(3);
    expect(t.stderr()).toMatch(/no app to set up.*\n.*socialync connect mastodon --instance/);
  });

  it('`socialync api mastodon` goes to the connection\'s server', async () => {
    const t = profile();
    expect(await connect(t, classic(), ['--name', 'old']), t.stderr()).toBe(0);
    const before = t.stdout().length;
    expect(await t.run(['api', 'mastodon', 'accounts/verify_credentials', '--account', 'old']), t.stderr()).toBe(0);
    expect(JSON.parse(t.stdout().slice(before))).toMatchObject({ username: 'alice' });
  });
});
