/**
 * Ordered schema migrations. Append only: never edit a released step.
 * Each runs in its own transaction; `PRAGMA user_version` records progress.
 */
export const migrations: string[] = [
  // 1: connections, events, locks, once-markers
  `
  CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id TEXT NOT NULL,
    username TEXT,
    display_name TEXT,
    account_type TEXT,
    scopes TEXT NOT NULL DEFAULT '[]',
    access_expires_at INTEGER,
    refresh_expires_at INTEGER,
    refresh_expires_estimated INTEGER NOT NULL DEFAULT 0,
    data_access_expires_at INTEGER,
    token_obtained_at INTEGER,
    last_refresh_at INTEGER,
    health TEXT NOT NULL DEFAULT 'healthy',
    reason TEXT,
    reason_detail TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    token_generation INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (platform, name)
  );
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    connection_id TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX events_conn ON events(connection_id, at);
  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE once_markers (
    key TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  );
  `,
];
