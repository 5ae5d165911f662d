/**
 * Facebook tokens through the built CLI (docs/platforms/facebook.md#tokens): connect, then `refresh`
 * only checks the tokens with debug_token (no exchange call), `status --json` shows the deadlines
 * debug_token reports, and a Page post is published once with the Page token.
 * The sandbox clock runs 3 days behind ours, so a deadline computed locally ("now + 60 days")
 * would differ from the platform's by 3 days: only the platform's answer passes.
 * Run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { DAY } from '../../src/core/clock.js';
import { createDeps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { consentVia } from '../helpers/sandbox-consent.js';
import { sandboxPosts } from '../helpers/publish-sandbox.js';

const SKEW = -3 * DAY;
let sandbox: Sandbox;
let home: string;
let env: NodeJS.ProcessEnv;
const vaultKey = randomBytes(32).toString('hex');

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['facebook'] });
  sandbox.control.clock({ offsetMs: SKEW });
  home = mkdtempSync(join(tmpdir(), 'socialync-fbtokens-'));
  env = cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: vaultKey, TZ: 'UTC', ...sandbox.hostEnv() });
}, 30_000);
afterAll(async () => {
  await sandbox?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], input?: string) {
  const r = await runCli(args, env, input);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

/** What the platform says about the stored user and Page tokens. */
async function debugTokens(): Promise<{ user: Record<string, number | string>; page: Record<string, number | string> }> {
  const io = createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
  const deps = createDeps({ io, env: { SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: vaultKey } });
  try {
    const [conn] = await (await deps.store()).listConnections({ platform: 'facebook' });
    const t = await loadTokens(deps, conn!);
    const app = sandbox.apps.facebook;
    const debug = async (token: string) => {
      const u = new URL('/v25.0/debug_token', sandbox.origins.facebook);
      u.searchParams.set('input_token', token);
      u.searchParams.set('access_token', `${app.clientId}|${app.clientSecret}`);
      return ((await (await fetch(u)).json()) as { data: Record<string, number | string> }).data;
    };
    return { user: await debug(t.accessToken), page: await debug(t.extra!.pageAccessToken!) };
  } finally {
    await deps.close();
  }
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

describe('Facebook tokens through the built CLI', () => {
  it('connects (--port 0), refresh only checks, status shows the debug_token deadlines, a Page post is published once', async () => {
    const app = sandbox.apps.facebook;
    await cli(['app', 'set', 'facebook', '--client-id', app.clientId, '--client-secret-stdin', '--port', '0'], app.clientSecret);

    const run = startCli(['connect', 'facebook', '--no-browser', '--port', '0', '--timeout', '60'], env);
    const [printed] = await run.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\S+/);
    let authorize = new URL(printed);
    if (authorize.origin !== sandbox.origins.facebook) authorize = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    const callback = await consentVia(authorize);
    await fetch(callback).then((r) => r.text());
    const connected = await run.done;
    expect(connected.code, connected.stderr).toBe(0);
    const tokenCallsAtConnect = sandbox.control.platform('facebook').stats().tokenCalls;

    const refresh = JSON.parse((await cli(['refresh', '--force', '--json'])).stdout) as { results: { platform: string; status: string; message: string }[] };
    expect(refresh.results).toEqual([expect.objectContaining({ platform: 'facebook', status: 'refreshed', message: expect.stringMatching(/^checked/) })]);
    const stats = sandbox.control.platform('facebook').stats();
    expect(stats.tokenCalls).toBe(tokenCallsAtConnect); // no fb_exchange_token after connect
    expect(stats.refusedReexchanges ?? 0).toBe(0);

    const { user, page } = await debugTokens();
    expect(page).toMatchObject({ type: 'PAGE', is_valid: true, expires_at: 0 });
    const [s] = JSON.parse((await cli(['status', 'facebook', '--json'])).stdout) as Record<string, unknown>[];
    expect(s).toMatchObject({
      health: 'healthy',
      accessExpiresAt: iso(user.expires_at as number),
      reconnectBy: iso(user.expires_at as number),
      reconnectByEstimated: false,
      daysUntilReconnect: 56, // 60 days from the platform's clock, which is 3 days behind ours
    });
    expect(s!.reconnectWhy).toMatch(/local video uploads need it/);
    expect(s!.reconnectWhy).toContain(`until data access ends on ${iso(page.data_access_expires_at as number).slice(0, 10)}`);

    const add = JSON.parse((await cli(['schedule', 'add', '--at', 'now', '--json', '--to', 'facebook', '--text', 'e2e page post with the Page token'])).stdout) as { id: number };
    await cli(['publish']);
    const shown = JSON.parse((await cli(['schedule', 'show', String(add.id), '--json'])).stdout) as { status: string };
    expect(shown.status).toBe('published');
    const posts = (await sandboxPosts(sandbox, 'facebook')).filter((p) => p.text === 'e2e page post with the Page token');
    expect(posts).toHaveLength(1);
  }, 90_000);
});
