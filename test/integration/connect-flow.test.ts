/**
 * The connect flow in-process against the real sandbox over HTTP, with a
 * FakeBrowser playing the user: approvals, denials, forged callbacks,
 * refused scopes, a different account on reconnect, platform failures,
 * headless paste-back — each with one clear line and nothing half-saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { PlatformId } from '../../src/providers/types.js';
import { FakeBrowser, type FakeBrowserScript } from '../helpers/fake-browser.js';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({});
});
afterAll(async () => sandbox?.close());

async function profile(script: FakeBrowserScript = {}, platforms: PlatformId[] = ['tiktok']): Promise<TestDeps & { browser: FakeBrowser }> {
  const browser = new FakeBrowser(script);
  const t = makeTestDeps({ env: sandbox.hostEnv(), over: { browser } });
  for (const p of platforms) {
    const app = sandbox.apps[p];
    t.stdin.write(app.clientSecret);
    const code = await makeTestDepsApp(t, p);
    expect(code, t.stderr()).toBe(0);
  }
  return Object.assign(t, { browser });
}

async function makeTestDepsApp(t: TestDeps, p: PlatformId): Promise<number> {
  const app = sandbox.apps[p];
  const { runAppSet } = await import('../../src/commands/app.js');
  await runAppSet(t.deps, { platform: p, clientId: app.clientId, clientSecret: app.clientSecret, port: 0, ...(app.clientType ? { clientType: app.clientType } : {}) });
  return 0;
}

async function statusJson(t: TestDeps): Promise<{ platform: string; account: string; health: string; reason: string | null; reasonText: string | null }[]> {
  const before = t.stdout().length;
  await t.run(['status', '--json']);
  return JSON.parse(t.stdout().slice(before));
}

async function storedTokens(t: TestDeps, platform: PlatformId, name: string): Promise<string | undefined> {
  const store = await t.deps.store();
  const c = await store.findConnection(platform, name);
  return c ? (await t.deps.secrets()).get(`conn.${c.id}`) : undefined;
}

describe('socialync connect', () => {
  it('rejects an unknown platform with the list of valid ones (exit 3)', async () => {
    const t = makeTestDeps();
    expect(await t.run(['connect', 'myspace'])).toBe(3);
    expect(t.stderr()).toMatch(/unknown platform "myspace"/);
    expect(t.stderr()).toMatch(/instagram, facebook, tiktok, youtube, x, linkedin/);
  });

  it('names `app set` when the app credentials are missing (exit 3)', async () => {
    const t = makeTestDeps({ env: sandbox.hostEnv() });
    expect(await t.run(['connect', 'tiktok'])).toBe(3);
    expect(t.stderr()).toMatch(/no app credentials.*\n.*socialync app set tiktok/);
  });

  it('connects, then status shows the account healthy', async () => {
    const t = await profile();
    expect(await t.run(['connect', 'tiktok']), t.stderr()).toBe(0);
    expect(t.stderr()).toMatch(/Connected TikTok account Alice as "alice"/);
    await t.browser.done;
    expect(t.browser.finalPage?.body).toMatch(/Connected to TikTok/);
    const s = await statusJson(t);
    expect(s).toMatchObject([{ platform: 'tiktok', account: 'alice', health: 'healthy' }]);
  });

  it('Deny in the browser cancels (exit 2) and saves nothing', async () => {
    const t = await profile({ decision: 'deny' });
    expect(await t.run(['connect', 'tiktok'])).toBe(2);
    expect(t.stderr()).toMatch(/authorization was denied in the browser/);
    expect(t.stderr()).toMatch(/^ {2}to try again, run: socialync connect tiktok \(and choose Allow\)$/m);
    expect(await statusJson(t)).toEqual([]);
  });

  it('a callback with a forged state is ignored (the login keeps waiting) and saves nothing', async () => {
    const t = await profile({ rewrite: (u) => (u.searchParams.set('state', 'forged'), u) });
    expect(await t.run(['connect', 'tiktok', '--timeout', '2'])).toBe(1);
    expect(t.stderr()).toMatch(/warning: tiktok: ignored a request whose state is not this login's .*still waiting/);
    expect(t.stderr()).toMatch(/no callback from the browser within 2 s; nothing was saved/);
    expect(await statusJson(t)).toEqual([]);
  });

  it('a refused scope is named with what it breaks and how to reconnect (exit 5)', async () => {
    const t = await profile({ untick: ['video.publish'] });
    expect(await t.run(['connect', 'tiktok'])).toBe(5);
    expect(t.stderr()).toMatch(/did not grant "video\.publish".*socialync connect tiktok --name alice/);
    const [s] = await statusJson(t);
    expect(s).toMatchObject({ health: 'needs_reconnect', reason: 'scope_missing' });
    expect(s!.reasonText).toMatch(/video\.publish/);
    // Commands end with a banner on stderr, once a day per problem: connect already showed it.
    expect(t.stderr()).toMatch(/^! 1 connection needs a reconnect \(tiktok\/alice\)\. Run: socialync status$/m);
    const before = t.stderr().length;
    expect(await t.run(['app', 'list'])).toBe(0);
    expect(t.stderr().slice(before)).toBe('');
  });

  it('reconnecting replaces tokens in place; a different account is refused and changes nothing', async () => {
    const t = await profile();
    expect(await t.run(['connect', 'tiktok'])).toBe(0);
    const first = await storedTokens(t, 'tiktok', 'alice');
    const id = (await (await t.deps.store()).findConnection('tiktok', 'alice'))!.id;
    expect(await t.run(['connect', 'tiktok', '--name', 'alice'])).toBe(0);
    expect(t.stderr()).toMatch(/Reconnected/);
    const second = await storedTokens(t, 'tiktok', 'alice');
    expect(second).not.toEqual(first);
    expect((await (await t.deps.store()).findConnection('tiktok', 'alice'))!.id).toBe(id);
    t.browser.script = { account: 'bob' };
    expect(await t.run(['connect', 'tiktok', '--name', 'alice'])).toBe(1);
    expect(t.stderr()).toMatch(/belongs to Alice, but you logged in as Bob; nothing was changed/);
    expect(await storedTokens(t, 'tiktok', 'alice')).toEqual(second);
    // The other account can be added under its own name.
    expect(await t.run(['connect', 'tiktok'])).toBe(0);
    expect((await statusJson(t)).map((s) => s.account).sort()).toEqual(['alice', 'bob']);
  });

  it('a personal Instagram account gets an explanation instead of a later failure', async () => {
    const t = await profile({ account: 'carol' }, ['instagram']);
    expect(await t.run(['connect', 'instagram'])).toBe(1);
    expect(t.stderr()).toMatch(/instagram: .*(personal|professional)/i);
    expect(await statusJson(t)).toEqual([]);
  });

  it('Facebook: --page picks the Page; each Page is its own connection named after it', async () => {
    const t = await profile({}, ['facebook']);
    expect(await t.run(['connect', 'facebook']), t.stderr()).toBe(0);
    expect(await t.run(['connect', 'facebook', '--page', 'alice books']), t.stderr()).toBe(0);
    const conns = await (await t.deps.store()).listConnections({ platform: 'facebook' });
    expect(conns.map((c) => [c.name, c.meta.pageName])).toEqual([
      ['alice-bakery', 'Alice Bakery'],
      ['alice-books', 'Alice Books'],
    ]);
    expect(await t.run(['connect', 'facebook', '--page', 'No Such Page'])).toBe(3);
    expect(t.stderr()).toMatch(/no Page "No Such Page" among: Alice Bakery .*, Alice Books/);

    // One login serves both Pages: disconnecting one must not revoke the app for the person.
    expect(await t.run(['disconnect', 'facebook', 'alice-bakery', '--yes']), t.stderr()).toBe(0);
    expect(t.stderr()).toContain('! not revoked at facebook: the same login also serves facebook/alice-books; disconnecting the last of them revokes it');
    expect(await t.run(['refresh', 'facebook', '--force', '--json']), t.stderr()).toBe(0);
    expect(await t.run(['disconnect', 'facebook', 'alice-books', '--yes']), t.stderr()).toBe(0);
    expect(t.stderr()).toContain('✓ Disconnected facebook/alice-books (revoked at the platform).');
  });

  it('app set --https serves the redirect over https (live Facebook apps) and the login completes', async () => {
    const t = await profile({}, ['facebook']);
    expect(await t.run(['app', 'set', 'facebook', '--https', '--port', '8742'])).toBe(0);
    expect(t.stdout()).toMatch(/^https:\/\/127\.0\.0\.1:8742\/callback$/m);
    // Another program may hold 8742 here; the sandbox accepts any loopback port.
    expect(await t.run(['connect', 'facebook', '--port', '0']), t.stderr()).toBe(0);
    expect(decodeURIComponent(t.browser.opened.at(-1)!)).toMatch(/redirect_uri=https:\/\/127\.0\.0\.1:\d+\/callback/);
  });

  it('disconnect revokes at the platform and forgets the tokens', async () => {
    const t = await profile();
    expect(await t.run(['connect', 'tiktok'])).toBe(0);
    const tokens = JSON.parse((await storedTokens(t, 'tiktok', 'alice'))!) as { accessToken: string };
    expect(sandbox.control.validate(tokens.accessToken).valid).toBe(true);
    expect(await t.run(['disconnect', 'tiktok', 'nobody'])).toBe(3);
    expect(t.stderr()).toMatch(/no tiktok connection named "nobody" \(have: alice\)/);
    expect(await t.run(['disconnect', 'tiktok', '--yes']), t.stderr()).toBe(0);
    expect(t.stderr()).toMatch(/Disconnected tiktok\/alice \(revoked at the platform\)/);
    expect(sandbox.control.validate(tokens.accessToken).valid).toBe(false);
    expect(await statusJson(t)).toEqual([]);
    expect(await storedTokens(t, 'tiktok', 'alice')).toBeUndefined();
  });

  it('token endpoint failures are classified and save nothing', async () => {
    const t = await profile();
    const tiktok = sandbox.control.platform('tiktok');
    tiktok.fault({ path: '/v2/oauth/token/', status: 503, count: 10 });
    expect(await t.run(['connect', 'tiktok'])).toBe(6);
    expect(await statusJson(t)).toEqual([]);
    tiktok.reset();
    tiktok.fault({ path: '/v2/oauth/token/', status: 200, body: '<html>proxy login</html>', headers: { 'content-type': 'text/html' } });
    expect(await t.run(['connect', 'tiktok'])).not.toBe(0);
    expect(t.stderr()).toMatch(/tiktok/i);
    tiktok.fault({ path: '/v2/oauth/token/', status: 400, body: { error: 'invalid_grant', error_description: 'Authorization code is expired.', log_id: 'x' } });
    expect(await t.run(['connect', 'tiktok'])).not.toBe(0);
    expect(await statusJson(t)).toEqual([]);
    tiktok.reset();
  });

  it('--no-browser prints the URL and accepts the final URL pasted on stdin', async () => {
    const t = await profile({ ignore: true });
    const running = t.run(['connect', 'tiktok', '--no-browser']);
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      await new Promise((r) => setTimeout(r, 50));
      url = /http:\/\/127\.0\.0\.1:\d+\/v2\/auth\/authorize\/\S+/.exec(t.stderr())?.[0];
    }
    expect(url, t.stderr()).toBeDefined();
    // The user approves on another computer; its browser ends on an unreachable 127.0.0.1 URL, which they paste.
    let final = '';
    const paster = new FakeBrowser({ rewrite: (u) => ((final = u.toString()), new URL('http://127.0.0.1:9/unreachable')) });
    await paster.open(url!);
    await paster.done;
    expect(final).toMatch(/code=/);
    t.stdin.write('garbage\n');
    t.stdin.write(final + '\n');
    expect(await running, t.stderr()).toBe(0);
    expect(t.stderr()).toMatch(/not a URL/);
    expect((await statusJson(t))[0]).toMatchObject({ account: 'alice', health: 'healthy' });
  });

  it('when no browser can be opened, the URL is printed and the login still completes', async () => {
    const t = await profile();
    const noBrowser = makeTestDeps({
      home: t.home,
      env: { ...sandbox.hostEnv(), SOCIALYNC_VAULT_KEY: t.env.SOCIALYNC_VAULT_KEY! },
      over: { browser: { open: async () => { throw new Error('xdg-open: no method available'); } } },
    });
    const running = noBrowser.run(['connect', 'tiktok']);
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      await new Promise((r) => setTimeout(r, 50));
      url = /http:\/\/127\.0\.0\.1:\d+\/v2\/auth\/authorize\/\S+/.exec(noBrowser.stderr())?.[0];
    }
    expect(noBrowser.stderr()).toMatch(/Could not open a browser \(xdg-open: no method available\)\. Open this URL yourself:/);
    // The user opens the printed URL by hand; their browser reaches the listener.
    const user = new FakeBrowser();
    await user.open(url!);
    await user.done;
    expect(await running, noBrowser.stderr()).toBe(0);
    expect(user.finalPage?.body).toMatch(/Connected to TikTok/);
  });

  it('a corrupted state database gives one clear line and the fix', async () => {
    const t = makeTestDeps();
    writeFileSync(join(t.home, 'state.db'), 'this is not a database'.repeat(100));
    expect(await t.run(['status'])).toBe(1);
    expect(t.stderr()).toMatch(/state database .* corrupted/);
    expect(t.stderr()).toMatch(/socialync doctor|mv /);
  });
});
