/**
 * The encrypted vault: one file per secret under the vault folder.
 *
 * Why a vault and not one keychain item per secret: keychain items have size
 * limits (Windows Credential Manager: 2,560 bytes) and each call costs an IPC
 * round trip (or a prompt); workers-auth's credential-store keeps only an
 * encryption key in the keychain for the same reasons. Only the 32-byte vault
 * key lives in the keychain (or, for headless machines, in a 0600 key file or
 * an environment variable).
 *
 * Format of `<name>.sec`: "SYV1" | IV (12 bytes, random per write) | GCM tag (16) | ciphertext.
 * AES-256-GCM (NIST SP 800-38D) with the secret's key name as additional
 * authenticated data, so a file renamed to another key name fails to decrypt
 * instead of handing one platform's token to another.
 *
 * Why one file per key, written atomically (temp file in the same folder,
 * fsync, rename(2)): two processes (cron refresh and a manual `connect`)
 * writing different keys never lose each other's update, and a crash never
 * leaves a half-written secret. rename(2) is atomic within one file system.
 *
 * `keycheck` holds a known plaintext encrypted with the vault key, so a wrong
 * key is reported at open time, before anything is read or written.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../core/errors.js';
import { ensurePrivateDir, type Paths } from '../core/paths.js';
import { rememberSecret } from '../core/redact.js';
import type { SecretBackendInfo, SecretStore } from './types.js';
import { SUFFIX, storedKeyNames } from './names.js';

export { missingKeys, storedKeyNames } from './names.js';

const MAGIC = Buffer.from('SYV1');
const IV_LEN = 12;
const TAG_LEN = 16;
const KEYCHECK = 'keycheck';
const KEYCHECK_PLAINTEXT = 'socialync vault key check v1';

/** Maps a key name to a safe file name: [A-Za-z0-9_.-] kept, anything else %XX-escaped. */
export function fileNameFor(key: string): string {
  if (!key || key.length > 200) throw new Error(`invalid secret key name (length ${key.length})`);
  const safe = [...Buffer.from(key, 'utf8')]
    .map((b, i) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_-]/.test(c) || (c === '.' && i > 0) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return safe + SUFFIX;
}

function aad(name: string): Buffer {
  return Buffer.from(`socialync-vault-v1\0${name}`, 'utf8');
}

export function encrypt(key: Buffer, name: string, plaintext: string): Buffer {
  const iv = randomBytes(IV_LEN);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad(name));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([MAGIC, iv, c.getAuthTag(), ct]);
}

/** Returns undefined when the data does not authenticate (wrong key, tampering, truncation). */
export function decrypt(key: Buffer, name: string, data: Buffer): string | undefined {
  if (data.length < MAGIC.length + IV_LEN + TAG_LEN || !data.subarray(0, 4).equals(MAGIC)) return undefined;
  const iv = data.subarray(4, 4 + IV_LEN);
  const tag = data.subarray(4 + IV_LEN, 4 + IV_LEN + TAG_LEN);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(aad(name));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(data.subarray(4 + IV_LEN + TAG_LEN)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Writes `data` to `dir/name` atomically with mode 0600. */
function writeFileAtomic(dir: string, name: string, data: Buffer | string): void {
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, join(dir, name));
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  // Persist the rename itself (the directory entry); best effort where folders cannot be opened.
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* e.g. Windows */
  }
}

/**
 * writeFileAtomic on the libuv thread pool, ordered for a killed process: the new file is
 * renamed into place as soon as its bytes are written (page cache survives kill -9, OOM,
 * Ctrl-C), and only then fsynced with its folder for power loss. Fsync-before-rename would
 * leave a window of milliseconds in which a killed refresh has spent a single-use refresh
 * token (X, TikTok) without keeping its successor. A reader never sees a partial file either
 * way: rename(2) is atomic. (ext4's default auto_da_alloc flushes a file replaced by rename.)
 */
