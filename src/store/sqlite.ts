/**
 * SQLite state store (better-sqlite3, WAL). Safe for several processes: every
 * write is one statement or one IMMEDIATE transaction, with a busy timeout.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, ExitCode } from '../core/errors.js';
import { stateDbError } from './failure.js';
export { profileHoldings } from './failure.js';
import { ensurePrivateDir } from '../core/paths.js';
import { migrations } from './migrations.js';
import { sqliteAddon } from './addon.js';
import { connectionIdentity } from './identity.js';
import type { Connection, ConnectionPatch, EventRecord, FormerConnection, LockHolder, Store } from './types.js';

type Row = Record<string, unknown>;

/** Connection fields and their columns (the PostgreSQL store shares these, src/store/postgres.ts). */
export const columns: Record<keyof ConnectionPatch, string> = {
  name: 'name',
  accountId: 'account_id',
  username: 'username',
  displayName: 'display_name',
  accountType: 'account_type',
  scopes: 'scopes',
  accessExpiresAt: 'access_expires_at',
  refreshExpiresAt: 'refresh_expires_at',
  refreshExpiresEstimated: 'refresh_expires_estimated',
  dataAccessExpiresAt: 'data_access_expires_at',
  tokenObtainedAt: 'token_obtained_at',
  lastRefreshAt: 'last_refresh_at',
  health: 'health',
  reason: 'reason',
  reasonDetail: 'reason_detail',
  meta: 'meta',
  tokenGeneration: 'token_generation',
  updatedAt: 'updated_at',
};

export function toDb(key: keyof ConnectionPatch, v: unknown): unknown {
  if (key === 'scopes' || key === 'meta') return JSON.stringify(v ?? (key === 'scopes' ? [] : {}));
  if (key === 'refreshExpiresEstimated') return v ? 1 : 0;
  return v ?? null;
}

