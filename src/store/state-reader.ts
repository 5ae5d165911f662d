/**
 * Read-only access to the profile's state store, for the readers that must change nothing and
 * start fast: `doctor` checks, shell completion. Chosen by the same rule as open.ts (database-url.ts):
 * the SQLite file opened read-only (never created: readonly.ts), or the PostgreSQL database
 * (never migrated; node-postgres loads only then). Queries are written once with $1 placeholders.
 */
import type { Config } from '../core/config.js';
import type { Paths } from '../core/paths.js';
import { storeChoice } from './database-url.js';

export interface StateReader {
  all<T>(sql: string, args?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface ReaderOptions {
  env: NodeJS.ProcessEnv;
  config: Pick<Config, 'get'>;
  paths: Pick<Paths, 'stateDb'>;
  /** PostgreSQL only: how long to wait for a connection (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** undefined when there is no SQLite file yet; throws when the store cannot be opened. */
export async function openStateReader(o: ReaderOptions): Promise<StateReader | undefined> {
  const choice = storeChoice(o.env, o.config, o.paths.stateDb);
  if (choice.kind === 'postgres') {
    const { createPool } = await import('./postgres-pool.js');
    const pool = createPool(choice.url, { max: 1, connectTimeoutMs: o.connectTimeoutMs ?? 5000 });
    return {
      all: async <T>(sql: string, args: unknown[] = []) => (await pool.query(sql, args)).rows as T[],
      close: () => pool.end().catch(() => undefined),
    };
  }
  const { openExistingDb } = await import('./readonly.js');
  const db = await openExistingDb(choice.file);
  if (!db) return undefined;
  return {
    all: async <T>(sql: string, args: unknown[] = []) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...args) as T[],
    close: async () => void db.close(),
  };
}

/** Rows of `sql`, or [] when the store is missing, out of reach or lacks the table: readers never fail. */
export async function readState<T>(o: ReaderOptions, sql: string, args: unknown[] = []): Promise<T[]> {
  const r = await openStateReader(o).catch(() => undefined);
  if (!r) return [];
  try {
    return await r.all<T>(sql, args);
  } catch {
    return [];
  } finally {
    await r.close();
  }
}
