/**
 * The `keychain` backend: the vault key lives in the OS keychain
 * (macOS Keychain, Windows Credential Manager, Secret Service on Linux) via
 * @napi-rs/keyring, as item service "socialync", account "vault-key:<hash of
 * the data dir>" so separate profiles and homes get separate keys.
 *
 * Before use the backend is verified: write a probe item, read it back, delete
 * it. On Linux we first require a Secret Service on the session bus, because
 * without one @napi-rs/keyring silently stores into the kernel keyring
 * (keyutils), which is emptied at logout/reboot (keyring-node
 * src/linux_credential_builder.rs). Every keychain batch runs in a child
 * process killed after `timeoutMs` (keychain-call.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../core/errors.js';
import { systemClock } from '../core/clock.js';
import { ensurePrivateDir, type Paths } from '../core/paths.js';
import { rememberSecret } from '../core/redact.js';
import { probeSecretService, sessionBusCandidates, type BusLocation, type SecretServiceState } from './dbus.js';
import { keychainCall, KeychainTimeoutError, type KeychainOp } from './keychain-call.js';
import { vaultInitialized } from './vault.js';

export const KEYCHAIN_SERVICE = 'socialync';

export const FILE_BACKEND_HINT =
  'start a Secret Service (gnome-keyring-daemon or KeePassXC), or use the encrypted file backend: socialync secrets use-file ' +
  '(or export SOCIALYNC_SECRET_BACKEND=file SOCIALYNC_VAULT_KEY_FILE=~/.config/socialync/vault.key)';

function unlockHint(platform: NodeJS.Platform): string {
  const how =
    platform === 'darwin'
      ? 'unlock the login keychain and allow access (Keychain Access)'
      : platform === 'win32'
        ? 'check Windows Credential Manager'
        : 'unlock your keyring (log in to the desktop session, or run: gnome-keyring-daemon --unlock)';
  return `${how}, or use the encrypted file backend: socialync secrets use-file`;
}

export function vaultKeyAccount(dataDir: string): string {
  return `vault-key:${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`;
}

export interface BusCheck extends BusLocation {
  state?: SecretServiceState;
  error?: string;
}

/** What the keychain checks found; filled as they run, so doctor can show it even after a failure. */
export interface KeychainDiagnostics {
  platform: NodeJS.Platform;
  buses?: BusCheck[];
  /** The bus used for the keychain calls. */
  bus?: BusLocation;
  secretService?: SecretServiceState;
  /** @napi-rs/keyring would use (or used) the non-persistent kernel keyring. */
  kernelKeyringFallback?: boolean;
  probe?: 'ok' | 'failed';
  vaultKey?: 'found' | 'created' | 'missing';
}

export interface KeychainOptions {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  platform: NodeJS.Platform;
  uid?: number;
}

/** Finds a session bus with a Secret Service (Linux only), or throws the refusal. */
async function findSecretService(o: KeychainOptions, diag: KeychainDiagnostics): Promise<BusCheck> {
  const uid = o.uid ?? process.getuid?.();
  const buses: BusCheck[] = sessionBusCandidates(o.env, uid === undefined ? {} : { uid });
  diag.buses = buses;
  if (buses.length === 0) {
    diag.kernelKeyringFallback = true;
    throw new CliError(
      `no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and /run/user/${uid ?? '<uid>'}/bus does not exist, so the OS keychain cannot be reached`,
      { hint: FILE_BACKEND_HINT },
    );
  }
  for (const b of buses) {
    try {
      b.state = await probeSecretService(b.address, o.timeoutMs);
      if (b.state !== 'missing') {
        diag.bus = { address: b.address, source: b.source };
        diag.secretService = b.state;
        return b;
      }
    } catch (e) {
      b.error = (e as Error).message;
    }
  }
  diag.kernelKeyringFallback = true;
  const reachable = buses.find((b) => b.state === 'missing');
  if (reachable) {
    diag.secretService = 'missing';
    throw new CliError(
      'no Secret Service (org.freedesktop.secrets) on the D-Bus session bus; refusing the kernel-keyring fallback, which loses secrets at logout or reboot',
      { hint: FILE_BACKEND_HINT },
    );
  }
  throw new CliError(`cannot reach the D-Bus session bus at ${buses[0]!.address} (${buses[0]!.error})`, { hint: FILE_BACKEND_HINT });
}

function keychainError(message: string, step: string, platform: NodeJS.Platform): CliError {
  if (/lock|prompt|no result found|dismiss|denied|interaction/i.test(message)) {
    return new CliError(`the OS keychain is locked or refused access (${step}: ${message})`, { hint: unlockHint(platform) });
  }
  return new CliError(`the OS keychain failed (${step}: ${message})`, { hint: FILE_BACKEND_HINT });
}

async function call(o: KeychainOptions, childEnv: NodeJS.ProcessEnv, ops: KeychainOp[], step: string): Promise<Array<string | null | boolean>> {
  let r;
  try {
    r = await keychainCall({ service: KEYCHAIN_SERVICE, ops, env: childEnv, timeoutMs: o.timeoutMs });
  } catch (e) {
    if (e instanceof KeychainTimeoutError) {
      throw new CliError(`the OS keychain did not answer within ${o.timeoutMs} ms (${step}); is it locked and waiting for an unlock prompt?`, {
        hint: unlockHint(o.platform),
      });
    }
    throw keychainError((e as Error).message, step, o.platform);
  }
  if (!r.ok) throw keychainError(r.message, step, o.platform);
  return r.results;
}

