/**
 * Structured check of the secret backend for `socialync doctor`: which backend,
 * whether it verified, and for the keychain the D-Bus facts that matter on
 * Linux, including the bus a cron job would find (no DBUS_SESSION_BUS_ADDRESS).
 */
import { CliError } from '../core/errors.js';
import type { SecretBackend } from './types.js';
import { DEFAULT_TIMEOUT_MS, describeSecretBackend, openWithDiagnostics, selectSecretBackend, type OpenSecretStoreOptions } from './open.js';
import { probeSecretService, sessionBusCandidates, type SecretServiceState } from './dbus.js';
import type { BusCheck, KeychainDiagnostics } from './keychain.js';
import { inspectKeyFile, VAULT_KEY_ENV, type KeyFileState } from './file-key.js';

export interface SecretBackendReport {
  backend: SecretBackend;
  /** Why this backend: SOCIALYNC_SECRET_BACKEND, config, or the default. */
  selectedBy: 'env' | 'config' | 'default';
  location: string;
  detail?: string;
  ok: boolean;
  /** One line, and the command that fixes it, when not ok. */
  error?: string;
  hint?: string;
  keychain?: KeychainDiagnostics & {
    /** The bus a cron job (no DBUS_SESSION_BUS_ADDRESS) would use, and what it has. */
    cron?: BusCheck | { address?: undefined; state?: undefined; error: string };
  };
  file?: { keySource: 'env' | 'file'; keyFile?: KeyFileState };
}

export async function verifySecretBackend(o: OpenSecretStoreOptions): Promise<SecretBackendReport> {
  let sel;
  try {
    sel = selectSecretBackend(o.env, o.config);
  } catch (e) {
    const err = e as CliError;
    return { backend: 'keychain', selectedBy: 'default', location: '', ok: false, error: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
  const info = describeSecretBackend(o);
  const report: SecretBackendReport = { ...info, backend: sel.backend, selectedBy: sel.source, ok: false };
  const diag: KeychainDiagnostics = { platform: o.platform ?? process.platform };
  if (sel.backend === 'file') {
    const fromEnv = Boolean(o.env[VAULT_KEY_ENV]?.trim());
    report.file = fromEnv ? { keySource: 'env' } : { keySource: 'file', keyFile: inspectKeyFile(o.paths.keyFile, o.platform) };
  } else {
    report.keychain = diag;
  }
  try {
    const store = await openWithDiagnostics(o, diag);
    Object.assign(report, store.describe());
    report.ok = true;
  } catch (e) {
    report.error = (e as Error).message;
    if (e instanceof CliError && e.hint) report.hint = e.hint;
  }
  if (report.keychain && diag.platform === 'linux') report.keychain.cron = await cronBus(o);
  return report;
}

async function cronBus(o: OpenSecretStoreOptions): Promise<NonNullable<NonNullable<SecretBackendReport['keychain']>['cron']>> {
  const env = { ...o.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.XDG_RUNTIME_DIR;
  const uid = o.uid ?? process.getuid?.();
  const [first] = sessionBusCandidates(env, uid !== undefined ? { uid } : {});
  if (!first) return { error: `no /run/user/${uid ?? '<uid>'}/bus: a cron job cannot reach the keychain (use the file backend for cron)` };
  const check: BusCheck = { ...first };
  try {
    check.state = (await probeSecretService(first.address, o.timeoutMs ?? DEFAULT_TIMEOUT_MS)) satisfies SecretServiceState;
  } catch (e) {
    check.error = (e as Error).message;
  }
  return check;
}
