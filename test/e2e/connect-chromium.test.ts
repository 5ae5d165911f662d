/**
 * End to end: the built CLI connects every platform while real headless
 * Chromium clicks Approve on the sandbox consent pages; then `status` shows
 * them with the right days until reconnect, and no token value is left
 * anywhere under the socialync home except the encrypted vault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { PLATFORMS as ALL } from '../../src/providers/types.js';

/** The platforms with a developer app (`app set`); Mastodon registers itself per server: test/e2e/mastodon-chromium.test.ts. */
const PLATFORMS = ALL.filter((p) => p !== 'mastodon');
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { chromiumMissing, launchChromium } from '../helpers/chromium.js';

const skip = chromiumMissing();
/** Bluesky needs no app: the AT Protocol localhost client (docs/platforms/bluesky.md#oauth). */
const NO_APP = new Set(['bluesky']);
const APP_PLATFORMS = PLATFORMS.filter((p) => !NO_APP.has(p));
/** What `connect` needs besides the platform: Bluesky starts from the account's handle. */
const connectArgs = (p: string) => (p === 'bluesky' ? ['--handle', 'alice.bsky.social'] : []);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

describe.skipIf(Boolean(skip))('connect every platform in real Chromium', () => {
  let sandbox: Sandbox;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const outputs: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({});
    home = mkdtempSync(join(tmpdir(), 'socialync-e2e-'));
    env = cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex'), ...sandbox.hostEnv() });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
  });

  it('sets up the apps and prints the redirect URI to register', async () => {
    for (const p of APP_PLATFORMS) {
      const app = sandbox.apps[p];
      const args = ['app', 'set', p, '--client-id', app.clientId, '--client-secret-stdin', '--port', '0', ...(app.clientType ? ['--client-type', app.clientType] : [])];
      const r = await runCli(args, env, app.clientSecret);
      outputs.push(r.stdout, r.stderr);
      expect(r.code, r.stderr).toBe(0);
      // Google Desktop-app clients accept any loopback port: nothing to register.
      expect(r.stdout).toMatch(p === 'youtube' ? /nothing to register|127\.0\.0\.1/ : /^https?:\/\/(127\.0\.0\.1|localhost):/);
    }
    const list = await runCli(['app', 'list', '--json'], env);
    const apps = JSON.parse(list.stdout) as { platform: string; clientSecret: string }[];
    expect(apps.map((a) => a.platform).sort()).toEqual([...APP_PLATFORMS].sort());
    expect(apps.every((a) => a.clientSecret !== 'missing')).toBe(true);
    expect(list.stdout).not.toContain(sandbox.apps.tiktok.clientSecret);
  });

  for (const p of PLATFORMS) {
    it(`connects ${p} by clicking Approve`, async () => {
      const run = startCli(['connect', p, ...connectArgs(p), '--no-browser', '--timeout', '60'], env);
      const [url] = await run.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\S+/);
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await ctx.newPage();
      await page.goto(url);
      await page.click('#approve');
      await page.waitForSelector('#result', { timeout: 20_000 });
      const shown = await page.textContent('body');
      await ctx.close();
      const r = await run.done;
      outputs.push(r.stdout, r.stderr);
      expect(r.code, r.stderr).toBe(0);
      expect(shown).toMatch(/Connected to/);
      expect(r.stderr).toMatch(/Connected .* as "alice(-bakery|\.bsky\.social)?"/);
    });
  }

  it('shows every platform healthy in status with days until reconnect', async () => {
    const r = await runCli(['status', '--json'], env);
    outputs.push(r.stdout, r.stderr);
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as { platform: string; health: string; daysUntilReconnect: number | null; reconnectByEstimated: boolean }[];
    expect(entries).toHaveLength(PLATFORMS.length);
    const by = Object.fromEntries(entries.map((e) => [e.platform, e]));
    for (const e of entries) expect(e.health, e.platform).toBe('healthy');
    // Sandbox lifetimes: TikTok refresh 180 d, LinkedIn 365 d, X ~6 months (estimate), Meta 60 d, Google none.
    expect(by.tiktok!.daysUntilReconnect).toBeGreaterThanOrEqual(179);
    expect(by.tiktok!.daysUntilReconnect).toBeLessThanOrEqual(180);
    expect(by.linkedin!.daysUntilReconnect).toBeGreaterThanOrEqual(364);
    expect(by.x!.reconnectByEstimated).toBe(true);
    expect(by.x!.daysUntilReconnect).toBeGreaterThan(170);
    expect(by.instagram!.daysUntilReconnect).toBeGreaterThanOrEqual(59);
    expect(by.facebook!.daysUntilReconnect).toBeGreaterThanOrEqual(59);
    // Threads: the 60-day long-lived token, extended in place (docs/platforms/threads.md#tokens).
    expect(by.threads!.daysUntilReconnect).toBeGreaterThanOrEqual(59);
    expect(by.threads!.daysUntilReconnect).toBeLessThanOrEqual(60);
    // Pinterest: the continuous refresh token's 60 days, renewed by every refresh (docs/platforms/pinterest.md#tokens).
    expect(by.pinterest!.daysUntilReconnect).toBeGreaterThanOrEqual(59);
    expect(by.pinterest!.daysUntilReconnect).toBeLessThanOrEqual(60);
    // Google: no fixed lifetime; dies after ~6 months unused, shown as an estimate.
    expect(by.youtube!.reconnectByEstimated).toBe(true);
    expect(by.youtube!.daysUntilReconnect).toBeGreaterThan(170);
    // Bluesky: the public-client session ends 2 weeks after the login, exactly (not an estimate).
    expect(by.bluesky!.daysUntilReconnect).toBe(13);
    expect(by.bluesky!.reconnectByEstimated).toBe(false);
    const table = await runCli(['status'], env);
    expect(table.stdout.split('\n').filter(Boolean)).toHaveLength(PLATFORMS.length);
  });

  it('leaves no token value outside the encrypted vault', async () => {
    const { openSecretStore } = await import('../../src/secrets/open.js');
    const { createDeps } = await import('../../src/deps.js');
    const deps = createDeps({ env, io: { ...(await import('../../src/core/io.js')).createIO({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} }) } });
    const secrets = await openSecretStore({ paths: deps.paths, env, config: deps.config, io: deps.io });
    const store = await deps.store();
    const values: string[] = [];
    for (const c of await store.listConnections()) {
      const t = JSON.parse((await secrets.get(`conn.${c.id}`))!) as { accessToken: string; refreshToken?: string; extra?: Record<string, string> };
      values.push(t.accessToken, ...(t.refreshToken ? [t.refreshToken] : []), ...Object.entries(t.extra ?? {}).filter(([k]) => /token/i.test(k)).map(([, v]) => v));
      // Bluesky's DPoP private key is a secret of the session too.
      if (t.extra?.['dpopJwk']) values.push((JSON.parse(t.extra['dpopJwk']) as { d: string }).d);
    }
    await deps.close();
    expect(values.length).toBeGreaterThanOrEqual(6);
    const vault = join(home, 'vault');
    for (const f of filesUnder(home)) {
      if (f.startsWith(vault) || !statSync(f).isFile()) continue;
      const text = readFileSync(f).toString('latin1');
      for (const v of values) expect(text.includes(v), `${f} contains a token`).toBe(false);
    }
    for (const o of outputs) for (const v of values) expect(o.includes(v)).toBe(false);
  });
});
