/**
 * The built CLI with the keychain backend (the default on a desktop), under the private D-Bus
 * session `npm test` starts with its own throwaway GNOME Keyring (.ci/keyring-session.sh):
 * separate processes set up an app, connect, refresh and read status, the vault key lives in the
 * Secret Service and nowhere on disk. Skipped with a printed reason without a Secret Service;
 * failing under CI.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { KEYCHAIN_SERVICE, vaultKeyAccount } from '../../src/secrets/keychain.js';
import { keychainCall } from '../../src/secrets/keychain-call.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { loginRedirect } from '../helpers/sandbox-login.js';
import { itWhen, secretServiceAvailable } from '../helpers/secret-service.js';

const ambient = await secretServiceAvailable();
let sandbox: Sandbox;
let home: string;
let env: NodeJS.ProcessEnv;

const vaultKey = async () => {
  const r = await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'get', account: vaultKeyAccount(home) }], env: process.env, timeoutMs: 5000 });
  return r.ok ? r.results[0] : undefined;
};

beforeAll(async () => {
  sandbox = await startSandbox({ platforms: ['tiktok'] });
  home = mkdtempSync(join(tmpdir(), 'socialync-keychain-'));
  env = cliEnv({ SOCIALYNC_HOME: home, SOCIALYNC_SECRET_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, ...sandbox.hostEnv() });
});
afterAll(async () => {
  if (ambient.ok) await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'delete', account: vaultKeyAccount(home) }], env: process.env, timeoutMs: 5000 });
  await sandbox?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the built CLI on the keychain backend', () => {
  itWhen(ambient)('app set, connect, refresh and status in separate processes; the vault key only in the Secret Service', async () => {
    const app = sandbox.apps.tiktok;
    const set = await runCli(['app', 'set', 'tiktok', '--client-id', app.clientId, '--client-secret-stdin', '--port', '0'], env, app.clientSecret);
    expect(set.code, set.stderr).toBe(0);

    const run = startCli(['connect', 'tiktok', '--no-browser', '--timeout', '60'], env);
    const [url] = await run.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\S+/);
    const callback = await loginRedirect(url, { account: 'alice' });
    await (await fetch(callback)).text();
    const connected = await run.done;
    expect(connected.code, connected.stderr).toBe(0);

    const where = await runCli(['secrets', 'where', '--json'], env);
    expect(where.code, where.stderr).toBe(0);
    expect(JSON.parse(where.stdout)).toMatchObject({ backend: 'keychain' });
    expect(await vaultKey()).toMatch(/\S{16,}/);
    expect(readdirSync(home, { recursive: true }).map(String).filter((f) => /vault\.key$/.test(f))).toEqual([]);
    expect(existsSync(join(home, 'vault'))).toBe(true);

    const refreshed = await runCli(['refresh', 'tiktok', '--force', '--json'], env);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ counts: { refreshed: 1 } });

    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ platform: 'tiktok', health: 'healthy' })]);
  });
});
