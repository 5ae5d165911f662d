/**
 * Migrations of the PostgreSQL store: one row per applied migration in schema_migrations
 * (version, applied_at), applied in order under a session advisory lock, each in its own
 * transaction, so several machines starting at once do not race: the second waits, then finds
 * nothing left to do. The numbers are those of migrations.ts (postgres-migrations.ts).
 */
import { CliError } from '../core/errors.js';
import { postgresMigrations } from './postgres-migrations.js';
import type { Pool, PoolClient } from './postgres-pool.js';

/** pg_advisory_lock key of migrations: any fixed 64-bit number, ours alone in this database. */
export const MIGRATION_LOCK_KEY = 0x736f6369616c; // "social"

const CREATE_HISTORY = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`;

export interface SchemaState {
  /** The highest applied migration; 0 for a database without our tables. */
  version: number;
  /** This build's latest migration. */
  latest: number;
  /** Numbers this build would apply. */
  pending: number[];
}

/** Reads the schema state without changing anything (no table is created). */
export async function schemaState(q: Pool | PoolClient): Promise<SchemaState> {
  const exists = await q.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`);
  let applied: number[] = [];
  if (exists.rows[0].ok) applied = (await q.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => Number(r.version));
  const latest = postgresMigrations.length;
  const version = applied.length ? Math.max(...applied) : 0;
  const done = new Set(applied);
  const pending = postgresMigrations.map((_, i) => i + 1).filter((v) => !done.has(v));
  return { version, latest, pending };
}

function newerError(version: number, latest: number): CliError {
  return new CliError(`the PostgreSQL state schema is v${version}, newer than this socialync (v${latest}): another machine runs a newer socialync`, {
    hint: 'upgrade socialync on this machine to the version the others run: npm install -g socialync',
  });
}

/** Applies every pending migration; returns the numbers applied (none when another machine did them). */
export async function migratePostgres(pool: Pool, now: () => number): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await c.query(CREATE_HISTORY);
      const state = await schemaState(c);
      checkNotNewer(state);
      for (const v of state.pending) await applyOne(c, v, now());
      return state.pending;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    c.release();
  }
}

async function applyOne(c: PoolClient, version: number, at: number): Promise<void> {
  await c.query('BEGIN');
  try {
    const sql = postgresMigrations[version - 1]!;
    if (sql.trim()) await c.query(sql);
    await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, at]);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Refuses a schema newer than this build (checked on every open, even without migrating). */
export function checkNotNewer(state: SchemaState): void {
  if (state.version > state.latest) throw newerError(state.version, state.latest);
}
