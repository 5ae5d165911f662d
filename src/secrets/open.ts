/**
 * Opens the secret store (STYLE.md habit 9).
 *
 * Design: every secret (tokens, client secrets, SMTP password) is a file in an
 * AES-256-GCM vault under `paths.vaultDir` (vault.ts). Only the 32-byte vault
 * key lives elsewhere, chosen by the backend:
 *   - `keychain` (default): the OS keychain, verified before use, with timeouts;
 *     on Linux a Secret Service on the session bus is required (keychain.ts).
 *   - `file`: explicit only (config `secrets.backend: "file"` or
 *     SOCIALYNC_SECRET_BACKEND=file): SOCIALYNC_VAULT_KEY or a 0600 key file (file-key.ts).
 * We never switch backends silently: a keychain failure is an error naming the
 * fix (`socialync secrets use-file`). stderr stays quiet (cron); `describe()`
 * says where secrets live, for `status` and `doctor`.
 *
 * The store verifies and unlocks eagerly in `openSecretStore`, so a command
 * fails before, say, a browser login whose tokens it could not keep.
 */
import { CliError, UsageError } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { IO } from '../core/io.js';
import type { Paths } from '../core/paths.js';
import type { SecretBackend, SecretBackendInfo, SecretStore } from './types.js';
import { openVault, recoveryDirs } from './vault.js';
import { KEYCHAIN_SERVICE, keychainVaultKey, vaultKeyAccount, type KeychainDiagnostics } from './keychain.js';
import { resolveFileKey, VAULT_KEY_ENV } from './file-key.js';

const BACKEND_ENV = 'SOCIALYNC_SECRET_BACKEND';
export const DEFAULT_TIMEOUT_MS = 5000;

export interface OpenSecretStoreOptions {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  config: Config;
  io: IO;
  /** Per keychain batch (a child process); default 5 s. */
  timeoutMs?: number;
  /** For tests: the platform and uid whose rules apply. */
  platform?: NodeJS.Platform;
  uid?: number;
}

export function selectSecretBackend(env: NodeJS.ProcessEnv, config: Config): { backend: SecretBackend; source: 'env' | 'config' | 'default' } {
  const fromEnv = env[BACKEND_ENV];
  if (fromEnv) {
    if (fromEnv !== 'keychain' && fromEnv !== 'file') {
      throw new UsageError(`${BACKEND_ENV} must be "keychain" or "file", not "${fromEnv}"`, `run: export ${BACKEND_ENV}=keychain`);
    }
    return { backend: fromEnv, source: 'env' };
  }
  const fromConfig = config.get<string>('secrets.backend');
  if (fromConfig !== undefined) {
    if (fromConfig !== 'keychain' && fromConfig !== 'file') {
      throw new UsageError(`config secrets.backend must be "keychain" or "file", not "${fromConfig}"`, `fix ${config.file}`);
    }
    return { backend: fromConfig, source: 'config' };
  }
  return { backend: 'keychain', source: 'default' };
}

/** Where secrets live, without touching the keychain (cheap enough for `status`). */
export function describeSecretBackend(o: { paths: Paths; env: NodeJS.ProcessEnv; config: Config }): SecretBackendInfo {
  const { backend, source } = selectSecretBackend(o.env, o.config);
  if (backend === 'file') {
    const keyFrom = o.env[VAULT_KEY_ENV] ? `key from ${VAULT_KEY_ENV}` : `key file ${o.paths.keyFile}`;
    return { backend, location: `encrypted files in ${o.paths.vaultDir}`, detail: `${keyFrom}; selected by ${source === 'env' ? BACKEND_ENV : 'config'}` };
  }
  return {
    backend,
    location: `encrypted files in ${o.paths.vaultDir}`,
    detail: `key in the OS keychain (service "${KEYCHAIN_SERVICE}", account "${vaultKeyAccount(o.paths.dataDir)}")`,
  };
}

/** Internal: opens the store and records what the checks found (verify.ts shows it). */
export async function openWithDiagnostics(o: OpenSecretStoreOptions, diag: KeychainDiagnostics): Promise<SecretStore> {
  const info = describeSecretBackend(o);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (info.backend === 'file') {
    const fk = await resolveFileKey({ paths: o.paths, env: o.env, ...(o.platform ? { platform: o.platform } : {}) });
    return openVault({
      dir: o.paths.vaultDir,
      asideDirs: recoveryDirs(o.paths, o.env),
      key: fk.key,
      info,
      wrongKey: () =>
        new CliError(`cannot decrypt secret store: wrong ${VAULT_KEY_ENV} or key file? (${fk.detail})`, {
          exitCode: 3,
          hint: `your secrets are intact and open again with the key this vault was created with (check ${VAULT_KEY_ENV} and the key file); only if that key is lost for good: move ${o.paths.vaultDir} aside (it keeps the old secrets) and reconnect your accounts`,
        }),
    });
  }
  const key = await keychainVaultKey(
    { paths: o.paths, env: o.env, timeoutMs, platform: o.platform ?? process.platform, ...(o.uid !== undefined ? { uid: o.uid } : {}) },
    diag,
  );
  const detail = diag.bus ? `${info.detail}; D-Bus ${diag.bus.address} (${diag.bus.source})` : info.detail;
  return openVault({
    dir: o.paths.vaultDir,
    asideDirs: recoveryDirs(o.paths, o.env),
    key,
    info: { ...info, ...(detail ? { detail } : {}) },
    wrongKey: () =>
      new CliError(`cannot decrypt secret store: the vault key in the OS keychain does not match ${o.paths.vaultDir}`, {
        hint: `your secrets are intact and open again with the keychain that created the vault (restore or unlock it); only if that key is lost for good: move ${o.paths.vaultDir} aside (it keeps the old secrets) and reconnect your accounts`,
      }),
  });
}

export async function openSecretStore(o: OpenSecretStoreOptions): Promise<SecretStore> {
  const store = await openWithDiagnostics(o, { platform: o.platform ?? process.platform });
  const d = store.describe();
  o.io.debug(`secret store: ${d.backend}, ${d.location}${d.detail ? `; ${d.detail}` : ''}`);
  return store;
}
