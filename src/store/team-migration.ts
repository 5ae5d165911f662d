/**
 * Migration 10 (both stores, portable text): team mode's tables (docs/team.md#tables). Only
 * ciphertext, public keys and names: entries are AES-256-GCM under the team's data key, which
 * is stored only wrapped for each member machine's X25519 public key (src/secrets/team-crypto.ts).
 * Only the PostgreSQL store offers them (src/store/postgres-team.ts); in SQLite they stay empty.
 */
export const teamTablesMigration = `
  CREATE TABLE team (
    id TEXT PRIMARY KEY,
    singleton INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    key_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE team_machines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    approved_at BIGINT,
    approved_by TEXT
  );
  CREATE TABLE team_wraps (
    machine_id TEXT PRIMARY KEY REFERENCES team_machines(id) ON DELETE CASCADE,
    key_version INTEGER NOT NULL,
    wrapped BYTEA NOT NULL
  );
  CREATE TABLE team_entries (
    name TEXT PRIMARY KEY,
    key_version INTEGER NOT NULL,
    data BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE team_key_links (
    key_version INTEGER PRIMARY KEY,
    sealed_previous BYTEA NOT NULL
  );
`;