async function writeFileAtomicAsync(dir: string, name: string, data: Buffer | string): Promise<void> {
  const { open, rename, unlink } = await import('node:fs/promises');
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const target = join(dir, name);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(typeof data === 'string' ? Buffer.from(data) : data);
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  try {
    await rename(tmp, target);
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* e.g. Windows */
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** True when the vault folder already holds a key check (so a vault key was used before). */
export function vaultInitialized(dir: string): boolean {
  return readIfExists(join(dir, KEYCHECK)) !== undefined;
}

/** Whether `key` opens the vault in `dir`: true/false, or undefined for a vault not created yet. */
export function keyOpensVault(dir: string, key: Buffer): boolean | undefined {
  const check = readIfExists(join(dir, KEYCHECK));
  return check === undefined ? undefined : decrypt(key, KEYCHECK, check) === KEYCHECK_PLAINTEXT;
}

export interface VaultOptions {
  dir: string;
  key: Buffer;
  info: SecretBackendInfo;
  /** The error to throw when the key does not open this vault (names the fix for the backend). */
  wrongKey: () => CliError;
  /** Folders for copies set aside when the vault folder cannot be written (recoveryDirs). */
  asideDirs?: string[];
}

/**
 * Where a secret goes when the vault folder cannot take it (disk full, read-only, I/O error)
 * and losing it is not an option (a rotated refresh token that the platform has already
 * replaced): the config folder, the data folder and the per-user runtime folder (a tmpfs:
 * survives the process, not a reboot), each only when it is not the vault's own folder.
 * Copies are encrypted exactly like vault files (same key, same key-name binding).
 */
export function recoveryDirs(paths: Pick<Paths, 'configDir' | 'dataDir' | 'vaultDir'>, env: NodeJS.ProcessEnv): string[] {
  const dirs = [join(paths.configDir, 'recovery'), join(paths.dataDir, 'recovery')];
  if (env.XDG_RUNTIME_DIR) dirs.push(join(env.XDG_RUNTIME_DIR, 'socialync-recovery'));
  return [...new Set(dirs)].filter((d) => d !== paths.vaultDir);
}

/** Opens (creating on first use) the vault; throws `wrongKey()` when the key does not match. */
export function openVault(o: VaultOptions): SecretStore & { keys(): string[] } {
  if (o.key.length !== 32) throw new Error('vault key must be 32 bytes');
  ensurePrivateDir(o.dir);
  const check = readIfExists(join(o.dir, KEYCHECK));
  if (check === undefined) writeFileAtomic(o.dir, KEYCHECK, encrypt(o.key, KEYCHECK, KEYCHECK_PLAINTEXT));
  else if (decrypt(o.key, KEYCHECK, check) !== KEYCHECK_PLAINTEXT) throw o.wrongKey();

  const aside = o.asideDirs ?? [];
  /** The newest value set aside for `name`, moved back into the vault when the vault takes it again. */
  const takeAside = (name: string): string | undefined => {
    for (const dir of aside) {
      const path = join(dir, fileNameFor(name));
      const data = readIfExists(path);
      const value = data && decrypt(o.key, name, data);
      if (value === undefined) continue;
      try {
        writeFileAtomic(o.dir, fileNameFor(name), data!);
        unlinkQuiet(path);
      } catch {
        /* the vault still cannot take it: the copy stays where it is */
      }
      return value;
    }
    return undefined;
  };

  return {
    async get(name) {
      const kept = aside.length ? takeAside(name) : undefined;
      if (kept !== undefined) {
        rememberSecret(kept);
        return kept;
      }
      const path = join(o.dir, fileNameFor(name));
      const data = readIfExists(path);
      if (data === undefined) return undefined;
      const value = decrypt(o.key, name, data);
      if (value === undefined) {
        throw new CliError(`cannot decrypt secret store file ${path}: it is corrupted or was modified`, {
          hint: `the other secrets are not affected. Keep the file for inspection (mv ${path} ${path}.broken), then reconnect or re-enter that secret (socialync status shows what needs it)`,
        });
      }
      rememberSecret(value);
      return value;
    },
    async set(name, value) {
      rememberSecret(value);
      await writeFileAtomicAsync(o.dir, fileNameFor(name), encrypt(o.key, name, value));
      // A copy set aside earlier is older than what the vault now holds.
      for (const dir of aside) unlinkQuiet(join(dir, fileNameFor(name)));
    },
    async setAside(name, value) {
      rememberSecret(value);
      const errors: string[] = [];
      for (const dir of aside) {
        try {
          ensurePrivateDir(dir);
          writeFileAtomic(dir, fileNameFor(name), encrypt(o.key, name, value));
          return join(dir, fileNameFor(name));
        } catch (e) {
          errors.push(`${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
      throw new Error(`no folder could take a copy (${errors.join('; ') || 'none configured'})`);
    },
    async delete(name) {
      try {
        unlinkSync(join(o.dir, fileNameFor(name)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    },
    async has(name) {
      return readIfExists(join(o.dir, fileNameFor(name))) !== undefined;
    },
    describe: () => o.info,
    keys: () => storedKeyNames(o.dir),
  };
}
