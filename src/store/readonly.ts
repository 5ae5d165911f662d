/**
 * Opens an existing state database read-only, without creating or migrating
 * it: for `doctor` (changes nothing) and shell completion (must be fast and
 * must not create a database as a side effect of pressing Tab).
 */
import { existsSync } from 'node:fs';
import { sqliteAddon } from './addon.js';
import type BetterSqlite3 from 'better-sqlite3';

export type ReadonlyDb = BetterSqlite3.Database;

/** undefined when the file does not exist; throws when it cannot be opened. */
export async function openExistingDb(file: string): Promise<ReadonlyDb | undefined> {
  if (!existsSync(file)) return undefined;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding: sqliteAddon() });
  db.pragma('busy_timeout = 5000');
  return db;
}