export function fromRow(r: Row): Connection {
  return {
    id: r.id as string,
    platform: r.platform as Connection['platform'],
    name: r.name as string,
    accountId: r.account_id as string,
    username: (r.username as string) ?? null,
    displayName: (r.display_name as string) ?? null,
    accountType: (r.account_type as string) ?? null,
    scopes: JSON.parse(r.scopes as string) as string[],
    accessExpiresAt: (r.access_expires_at as number) ?? null,
    refreshExpiresAt: (r.refresh_expires_at as number) ?? null,
    refreshExpiresEstimated: r.refresh_expires_estimated === 1,
    dataAccessExpiresAt: (r.data_access_expires_at as number) ?? null,
    tokenObtainedAt: (r.token_obtained_at as number) ?? null,
    lastRefreshAt: (r.last_refresh_at as number) ?? null,
    health: r.health as Connection['health'],
    reason: (r.reason as Connection['reason']) ?? null,
    reasonDetail: (r.reason_detail as string) ?? null,
    meta: JSON.parse(r.meta as string) as Record<string, string>,
    tokenGeneration: r.token_generation as number,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

/** A new connection, its columns and their values (shared with the PostgreSQL store). */
export function connectionRow(c: Omit<Connection, 'tokenGeneration' | 'createdAt' | 'updatedAt'>, now: number) {
  const full: Connection = { ...c, tokenGeneration: 1, createdAt: now, updatedAt: now };
  const keys = Object.keys(columns) as (keyof ConnectionPatch)[];
  const cols = ['id', 'platform', 'created_at', ...keys.map((k) => columns[k])];
  const vals = [full.id, full.platform, now, ...keys.map((k) => toDb(k, full[k]))];
  return { full, cols, vals };
}

/** A former connection from its row (shared with the PostgreSQL store). */
export function formerFromRow(r: Row): FormerConnection {
  return {
    id: r.id as string,
    platform: r.platform as FormerConnection['platform'],
    identity: r.identity as string,
    accountId: r.account_id as string,
    name: r.name as string,
    removedAt: r.removed_at as number,
  };
}

export interface OpenStoreOptions {
  /**
   * What this profile already holds outside the database (secrets in the vault, apps in the config),
   * in words, or undefined when nothing. A database without our tables next to such a profile was
   * emptied or replaced: it is refused instead of silently becoming an empty profile (issue 11).
   */
  profileHoldings?: () => string | undefined;
}

/** Opens (creating if needed) and migrates the state database. */
export function openSqliteStore(file: string, o: OpenStoreOptions = {}): SqliteStore {
  let db: Database.Database | undefined;
  try {
    ensurePrivateDir(dirname(file));
    const addon = sqliteAddon();
    if (!existsSync(file)) createDatabase(file, addon);
    db = new Database(file, { nativeBinding: addon, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    refuseEmptyProfile(db, file, o);
    // WAL is a property of the database file: set when the file is made (or found in another mode),
    // not on every open.
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (e) {
    db?.close();
    throw stateDbError(file, e);
  }
  return new SqliteStore(db);
}

/**
 * A new database is made complete (WAL mode, every migration) under a temporary name and only
 * then linked into place, so `state.db` never exists without our tables: a schema-less one was
 * emptied or replaced by something else. link(2) fails when another process got there first,
 * and then its database is used.
 */
function createDatabase(file: string, addon: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.new`;
  try {
    const db = new Database(tmp, { nativeBinding: addon });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } finally {
      db.close(); // checkpoints and removes the -wal and -shm files
    }
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      // A file system without hard links: rename, which replaces only a file made in this instant.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') renameSync(tmp, file);
      else throw e;
    }
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

/** Throws when the database has none of our tables while the profile holds secrets or apps. */
function refuseEmptyProfile(db: Database.Database, file: string, o: OpenStoreOptions): void {
  const ours = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'connections'").pluck().get() as number;
  if (ours > 0 || (db.pragma('user_version', { simple: true }) as number) > 0) return;
  const holdings = o.profileHoldings?.();
  if (!holdings) return;
  const size = statSync(file).size;
  const what = size === 0 ? 'is empty (0 bytes)' : `holds none of socialync's tables (${size} bytes)`;
  throw new CliError(`state database ${file} ${what}, but this profile holds ${holdings}; socialync will not start over with no connections`, {
    exitCode: ExitCode.failed,
    hint:
      `your secrets are intact (the vault is not touched). If you have a backup of ${file}, put it back (cp <backup>/state.db ${file}); ` +
      `run: socialync doctor. To start over instead, keep this file and connect each account again: mv ${file} ${file}.empty && socialync connect <platform>`,
  });
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new CliError(`state database schema v${current} is newer than this socialync (v${migrations.length})`, {
      hint: 'upgrade socialync: npm install -g socialync',
    });
  }
  for (let v = current; v < migrations.length; v++) {
    const step = db.transaction(() => {
      // Re-check inside the write lock: another process may have migrated meanwhile.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now > v) return;
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    });
    step.immediate();
  }
}

export class SqliteStore implements Store {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(readonly db: Database.Database) {}

  /** Prepared statements are cached by their SQL text (a small, fixed set of variants). */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  async listConnections(filter: { platform?: string; name?: string } = {}): Promise<Connection[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.platform) (where.push('platform = ?'), args.push(filter.platform));
    if (filter.name) (where.push('name = ?'), args.push(filter.name));
    const sql = `SELECT * FROM connections ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY platform, name`;
    return (this.stmt(sql).all(...args) as Row[]).map(fromRow);
  }

  async getConnection(id: string): Promise<Connection | undefined> {
    const r = this.stmt('SELECT * FROM connections WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  async findConnection(platform: string, name: string): Promise<Connection | undefined> {
    const r = this.stmt('SELECT * FROM connections WHERE platform = ? AND name = ?').get(platform, name) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  async insertConnection(c: Omit<Connection, 'tokenGeneration' | 'createdAt' | 'updatedAt'>, now: number): Promise<Connection> {
    const { full, cols, vals } = connectionRow(c, now);
    this.stmt(`INSERT INTO connections (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`).run(...vals);
    return full;
  }

  async updateConnection(id: string, patch: ConnectionPatch, now: number): Promise<void> {
    const entries = Object.entries({ ...patch, updatedAt: now }).filter(([k]) => k in columns) as [keyof ConnectionPatch, unknown][];
    const sets = entries.map(([k]) => `${columns[k]} = ?`).join(', ');
    this.stmt(`UPDATE connections SET ${sets} WHERE id = ?`).run(...entries.map(([k, v]) => toDb(k, v)), id);
  }

  async deleteConnection(id: string, now: number): Promise<void> {
    this.db.transaction(() => {
      const r = this.stmt('SELECT * FROM connections WHERE id = ?').get(id) as Row | undefined;
      if (!r) return;
      const c = fromRow(r);
      this.stmt('INSERT OR REPLACE INTO former_connections (id, platform, identity, account_id, name, removed_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        c.id,
        c.platform,
        connectionIdentity(c),
        c.accountId,
        c.name,
        now,
      );
      this.stmt('DELETE FROM connections WHERE id = ?').run(id);
    }).immediate();
  }

  async getFormerConnection(id: string): Promise<FormerConnection | undefined> {
    const r = this.stmt('SELECT * FROM former_connections WHERE id = ?').get(id) as Row | undefined;
    if (!r) return undefined;
    return formerFromRow(r);
  }

  async addEvent(e: EventRecord): Promise<void> {
    this.stmt('INSERT INTO events (at, connection_id, kind, message) VALUES (?, ?, ?, ?)').run(e.at, e.connectionId ?? null, e.kind, e.message);
  }

  async listEvents(filter: { connectionId?: string; kind?: string; since?: number } = {}) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.connectionId) (where.push('connection_id = ?'), args.push(filter.connectionId));
    if (filter.kind) (where.push('kind = ?'), args.push(filter.kind));
    if (filter.since !== undefined) (where.push('at >= ?'), args.push(filter.since));
    const rows = this.stmt(`SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`).all(...args) as Row[];
    return rows.map((r) => ({ id: r.id as number, at: r.at as number, connectionId: (r.connection_id as string) ?? null, kind: r.kind as string, message: r.message as string }));
  }

  async tryLock(name: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    const res = this
      .stmt(
        `INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE locks.expires_at < ? OR locks.owner = excluded.owner`,
      )
      .run(name, owner, now + ttlMs, now);
    return res.changes === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    this.stmt('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
  }

  async lockHolder(name: string): Promise<LockHolder | undefined> {
    const r = this.stmt('SELECT owner, expires_at FROM locks WHERE name = ?').get(name) as { owner: string; expires_at: number } | undefined;
    return r ? { owner: r.owner, expiresAt: r.expires_at } : undefined;
  }

  async takeOverLock(name: string, from: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    return this.stmt('UPDATE locks SET owner = ?, expires_at = ? WHERE name = ? AND owner = ?').run(owner, now + ttlMs, name, from).changes === 1;
  }

  async listLocks(prefix: string, now: number): Promise<(LockHolder & { name: string })[]> {
    // Range on the primary key rather than LIKE (whose wildcards a name could contain).
    const rows = this.stmt('SELECT name, owner, expires_at FROM locks WHERE name >= ? AND name < ? AND expires_at >= ?').all(prefix, `${prefix}\uffff`, now) as { name: string; owner: string; expires_at: number }[];
    return rows.map((r) => ({ name: r.name, owner: r.owner, expiresAt: r.expires_at }));
  }

  async pruneEvents(before: number): Promise<void> {
    this.stmt('DELETE FROM events WHERE at < ?').run(before);
    this.stmt('DELETE FROM once_markers WHERE at < ?').run(before);
  }

  async markOnce(key: string, now: number): Promise<boolean> {
    return this.stmt('INSERT OR IGNORE INTO once_markers (key, at) VALUES (?, ?)').run(key, now).changes === 1;
  }

  async schemaVersion(): Promise<number> {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
