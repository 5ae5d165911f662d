/**
 * The PostgreSQL connection pool of the state store (node-postgres). BIGINT columns (times in
 * ms, ids, counts) come back as numbers: every value we store fits in 2^53.
 */
import pg from 'pg';
import { markStoreError } from './postgres-errors.js';

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
  return markedErrors(pool);
}

/**
 * Errors of this pool's queries and connections carry a mark (postgres-errors.ts), so callers tell
 * the state store out of reach (a temporary failure) from a platform's refused connection.
 */
function markedErrors(pool: Pool): Pool {
  const rethrow = (e: unknown): never => {
    throw markStoreError(e);
  };
  const query = pool.query.bind(pool) as (...a: unknown[]) => unknown;
  pool.query = ((...a: unknown[]) => {
    const r = query(...a);
    return r instanceof Promise ? r.catch(rethrow) : r;
  }) as Pool['query'];
  const connect = pool.connect.bind(pool) as (...a: unknown[]) => unknown;
  pool.connect = ((...a: unknown[]) => {
    const r = connect(...a);
    return r instanceof Promise ? r.then(markedClient, rethrow) : r;
  }) as Pool['connect'];
  return pool;
}

const MARKED = new WeakSet<PoolClient>();

/** A checked-out connection whose query errors carry the store's mark too (wrapped once: the pool hands it out again). */
function markedClient(c: PoolClient): PoolClient {
  if (MARKED.has(c)) return c;
  MARKED.add(c);
  const query = c.query.bind(c) as (...a: unknown[]) => unknown;
  c.query = ((...a: unknown[]) => {
    const r = query(...a);
    return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(markStoreError(e))) : r;
  }) as PoolClient['query'];
  return c;
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
