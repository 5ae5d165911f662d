/**
 * State store interface. SQLite today; kept async and small so a PostgreSQL
 * backend (several publisher machines) can implement the same contract.
 * No secret ever goes through this interface.
 */
import type { PlatformId } from '../providers/types.js';
import type { ReconnectReason } from '../core/errors.js';
import type { TeamTables } from '../secrets/team-tables.js';

export type Health = 'healthy' | 'needs_reconnect';

export interface Connection {
  id: string;
  platform: PlatformId;
  /** Local name chosen with --name (default: the platform username). Unique per platform. */
  name: string;
  accountId: string;
  username: string | null;
  displayName: string | null;
  accountType: string | null;
  scopes: string[];
  accessExpiresAt: number | null;
  refreshExpiresAt: number | null;
  refreshExpiresEstimated: boolean;
  dataAccessExpiresAt: number | null;
  /** When the current access token was obtained. */
  tokenObtainedAt: number | null;
  lastRefreshAt: number | null;
  health: Health;
  reason: ReconnectReason | null;
  reasonDetail: string | null;
  /** Non-secret platform identifiers (page id, author URN, ...). */
  meta: Record<string, string>;
  /** Bumped on every token write; lets a process notice another refreshed first. */
  tokenGeneration: number;
  createdAt: number;
  updatedAt: number;
}

export type ConnectionPatch = Partial<Omit<Connection, 'id' | 'platform' | 'createdAt'>>;

export interface FormerConnection {
  id: string;
  platform: PlatformId;
  /** What the connection published as (store/former.ts connectionIdentity). */
  identity: string;
  accountId: string;
  name: string;
  removedAt: number;
}

export interface EventRecord {
  at: number;
  connectionId?: string | null;
  kind: string;
  message: string;
}

export interface LockHolder {
  owner: string;
  expiresAt: number;
}

export interface Store {
  listConnections(filter?: { platform?: PlatformId; name?: string }): Promise<Connection[]>;
  getConnection(id: string): Promise<Connection | undefined>;
  findConnection(platform: PlatformId, name: string): Promise<Connection | undefined>;
  insertConnection(c: Omit<Connection, 'tokenGeneration' | 'createdAt' | 'updatedAt'>, now: number): Promise<Connection>;
  updateConnection(id: string, patch: ConnectionPatch, now: number): Promise<void>;
  /** Removes a connection; its id, platform, account and name are kept as a former connection. */
  deleteConnection(id: string, now: number): Promise<void>;
  /** A connection removed by `disconnect` (see deleteConnection). */
  getFormerConnection(id: string): Promise<FormerConnection | undefined>;
  addEvent(e: EventRecord): Promise<void>;
  listEvents(filter?: { connectionId?: string; kind?: string; since?: number }): Promise<(EventRecord & { id: number })[]>;
  /**
   * Cross-process lease lock. Returns true when `owner` holds `name` until now+ttlMs.
   * A lease whose holder died expires by itself.
   */
  tryLock(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLock(name: string, owner: string): Promise<void>;
  /** Who holds `name` and until when (expired leases included); undefined when free. */
  lockHolder(name: string): Promise<LockHolder | undefined>;
  /** Takes `name` from the holder `from` (known dead) in one conditional write; false when it changed hands meanwhile. */
  takeOverLock(name: string, from: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /** Leases not yet expired whose name starts with `prefix` (status shows them). */
  listLocks(prefix: string, now: number): Promise<(LockHolder & { name: string })[]>;
  /** Deletes events (and once-markers) recorded before `before`. */
  pruneEvents?(before: number): Promise<void>;
  /** Once-per-key marker (e.g. a warning once per connection per day). True the first time. */
  markOnce(key: string, now: number): Promise<boolean>;
  schemaVersion(): Promise<number>;
  /** Team mode's tables (ciphertext only; src/secrets/team-tables.ts): offered by the shared PostgreSQL store. */
  teamTables?(): TeamTables;
  close(): Promise<void>;
}
