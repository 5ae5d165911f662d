/**
 * Opens an existing state database read-only, without creating or migrating
 * it: for `doctor` (changes nothing) and shell completion (must be fast and
 * must not create a database as a side effect of pressing Tab).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

export type ReadonlyDb = BetterSqlite3.Database;

/** undefined when the file does not exist; throws when it cannot be opened. */
export async function openExistingDb(file: string): Promise<ReadonlyDb | undefined> {
  if (!existsSync(file)) return undefined;
  const { default: Database } = await import('better-sqlite3');
  // The addon path is given explicitly so the bundled build needs no `bindings` lookup.
  const nativeBinding = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  const db = new Database(file, { readonly: true, fileMustExist: true, nativeBinding });
  db.pragma('busy_timeout = 5000');
  return db;
}
