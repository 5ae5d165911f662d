/**
 * PostgreSQL state store (team mode: several machines share one database). Same contract as the
 * SQLite store (types.ts): every write is one statement or one transaction; leases (locks table)
 * are conditional writes, so two machines never both hold one; posts through postStore().
 */
import { connectionIdentity } from './identity.js';
import { columns, connectionRow, formerFromRow, fromRow, toDb } from './sqlite.js';
import { createPool, inTransaction, type Pool, type PoolOptions } from './postgres-pool.js';
import { postgresError } from './postgres-errors.js';
import { checkNotNewer, migratePostgres, schemaState } from './postgres-migrate.js';
import { PostgresPostStore } from './postgres-posts.js';
import { postgresTeamTables } from './postgres-team.js';
import type { TeamTables } from '../secrets/team-tables.js';
import type { PostStore } from './posts.js';
import type { Connection, ConnectionPatch, EventRecord, FormerConnection, LockHolder, Store } from './types.js';

type Row = Record<string, unknown>;

export interface OpenPostgresOptions extends PoolOptions {
  /** Apply pending migrations on open (default true, as the SQLite store does); false: refuse an old schema instead. */
  migrate?: boolean;
  now?: () => number;
}

/** Connects, migrates (under the advisory lock) and returns the store; errors name the redacted URL. */
export async function openPostgresStore(url: string, o: OpenPostgresOptions = {}): Promise<PostgresStore> {
  const pool = createPool(url, o);
  try {
    if (o.migrate === false) checkNotNewer(await schemaState(pool));
    else await migratePostgres(pool, o.now ?? (() => 0));
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw postgresError(url, e);
  }
  return new PostgresStore(pool);
}