/**
 * Exclusive lock file holding our pid; a lock left by a dead process is taken over.
 * The lock appears with its pid already in it (written to a private file, then hard-linked
 * into place, which fails if a lock exists), so nobody reads a half-made lock as dead; where
 * the file system has no hard links it is created exclusively and written at once, and an
 * empty lock younger than a few seconds counts as being written. Takeovers are serialised by
 * a second exclusive marker (a folder), under which the lock is re-read before it is removed,
 * so two processes taking over at once cannot remove each other's new lock.
 */
async function withLock<T>(dir: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  ensurePrivateDir(dir);
  const path = join(dir, '.vault-key.lock');
  const mine = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, String(process.pid), { mode: 0o600 });
  try {
    for (let waited = 0; ; waited += 50) {
      if (createLock(mine, path)) break;
      const holder = lockHolder(path);
      if (holder !== undefined && holder !== ALIVE && !pidAlive(holder) && takeOver(path, holder)) continue;
      if (waited >= waitMs) throw new CliError(`another socialync process holds ${path}`, { hint: 'retry in a moment' });
      await sleep(50);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return await fn();
  } finally {
    if (lockHolder(path) === process.pid) rmSync(path, { force: true });
  }
}

/** True when we now hold the lock; false when another lock is in place. */
function createLock(mine: string, path: string): boolean {
  try {
    linkSync(mine, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

const ALIVE = -1;
/** The pid in a lock file (0 if unreadable as one; ALIVE while it is being written); undefined when it is gone. */
function lockHolder(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    if (text === '' && systemClock.now() - statSync(path).mtimeMs < 5000) return ALIVE;
    const pid = Number(text);
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return undefined;
  }
}

/** Removes a dead holder's lock, one process at a time; true when it did (or the lock is gone). */
function takeOver(path: string, deadPid: number): boolean {
  const marker = `${path}.takeover`;
  try {
    mkdirSync(marker, { mode: 0o700 });
  } catch {
    // Another process is taking over; a marker left by one that died meanwhile is cleared.
    try {
      if (systemClock.now() - statSync(marker).mtimeMs > 10_000) rmSync(marker, { recursive: true, force: true });
    } catch {
      /* gone already */
    }
    return false;
  }
  try {
    // Under the marker only a takeover can remove the lock, and a new one cannot appear while
    // it exists: if it still names the dead process, it is the same lock.
    const now = lockHolder(path);
    if (now === undefined) return true;
    if (now !== deadPid) return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(marker, { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Verifies the keychain and returns the 32-byte vault key (creating it on first use).
 * Throws a CliError naming the fix on any failure; fills `diag` as it goes.
 */
export async function keychainVaultKey(o: KeychainOptions, diag: KeychainDiagnostics): Promise<Buffer> {
  let childEnv = o.env;
  if (o.platform === 'linux') {
    const bus = await findSecretService(o, diag);
    childEnv = { ...o.env, DBUS_SESSION_BUS_ADDRESS: bus.address };
  }
  const account = vaultKeyAccount(o.paths.dataDir);
  const nonce = randomBytes(16).toString('hex');
  const probeAccount = `probe:${randomBytes(6).toString('hex')}`;
  let results;
  try {
    results = await call(
      o,
      childEnv,
      [
        { op: 'set', account: probeAccount, value: nonce },
        { op: 'get', account: probeAccount },
        { op: 'delete', account: probeAccount },
        { op: 'get', account },
      ],
      'probe write/read/delete',
    );
  } catch (e) {
    diag.probe = 'failed';
    throw e;
  }
  if (results[1] !== nonce) {
    diag.probe = 'failed';
    throw new CliError('the OS keychain did not return the value just written (probe read-back mismatch)', { hint: FILE_BACKEND_HINT });
  }
  // An activatable service that failed to start leaves @napi-rs/keyring on the kernel keyring:
  // after a successful probe the Secret Service must now be running.
  if (o.platform === 'linux' && diag.secretService === 'activatable') {
    const now = await probeSecretService(diag.bus!.address, o.timeoutMs).catch(() => 'missing' as const);
    if (now !== 'running') {
      diag.kernelKeyringFallback = true;
      diag.probe = 'failed';
      throw new CliError('the Secret Service did not start; the keychain library fell back to the non-persistent kernel keyring', {
        hint: FILE_BACKEND_HINT,
      });
    }
  }
  diag.probe = 'ok';
  diag.kernelKeyringFallback = false;
  let encoded = results[3];
  if (typeof encoded !== 'string') {
    if (vaultInitialized(o.paths.vaultDir)) {
      diag.vaultKey = 'missing';
      throw new CliError(
        `the vault key (keychain item "${KEYCHAIN_SERVICE}" / "${account}") is missing, so the secrets in ${o.paths.vaultDir} cannot be decrypted`,
        { hint: `your secrets are intact: restore or unlock the keychain that holds the key; only if it is lost for good: move ${o.paths.vaultDir} aside (it keeps the old secrets) and reconnect: socialync connect <platform>` },
      );
    }
    // First use: create under a lock so two processes cannot create two different keys.
    const fresh = randomBytes(32).toString('base64');
    const [got] = await withLock(o.paths.vaultDir, o.timeoutMs * 2, () =>
      call(o, childEnv, [{ op: 'getOrSet', account, value: fresh }], 'create vault key'),
    );
    encoded = got;
    diag.vaultKey = 'created';
  } else {
    diag.vaultKey = 'found';
  }
  const key = typeof encoded === 'string' ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new CliError(`keychain item "${KEYCHAIN_SERVICE}" / "${account}" is not a valid vault key`, {
      hint: `remove it only if ${o.paths.vaultDir} holds nothing you need, then reconnect`,
    });
  }
  rememberSecret(encoded as string);
  return key;
}
