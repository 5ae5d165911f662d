/**
 * The PostgreSQL connection pool of the state store (node-postgres). BIGINT columns (times in
 * ms, ids, counts) come back as numbers: every value we store fits in 2^53. Errors name the
 * server by its redacted URL only, and say what to run next.
 */
import pg from 'pg';
import { CliError, ExitCode } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { DATABASE_URL_ENV, redactDatabaseUrl } from './database-url.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Connections kept by this process (default 4). */
  max?: number;
  connectTimeoutMs?: number;
}

export function createPool(url: string, o: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: o.max ?? 4,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 10_000,
    // A statement stuck on a lock for this long is a bug or an outage, not a wait.
    statement_timeout: 60_000,
    application_name: 'socialync',
    types,
  });
  // An idle connection the server dropped: the next query gets a fresh one.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in one transaction on one connection (ROLLBACK on any failure). */
export async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** A node-postgres or server error: a SQLSTATE code (5 characters) or a socket failure. */
export function isPostgresError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** The error shown when the PostgreSQL store cannot be reached or used. */
export function postgresError(url: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const shown = redactDatabaseUrl(url);
  const code = String((e as { code?: unknown })?.code ?? '');
  const detail = redactText(String((e as Error)?.message ?? e).split('\n')[0]!);
  const o = { exitCode: ExitCode.failed, cause: e };
  if (code === '28P01' || code === '28000') {
    return new CliError(`PostgreSQL ${shown} refused the login: ${detail}`, { ...o, hint: `check the user and password in ${DATABASE_URL_ENV} (or config database.url), then run: socialync db status` });
  }
  if (code === '3D000') {
    return new CliError(`PostgreSQL ${shown}: ${detail}`, { ...o, hint: 'create it first (createdb <name>, or CREATE DATABASE), then run: socialync db migrate' });
  }
  if (/^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code) || /timeout|terminated/i.test(detail)) {
    return new CliError(`cannot reach PostgreSQL ${shown}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`, {
      ...o,
      exitCode: ExitCode.transient,
      hint: 'nothing was changed. Check that the server runs and this machine can reach it (pg_isready -d "<url>"), then run: socialync db status',
    });
  }
  return new CliError(`PostgreSQL ${shown}: ${detail}${code ? ` (SQLSTATE ${code})` : ''}`, { ...o, hint: 'run: socialync doctor' });
}
