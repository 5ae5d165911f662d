import { listIndexes } from './list-indexes.js';
import { teamTablesMigration } from './team-migration.js';

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
  // 2: scheduled posts, their media, per-platform targets and publish attempts
  `
  CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL DEFAULT '',
    title TEXT,
    privacy TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    overrides TEXT NOT NULL DEFAULT '{}',
    scheduled_at INTEGER NOT NULL,
    tz TEXT NOT NULL,
    local_time TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX posts_scheduled ON posts(scheduled_at);
  CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    path TEXT,
    url TEXT,
    sha256 TEXT,
    size INTEGER,
    mime TEXT NOT NULL,
    duration_sec REAL
  );
  CREATE INDEX media_post ON media(post_id, position);
  CREATE TABLE targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'scheduled',
    error_class TEXT,
    reason TEXT,
    remote_id TEXT,
    url TEXT,
    note TEXT,
    checkpoint TEXT NOT NULL DEFAULT '{}',
    claimed_by TEXT,
    claim_expires_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    published_at INTEGER,
    updated_at INTEGER NOT NULL,
    UNIQUE (post_id, platform, connection_id)
  );
  CREATE INDEX targets_state ON targets(state, next_attempt_at);
  CREATE INDEX targets_post ON targets(post_id);
  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error_class TEXT,
    message TEXT
  );
  CREATE INDEX attempts_target ON attempts(target_id, at);
  `,
  // 3: a post's status and "platform:state,..." summary kept by triggers, so listing
  //    10,000 posts reads one table (schedule list); same rules as src/publish/post-status.ts
  `
  ALTER TABLE posts ADD COLUMN status TEXT NOT NULL DEFAULT 'scheduled';
  ALTER TABLE posts ADD COLUMN target_summary TEXT NOT NULL DEFAULT '';
  CREATE TRIGGER targets_summary_insert AFTER INSERT ON targets BEGIN
    UPDATE posts SET
      target_summary = (SELECT group_concat(platform || ':' || state, ',' ORDER BY id) FROM targets WHERE post_id = NEW.post_id),
      status = (SELECT CASE WHEN sum(state != 'cancelled') = 0 THEN 'cancelled' WHEN sum(state = 'published') = sum(state != 'cancelled') THEN 'published' WHEN sum(state = 'publishing') > 0 THEN 'publishing' WHEN sum(state = 'published') > 0 THEN 'partial' WHEN sum(state = 'unconfirmed') > 0 THEN 'unconfirmed' WHEN sum(state = 'failed') > 0 THEN 'failed' ELSE 'scheduled' END FROM targets WHERE post_id = NEW.post_id)
    WHERE id = NEW.post_id;
  END;
  CREATE TRIGGER targets_summary_update AFTER UPDATE OF state ON targets WHEN OLD.state IS NOT NEW.state BEGIN
    UPDATE posts SET
      target_summary = (SELECT group_concat(platform || ':' || state, ',' ORDER BY id) FROM targets WHERE post_id = NEW.post_id),
      status = (SELECT CASE WHEN sum(state != 'cancelled') = 0 THEN 'cancelled' WHEN sum(state = 'published') = sum(state != 'cancelled') THEN 'published' WHEN sum(state = 'publishing') > 0 THEN 'publishing' WHEN sum(state = 'published') > 0 THEN 'partial' WHEN sum(state = 'unconfirmed') > 0 THEN 'unconfirmed' WHEN sum(state = 'failed') > 0 THEN 'failed' ELSE 'scheduled' END FROM targets WHERE post_id = NEW.post_id)
    WHERE id = NEW.post_id;
  END;
  CREATE TRIGGER targets_summary_delete AFTER DELETE ON targets BEGIN
    UPDATE posts SET
      target_summary = (SELECT group_concat(platform || ':' || state, ',' ORDER BY id) FROM targets WHERE post_id = OLD.post_id),
      status = (SELECT CASE WHEN sum(state != 'cancelled') = 0 THEN 'cancelled' WHEN sum(state = 'published') = sum(state != 'cancelled') THEN 'published' WHEN sum(state = 'publishing') > 0 THEN 'publishing' WHEN sum(state = 'published') > 0 THEN 'partial' WHEN sum(state = 'unconfirmed') > 0 THEN 'unconfirmed' WHEN sum(state = 'failed') > 0 THEN 'failed' ELSE 'scheduled' END FROM targets WHERE post_id = OLD.post_id)
    WHERE id = OLD.post_id;
  END;
  UPDATE posts SET
      target_summary = (SELECT group_concat(platform || ':' || state, ',' ORDER BY id) FROM targets WHERE post_id = posts.id),
      status = (SELECT CASE WHEN sum(state != 'cancelled') = 0 THEN 'cancelled' WHEN sum(state = 'published') = sum(state != 'cancelled') THEN 'published' WHEN sum(state = 'publishing') > 0 THEN 'publishing' WHEN sum(state = 'published') > 0 THEN 'partial' WHEN sum(state = 'unconfirmed') > 0 THEN 'unconfirmed' WHEN sum(state = 'failed') > 0 THEN 'failed' ELSE 'scheduled' END FROM targets WHERE post_id = posts.id)
    WHERE 1;
  `,
  // 4: the whole `schedule list` TSV line of a post, kept by triggers (one column read per post)
  `
  ALTER TABLE posts ADD COLUMN list_line TEXT NOT NULL DEFAULT '';
  CREATE TRIGGER posts_list_line_insert AFTER INSERT ON posts BEGIN
    UPDATE posts SET list_line = NEW.id || char(9) || strftime('%Y-%m-%dT%H:%M:%fZ', NEW.scheduled_at / 1000.0, 'unixepoch') || char(9) || NEW.status || char(9) || NEW.target_summary || char(9) || CASE WHEN length(trim(replace(replace(replace(NEW.text, char(9), ' '), char(10), ' '), char(13), ' '))) > 80 THEN substr(trim(replace(replace(replace(NEW.text, char(9), ' '), char(10), ' '), char(13), ' ')), 1, 79) || '…' ELSE trim(replace(replace(replace(NEW.text, char(9), ' '), char(10), ' '), char(13), ' ')) END WHERE id = NEW.id;
  END;
  CREATE TRIGGER posts_list_line_update AFTER UPDATE OF text, scheduled_at, status, target_summary ON posts BEGIN
    UPDATE posts SET list_line = NEW.id || char(9) || strftime('%Y-%m-%dT%H:%M:%fZ', NEW.scheduled_at / 1000.0, 'unixepoch') || char(9) || NEW.status || char(9) || NEW.target_summary || char(9) || CASE WHEN length(trim(replace(replace(replace(NEW.text, char(9), ' '), char(10), ' '), char(13), ' '))) > 80 THEN substr(trim(replace(replace(replace(NEW.text, char(9), ' '), char(10), ' '), char(13), ' ')), 1, 79) || '…' ELSE trim(replace(replace(replace(NEW.text, char(9), ' '), char(10), ' '), char(13), ' ')) END WHERE id = NEW.id;
  END;
  UPDATE posts SET list_line = posts.id || char(9) || strftime('%Y-%m-%dT%H:%M:%fZ', posts.scheduled_at / 1000.0, 'unixepoch') || char(9) || posts.status || char(9) || posts.target_summary || char(9) || CASE WHEN length(trim(replace(replace(replace(posts.text, char(9), ' '), char(10), ' '), char(13), ' '))) > 80 THEN substr(trim(replace(replace(replace(posts.text, char(9), ' '), char(10), ' '), char(13), ' ')), 1, 79) || '…' ELSE trim(replace(replace(replace(posts.text, char(9), ' '), char(10), ' '), char(13), ' ')) END;
  `,
  // 5: \`schedule list\` reads only this index, in order (scheduled_at, id), status filter
  //    included: a few hundred contiguous pages instead of every post's whole row
  `
  CREATE INDEX posts_list ON posts(scheduled_at, id, status, list_line);
  DROP INDEX posts_scheduled;
  `,
  // 6: connections removed by \`disconnect\`, so that connecting the same account again gives
  //    its scheduled and failed targets to the new connection, and retry can name the fix
  `
  CREATE TABLE former_connections (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    identity TEXT NOT NULL,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    removed_at INTEGER NOT NULL
  );
  CREATE INDEX former_connections_identity ON former_connections(platform, identity);
  `,
  // 7: what the probe read from each media file at schedule time (container, duration, codec,
  //    dimensions, frame rate; src/publish/probe.ts), so \`schedule edit\` re-checks stored media
  //    against the platform limits without reading the file again. Size and SHA-256 (migration 2)
  //    are what publishing compares the file with.
  `
  ALTER TABLE media ADD COLUMN probe TEXT;
  `,
  // 8: the indexes of `schedule list`'s views (list-indexes.ts)
  listIndexes,
  // 9: a post's status is computed in TypeScript (src/publish/post-status.ts) where its targets
  //    change (src/store/posts.ts) and stored in posts.status, beside the target summary
  //    ("platform:state,..."), which the post store now writes in the same place; the triggers of
  //    migrations 3 and 4 and the stored list line go (post-list.ts builds lines at read time
  //    from one row per post). posts_list held list_line: posts_when replaces it for time windows.
  `
  DROP TRIGGER targets_summary_insert;
  DROP TRIGGER targets_summary_update;
  DROP TRIGGER targets_summary_delete;
  DROP TRIGGER posts_list_line_insert;
  DROP TRIGGER posts_list_line_update;
  DROP INDEX posts_list;
  ALTER TABLE posts DROP COLUMN list_line;
  CREATE INDEX posts_when ON posts(scheduled_at, id);
  `,
  // 10: team mode's tables (team-migration.ts; used by the PostgreSQL store only)
  teamTablesMigration,
];
