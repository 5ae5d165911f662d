/**
 * The keychain backend against real system parts: the session's gnome-keyring
 * (`dbus-run-session -- bash -c '. .ci/keyring-session.sh && npx vitest run src/secrets'`)
 * and private dbus-daemons for the refusals (no bus, no Secret Service, a hung
 * one, a locked keyring).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSecretStore } from './open.js';
import { verifySecretBackend } from './verify.js';
import { keychainCall } from './keychain-call.js';
import { KEYCHAIN_SERVICE, vaultKeyAccount } from './keychain.js';
import { openBus, SECRET_SERVICE_NAME } from './dbus.js';
import {
  binariesAvailable,
  cliRejection,
  itWhen,
  runStoreProcesses,
  secretServiceAvailable,
  startGnomeKeyring,
  startPrivateBus,
  tempHome,
} from '../../test/helpers/secret-service.js';

const NO_USER_BUS_UID = 2_147_480_000; // no /run/user/<uid>/bus for this uid
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home(env: NodeJS.ProcessEnv) {
  const h = tempHome(env);
  cleanups.push(() => h.cleanup());
  return h;
}

const ambient = await secretServiceAvailable();
const daemons = binariesAvailable('dbus-daemon', 'gnome-keyring-daemon');

describe('keychain backend, real Secret Service (gnome-keyring)', () => {
  itWhen(ambient)('keeps the vault key in the keychain: a new store instance reads the same secrets', async () => {
    const h = home({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS });
    const account = vaultKeyAccount(h.paths.dataDir);
    cleanups.push(async () => {
      await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'delete', account }], env: process.env, timeoutMs: 5000 });
    });
    const s1 = await openSecretStore(h);
    expect(s1.describe()).toMatchObject({ backend: 'keychain', detail: expect.stringContaining(account) });
    await s1.set('conn.11111111-2222-4333-8444-555555555555', 'access-token-abcdef');
    await s1.set('app.tiktok.client_secret', 'tt-secret-abcdef');
    const s2 = await openSecretStore(h);
    expect(await s2.get('conn.11111111-2222-4333-8444-555555555555')).toBe('access-token-abcdef');
    expect(await s2.get('app.tiktok.client_secret')).toBe('tt-secret-abcdef');
    // The key really is in the keychain (not in memory or a file): read it back independently.
    const r = await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'get', account }], env: process.env, timeoutMs: 5000 });
    expect(r.ok && typeof r.results[0] === 'string' && Buffer.from(r.results[0], 'base64').length).toBe(32);
    // Only the probe's own item is written and removed: no probe items are left behind.
    const report = await verifySecretBackend(h);
    expect(report).toMatchObject({
      backend: 'keychain',
      selectedBy: 'default',
      ok: true,
      keychain: { probe: 'ok', secretService: 'running', kernelKeyringFallback: false, vaultKey: 'found', bus: { source: 'env' } },
    });

    // Losing the keychain item is reported, not papered over with a fresh key.
    await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'delete', account }], env: process.env, timeoutMs: 5000 });
    const e = await cliRejection(openSecretStore(h));
    expect(e.message).toMatch(/the vault key .* is missing, so the secrets in .* cannot be decrypted/);
  });

  itWhen(ambient)('processes opening a new vault at the same time agree on one key', async () => {
    const h = home({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS });
    const account = vaultKeyAccount(h.paths.dataDir);
    cleanups.push(async () => {
      await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'delete', account }], env: process.env, timeoutMs: 5000 });
    });
    const codes = await runStoreProcesses(h.env, 8, `await s.set('conn.p' + me, 'value-' + me);`);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const s = await openSecretStore(h);
    for (const n of [0, 1, 2, 3, 4, 5, 6, 7]) expect(await s.get(`conn.p${n}`)).toBe(`value-${n}`);
  });
  itWhen(ambient)('takes over a vault-key lock left by a dead process (six at once), and leaves no lock behind', async () => {
    const h = home({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS });
    const account = vaultKeyAccount(h.paths.dataDir);
    cleanups.push(async () => {
      await keychainCall({ service: KEYCHAIN_SERVICE, ops: [{ op: 'delete', account }], env: process.env, timeoutMs: 5000 });
    });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(h.paths.vaultDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(h.paths.vaultDir, '.vault-key.lock'), dead);
    // Six processes find it at once: one at a time takes it over, all agree on one key.
    const codes = await runStoreProcesses(h.env, 6, `await s.set('conn.p' + me, 'value-' + me);`);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const s = await openSecretStore(h);
    for (const n of [0, 1, 2, 3, 4, 5]) expect(await s.get(`conn.p${n}`)).toBe(`value-${n}`);
    expect(readdirSync(h.paths.vaultDir).filter((f) => f.includes('lock'))).toEqual([]);
  });
});

describe('keychain backend refusals', () => {
  const linux = { platform: 'linux' as const, uid: NO_USER_BUS_UID, timeoutMs: 2000 };

  it('refuses when the session bus is unreachable, naming the file-backend fix', async () => {
    const h = home({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/socialync-test/bus' });
    const e = await cliRejection(openSecretStore({ ...h, ...linux }));
    expect(e.message).toMatch(/^cannot reach the D-Bus session bus at unix:path=\/nonexistent/);
    expect(e.hint).toContain('socialync secrets use-file');
    expect(e.hint).toContain('export SOCIALYNC_SECRET_BACKEND=file SOCIALYNC_VAULT_KEY_FILE=');
  });

  it('refuses when there is no session bus at all (cron without /run/user/<uid>/bus), never falling back to the file backend', async () => {
    const h = home({ SOCIALYNC_VAULT_KEY: 'a'.repeat(64) });
    const e = await cliRejection(openSecretStore({ ...h, ...linux }));
    expect(e.message).toBe(
      `no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and /run/user/${NO_USER_BUS_UID}/bus does not exist, so the OS keychain cannot be reached`,
    );
    expect(e.hint).toContain('socialync secrets use-file');
    const report = await verifySecretBackend({ ...h, ...linux });
    expect(report).toMatchObject({ ok: false, keychain: { kernelKeyringFallback: true, buses: [] } });
    expect(report.keychain?.cron).toEqual({ error: `no /run/user/${NO_USER_BUS_UID}/bus: a cron job cannot reach the keychain (use the file backend for cron)` });
  });

  itWhen(daemons)('refuses a bus without a Secret Service instead of using the kernel keyring', async () => {
    const bus = await startPrivateBus({ activation: false });
    cleanups.push(() => bus.stop());
    const h = home({ DBUS_SESSION_BUS_ADDRESS: bus.address });
    const e = await cliRejection(openSecretStore({ ...h, ...linux }));
    expect(e.message).toMatch(/no Secret Service \(org\.freedesktop\.secrets\) on the D-Bus session bus; refusing the kernel-keyring fallback/);
    expect(e.hint).toContain('SOCIALYNC_SECRET_BACKEND=file');
    const report = await verifySecretBackend({ ...h, ...linux });
    expect(report.keychain).toMatchObject({ secretService: 'missing', kernelKeyringFallback: true });
  });

  itWhen(daemons)('finds the bus in $XDG_RUNTIME_DIR when DBUS_SESSION_BUS_ADDRESS is unset (cron)', async () => {
    const bus = await startPrivateBus({ activation: false });
    cleanups.push(() => bus.stop());
    const h = home({ XDG_RUNTIME_DIR: bus.env.XDG_RUNTIME_DIR });
    const report = await verifySecretBackend({ ...h, ...linux });
    expect(report.keychain?.buses).toEqual([{ address: `unix:path=${bus.env.XDG_RUNTIME_DIR}/bus`, source: 'xdg-runtime-dir', state: 'missing' }]);
  });

  itWhen(daemons)('gives up on a Secret Service that never answers, within the timeout', async () => {
    const bus = await startPrivateBus({ activation: false });
    cleanups.push(() => bus.stop());
    const fake = await openBus(bus.address, 2000);
    cleanups.push(() => fake.close());
    expect(await fake.call('RequestName', [SECRET_SERVICE_NAME, 4])).toEqual([1]); // owns the name, answers nothing
    const h = home({ DBUS_SESSION_BUS_ADDRESS: bus.address });
    const started = performance.now();
    const e = await cliRejection(openSecretStore({ ...h, ...linux, timeoutMs: 1500 }));
    expect(performance.now() - started).toBeLessThan(4000);
    expect(e.message).toMatch(/the OS keychain did not answer within 1500 ms/);
    expect(e.hint).toContain('socialync secrets use-file');
  });

  itWhen(daemons)('fails fast and clearly on a locked keyring (no prompt, no hang)', async () => {
    // First session: create a password-protected login keyring.
    const bus1 = await startPrivateBus({ activation: false });
    cleanups.push(() => bus1.stop());
    const unlocked = await startGnomeKeyring(bus1, 'test-password');
    await unlocked.stop();
    // Second session, same HOME: the daemon starts with that keyring locked.
    const bus2 = await startPrivateBus({ activation: false, home: bus1.home });
    cleanups.push(() => bus2.stop());
    const locked = await startGnomeKeyring(bus2);
    cleanups.push(() => locked.stop());
    const h = home({ DBUS_SESSION_BUS_ADDRESS: bus2.address });
    const started = performance.now();
    const e = await cliRejection(openSecretStore({ ...h, ...linux, timeoutMs: 3000 }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(e.message).toMatch(/the OS keychain (is locked|did not answer)/);
    expect(e.hint).toMatch(/unlock your keyring.*socialync secrets use-file/);
  });
});
