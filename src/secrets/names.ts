/**
 * The vault's file names, read without its key (and without node:crypto, so `status` and the
 * start-up path stay light): which secrets are stored, which are missing.
 */
import { readdirSync } from 'node:fs';

export const SUFFIX = '.sec';

function keyNameOf(file: string): string {
  return decodeURIComponent(file.slice(0, -SUFFIX.length));
}

/** Names of the secrets kept in `dir` (read from the file names; needs no key). Empty when there is no vault. */
export function storedKeyNames(dir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return files
    .filter((f) => f.endsWith(SUFFIX) && !f.startsWith('.'))
    .map(keyNameOf)
    .sort();
}

/**
 * Which of `keys` have no file in the vault `dir` (file names only: no key, no keychain, so
 * cheap enough for `status`). Undefined when the folder exists but cannot be read.
 */
export function missingKeys(dir: string, keys: string[]): Set<string> | undefined {
  let held: Set<string>;
  try {
    held = new Set(storedKeyNames(dir));
  } catch {
    return undefined;
  }
  return new Set(keys.filter((k) => !held.has(k)));
}

