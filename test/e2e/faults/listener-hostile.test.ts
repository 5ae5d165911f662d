/**
 * The login listener under hostile requests, through the built binary: a
 * malformed request target, a foreign Host (DNS rebinding), a forged denial
 * without our state and escape sequences in platform text must neither crash
 * `connect` nor end the login nor reach the terminal raw; the real callback
 * still connects the account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { cliEnv, runCli, startCli } from '../../helpers/cli.js';
import { loginRedirect } from '../../helpers/sandbox-login.js';

/** Sends raw bytes (no client-side URL parsing) and returns the status line. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request)); // no half-close: the answer may come after the code exchange
    let out = '';
    sock.on('data', (d) => (out += d));
    sock.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
    sock.on('error', reject);
  });
}

const get = (port: number, target: string, host = `127.0.0.1:${port}`) => raw(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

describe('connect survives hostile requests to its login listener', () => {
  let sandbox: Sandbox;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sandbox = await startSandbox({ platforms: ['tiktok'] });
    const home = mkdtempSync(join(tmpdir(), 'socialync-hostile-'));
    env = cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'file', SOCIALYNC_VAULT_KEY: randomBytes(32).toString('hex'), ...sandbox.hostEnv() });
    const app = sandbox.apps.tiktok;
    expect((await runCli(['app', 'set', 'tiktok', '--client-id', app.clientId, '--client-secret-stdin'], env, app.clientSecret)).code).toBe(0);
  });
  afterAll(async () => sandbox?.close());

  async function startLogin() {
    const run = startCli(['connect', 'tiktok', '--no-browser', '--timeout', '30'], env);
    const [printed] = await run.waitFor(/https?:\/\/127\.0\.0\.1:\d+\/\S+/);
    const authorizeUrl = new URL(printed);
    const redirect = new URL(authorizeUrl.searchParams.get('redirect_uri')!);
    return { run, authorizeUrl, port: Number(redirect.port), path: redirect.pathname, state: authorizeUrl.searchParams.get('state')! };
  }

  it('ignores the attacks, then connects with the real callback', async () => {
    const { run, authorizeUrl, port, path } = await startLogin();
    expect(await get(port, '//[/x')).toMatch(/^HTTP\/1\.1 400/);
    expect(await get(port, `${path}?error=access_denied&error_description=${encodeURIComponent('\x1b[2Jgone')}`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await get(port, `${path}?code=x&state=forged`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await get(port, `${path}?code=x&state=forged`, `rebind.example:${port}`)).toMatch(/^HTTP\/1\.1 421/);
    expect(await raw(port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    const location = await loginRedirect(authorizeUrl);
    const back = new URL(location);
    expect(await get(port, back.pathname + back.search)).toMatch(/^HTTP\/1\.1 200/);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Connected TikTok account/);
    expect(r.stderr).toMatch(/ignored a request without a state parameter/);
    expect(r.stderr).not.toContain('\x1b');
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as { platform: string; health: string }[];
    expect(status).toMatchObject([{ platform: 'tiktok', health: 'healthy' }]);
  });

  it('prints a platform error that carries our state without its escape sequences', async () => {
    const { run, port, path, state } = await startLogin();
    const desc = encodeURIComponent('bad\x1b]0;pwned\x07\x1b[31m thing');
    expect(await get(port, `${path}?error=server_error&error_description=${desc}&state=${state}`)).toMatch(/^HTTP\/1\.1 400/);
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the platform refused the authorization: server_error — bad thing/);
    expect(r.stderr).not.toMatch(/\x1b|\x07/);
  });
});
