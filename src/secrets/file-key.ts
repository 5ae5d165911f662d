/**
 * The vault key for the explicit `file` backend (headless machines, cron
 * without a desktop session, containers). Chosen only by config
 * `secrets.backend = "file"` or SOCIALYNC_SECRET_BACKEND=file, never silently.
 *
 * Key sources, first match wins:
 *  1. SOCIALYNC_VAULT_KEY: 32 bytes as hex (64 chars) or base64/base64url (43/44
 *     chars); anything else is a passphrase stretched with scrypt (RFC 7914)
 *     using a random salt kept in the vault folder.
 *  2. The key file (SOCIALYNC_VAULT_KEY_FILE or <config>/vault.key), same
 *     formats, which must not be readable by group or others (like ssh keys).
 */
import { randomBytes, scrypt as scryptCb } from 'node:crypto';
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CliError, UsageError } from '../core/errors.js';
import { ensurePrivateDir, type Paths } from '../core/paths.js';
import type { Config } from '../core/config.js';
import { keyOpensVault } from './vault.js';

export const VAULT_KEY_ENV = 'SOCIALYNC_VAULT_KEY';
const MIN_PASSPHRASE = 12;
const SALT_FILE = 'scrypt-salt';

/** scrypt cost: N=2^15, r=8 (RFC 7914 §2 interactive-use figures), ~32 MiB, ~50-100 ms. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export type KeyMaterial = { kind: 'raw'; key: Buffer } | { kind: 'passphrase'; passphrase: string };

function parseKeyMaterial(text: string): KeyMaterial {
  const s = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return { kind: 'raw', key: Buffer.from(s, 'hex') };
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const key = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return { kind: 'raw', key };
  }
  return { kind: 'passphrase', passphrase: s };
}

function scrypt(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(passphrase, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Reads the salt, creating it once; link(2) makes creation race-free between processes. */
function saltFor(vaultDir: string): Buffer {
  ensurePrivateDir(vaultDir);
  const path = join(vaultDir, SALT_FILE);
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const tmp = join(vaultDir, `.tmp-salt-${randomBytes(6).toString('hex')}`);
  writeFileSync(tmp, randomBytes(16), { mode: 0o600 });
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(path);
}

async function keyFromMaterial(m: KeyMaterial, vaultDir: string, what: string): Promise<Buffer> {
  if (m.kind === 'raw') return m.key;
  if (m.passphrase.length < MIN_PASSPHRASE) {
    throw new UsageError(
      `${what} is too short: use 32 random bytes (hex or base64) or a passphrase of at least ${MIN_PASSPHRASE} characters`,
      'generate one with: socialync secrets use-file  (or: openssl rand -base64 32)',
    );
  }
  return scrypt(m.passphrase, saltFor(vaultDir));
}

export interface KeyFileState {
  path: string;
  exists: boolean;
  /** Octal mode such as "0600", when the file exists. */
  mode?: string;
  /** Not readable or writable by group/others (always true on Windows, which has no modes). */
  private?: boolean;
}

export function inspectKeyFile(path: string, platform: NodeJS.Platform = process.platform): KeyFileState {
  try {
    const st = statSync(path);
    const mode = st.mode & 0o777;
    return { path, exists: true, mode: `0${mode.toString(8)}`, private: platform === 'win32' || (mode & 0o077) === 0 };
  } catch {
    return { path, exists: false };
  }
}

export interface FileKey {
  key: Buffer;
  source: 'env' | 'file';
  /** Human detail for describe(): where the key came from. */
  detail: string;
}

/** Resolves the vault key for the file backend or throws a CliError naming the fix. */
export async function resolveFileKey(o: { paths: Paths; env: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): Promise<FileKey> {
  const fromEnv = o.env[VAULT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const m = parseKeyMaterial(fromEnv);
    const key = await keyFromMaterial(m, o.paths.vaultDir, VAULT_KEY_ENV);
    return { key, source: 'env', detail: `key from ${VAULT_KEY_ENV} (${m.kind === 'raw' ? '32-byte key' : 'passphrase, scrypt'})` };
  }
  const path = o.paths.keyFile;
  const st = inspectKeyFile(path, o.platform);
  if (!st.exists) {
    throw new CliError(`file secret backend: ${VAULT_KEY_ENV} is unset and the key file ${path} does not exist`, {
      exitCode: 3,
      hint: `run: socialync secrets use-file  (creates a 0600 key file), or export ${VAULT_KEY_ENV}=<32 random bytes, base64>`,
    });
  }
  if (!st.private) {
    throw new CliError(`key file ${path} is readable by other users (mode ${st.mode}); refusing to use it`, {
      exitCode: 3,
      hint: `run: chmod 600 ${path}`,
    });
  }
  const m = parseKeyMaterial(readFileSync(path, 'utf8'));
  const key = await keyFromMaterial(m, o.paths.vaultDir, `key file ${path}`);
  return { key, source: 'file', detail: `key file ${path}` };
}

/**
 * `socialync secrets use-file`: creates a random 0600 key file (keeps an existing
 * one) and selects the file backend in config. Returns what it did. Everything is
 * checked before anything is written: a refusal leaves no new file behind.
 */
export async function runSecretsUseFile(o: { paths: Paths; config: Config }): Promise<{ keyFile: string; created: boolean }> {
  const path = o.paths.keyFile;
  const st = inspectKeyFile(path);
  if (st.exists && !st.private) {
    throw new CliError(`key file ${path} is readable by other users (mode ${st.mode})`, { exitCode: 3, hint: `run: chmod 600 ${path}` });
  }
  const fresh = st.exists ? undefined : randomBytes(32).toString('base64') + '\n';
  const key = fresh !== undefined ? (parseKeyMaterial(fresh) as { key: Buffer }).key : (await resolveFileKey({ paths: o.paths, env: {} })).key;
  // Refuse to switch when the existing vault was sealed with another key (e.g. the keychain's):
  // its secrets would become unreadable.
  if (keyOpensVault(o.paths.vaultDir, key) === false) {
    throw new CliError(`the secret store in ${o.paths.vaultDir} was created with a different key; the file backend cannot read it`, {
      exitCode: 3,
      hint: `nothing was changed. Keep the keychain backend (your secrets stay readable there); or, to start over with the file backend, move ${o.paths.vaultDir} aside (it keeps the old secrets) and run: socialync secrets use-file, then reconnect your accounts`,
    });
  }
  let created = false;
  if (fresh !== undefined) {
    ensurePrivateDir(dirname(path));
    try {
      writeFileSync(path, fresh, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // EEXIST: another process made one meanwhile
    }
  }
  await o.config.set('secrets.backend', 'file');
  return { keyFile: path, created };
}