/** $1, $2, ... for n values starting at `from`. */
export const placeholders = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private posts?: PostStore;
  constructor(readonly pool: Pool) {}

  postStore(): PostStore {
    return (this.posts ??= new PostgresPostStore(this.pool));
  }

  /** Team mode's tables (src/store/postgres-team.ts). */
  teamTables(): TeamTables {
    return postgresTeamTables(this.pool);
  }

  private async rows(sql: string, args: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, args)).rows as Row[];
  }

  private async changed(sql: string, args: unknown[]): Promise<number> {
    return (await this.pool.query(sql, args)).rowCount ?? 0;
  }

  async listConnections(filter: { platform?: string; name?: string } = {}): Promise<Connection[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.platform) (args.push(filter.platform), where.push(`platform = $${args.length}`));
    if (filter.name) (args.push(filter.name), where.push(`name = $${args.length}`));
    const sql = `SELECT * FROM connections ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY platform COLLATE "C", name COLLATE "C"`;
    return (await this.rows(sql, args)).map(fromRow);
  }

  async getConnection(id: string): Promise<Connection | undefined> {
    const [r] = await this.rows('SELECT * FROM connections WHERE id = $1', [id]);
    return r ? fromRow(r) : undefined;
  }

  async findConnection(platform: string, name: string): Promise<Connection | undefined> {
    const [r] = await this.rows('SELECT * FROM connections WHERE platform = $1 AND name = $2', [platform, name]);
    return r ? fromRow(r) : undefined;
  }

  async insertConnection(c: Omit<Connection, 'tokenGeneration' | 'createdAt' | 'updatedAt'>, now: number): Promise<Connection> {
    const { full, cols, vals } = connectionRow(c, now);
    await this.pool.query(`INSERT INTO connections (${cols.join(',')}) VALUES (${placeholders(cols.length)})`, vals);
    return full;
  }

  async updateConnection(id: string, patch: ConnectionPatch, now: number): Promise<void> {
    const entries = Object.entries({ ...patch, updatedAt: now }).filter(([k]) => k in columns) as [keyof ConnectionPatch, unknown][];
    const sets = entries.map(([k], i) => `${columns[k]} = $${i + 1}`).join(', ');
    await this.pool.query(`UPDATE connections SET ${sets} WHERE id = $${entries.length + 1}`, [...entries.map(([k, v]) => toDb(k, v)), id]);
  }

  async deleteConnection(id: string, now: number): Promise<void> {
    await inTransaction(this.pool, async (q) => {
      const r = (await q.query('SELECT * FROM connections WHERE id = $1 FOR UPDATE', [id])).rows[0] as Row | undefined;
      if (!r) return;
      const c = fromRow(r);
      await q.query(
        `INSERT INTO former_connections (id, platform, identity, account_id, name, removed_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, identity = excluded.identity, account_id = excluded.account_id, name = excluded.name, removed_at = excluded.removed_at`,
        [c.id, c.platform, connectionIdentity(c), c.accountId, c.name, now],
      );
      await q.query('DELETE FROM connections WHERE id = $1', [id]);
    });
  }

  async getFormerConnection(id: string): Promise<FormerConnection | undefined> {
    const [r] = await this.rows('SELECT * FROM former_connections WHERE id = $1', [id]);
    if (!r) return undefined;
    return formerFromRow(r);
  }

  async addEvent(e: EventRecord): Promise<void> {
    await this.pool.query('INSERT INTO events (at, connection_id, kind, message) VALUES ($1, $2, $3, $4)', [e.at, e.connectionId ?? null, e.kind, e.message]);
  }

  async listEvents(filter: { connectionId?: string; kind?: string; since?: number } = {}) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.connectionId) (args.push(filter.connectionId), where.push(`connection_id = $${args.length}`));
    if (filter.kind) (args.push(filter.kind), where.push(`kind = $${args.length}`));
    if (filter.since !== undefined) (args.push(filter.since), where.push(`at >= $${args.length}`));
    const rows = await this.rows(`SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`, args);
    return rows.map((r) => ({ id: r.id as number, at: r.at as number, connectionId: (r.connection_id as string) ?? null, kind: r.kind as string, message: r.message as string }));
  }

  async tryLock(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    // The conflicting row is locked and the WHERE re-read on its latest version: one winner.
    const n = await this.changed(
      `INSERT INTO locks (name, owner, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE locks.expires_at < $4 OR locks.owner = excluded.owner`,
      [name, owner, now + ttlMs, now],
    );
    return n === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await this.pool.query('DELETE FROM locks WHERE name = $1 AND owner = $2', [name, owner]);
  }

  async lockHolder(name: string): Promise<LockHolder | undefined> {
    const [r] = await this.rows('SELECT owner, expires_at FROM locks WHERE name = $1', [name]);
    return r ? { owner: r.owner as string, expiresAt: r.expires_at as number } : undefined;
  }

  async takeOverLock(name: string, from: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    return (await this.changed('UPDATE locks SET owner = $1, expires_at = $2 WHERE name = $3 AND owner = $4', [owner, now + ttlMs, name, from])) === 1;
  }

  async listLocks(prefix: string, now: number): Promise<(LockHolder & { name: string })[]> {
    // starts_with, not LIKE (whose wildcards a name could contain) nor a range (collation-dependent).
    const rows = await this.rows('SELECT name, owner, expires_at FROM locks WHERE starts_with(name, $1) AND expires_at >= $2', [prefix, now]);
    return rows.map((r) => ({ name: r.name as string, owner: r.owner as string, expiresAt: r.expires_at as number }));
  }

  async pruneEvents(before: number): Promise<void> {
    await this.pool.query('DELETE FROM events WHERE at < $1', [before]);
    await this.pool.query('DELETE FROM once_markers WHERE at < $1', [before]);
  }

  async markOnce(key: string, now: number): Promise<boolean> {
    return (await this.changed('INSERT INTO once_markers (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, now])) === 1;
  }

  async schemaVersion(): Promise<number> {
    return (await schemaState(this.pool)).version;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
