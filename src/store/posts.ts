/**
 * Posts, media, per-platform targets and attempts. Behind the PostStore
 * interface so a PostgreSQL backend can implement the same contract; the
 * claim is one conditional UPDATE, so two publishers never hold one target.
 */
import type Database from 'better-sqlite3';
import type { MediaProbe, MediaRef, PlatformId } from '../providers/types.js';
import type { Store } from './types.js';
import { countPosts, hasPosts, listPosts, listTsv, type PostListFilter, type PostSummary } from './post-list.js';
import { postStatus } from '../publish/post-status.js';
import { withStatementCache } from './statement-cache.js';

export type { PostListFilter, PostSummary } from './post-list.js';

export type TargetState = 'scheduled' | 'publishing' | 'published' | 'failed' | 'unconfirmed' | 'cancelled';
export const TARGET_STATES: TargetState[] = ['scheduled', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled'];

/** Per-platform replacements for the shared fields. */
export interface PostOverride {
  text?: string;
  title?: string;
  privacy?: string;
  options?: Record<string, string>;
}

export interface NewPost {
  text: string;
  title?: string | undefined;
  privacy?: string | undefined;
  options: Record<string, string>;
  overrides: Partial<Record<PlatformId, PostOverride>>;
  scheduledAt: number;
  tz: string;
  localTime: string;
  media: MediaRef[];
  targets: { platform: PlatformId; connectionId: string }[];
}

export interface Post extends Omit<NewPost, 'targets'> {
  id: number;
  createdAt: number;
  updatedAt: number;
}

export interface Target {
  id: number;
  postId: number;
  platform: PlatformId;
  connectionId: string;
  state: TargetState;
  errorClass: string | null;
  reason: string | null;
  remoteId: string | null;
  url: string | null;
  note: string | null;
  checkpoint: Record<string, string>;
  claimedBy: string | null;
  claimExpiresAt: number | null;
  attempts: number;
  nextAttemptAt: number | null;
  publishedAt: number | null;
  updatedAt: number;
}

export interface Attempt {
  id: number;
  targetId: number;
  at: number;
  outcome: string;
  errorClass: string | null;
  message: string | null;
}

export type TargetPatch = Partial<
  Pick<Target, 'connectionId' | 'state' | 'errorClass' | 'reason' | 'remoteId' | 'url' | 'note' | 'checkpoint' | 'claimedBy' | 'claimExpiresAt' | 'nextAttemptAt' | 'publishedAt'>
>;

export interface PostStore {
  createPost(p: NewPost, now: number): Promise<number>;
  getPost(id: number): Promise<Post | undefined>;
  updatePost(id: number, p: Omit<NewPost, 'targets'>, now: number): Promise<void>;
  deletePost(id: number): Promise<void>;
  /** `schedule list`: the matching posts in time order (scheduled_at, id), at most `limit` (store/post-list.ts). */
  listSummaries(filter?: PostListFilter, limit?: number): Promise<PostSummary[]>;
  /**
   * `schedule list` when piped: the same posts as TSV in UTF-8, one line per post (id, ISO time,
   * post status, platform:state list, text on one line, at most 80 characters), newline-
   * separated without a final newline.
   */
  listTsv(filter?: PostListFilter, limit?: number): Promise<Buffer>;
  /** How many posts match (the "Showing 30 of N" of `schedule list`). */
  countPosts(filter?: PostListFilter): Promise<number>;
  hasPosts(): Promise<boolean>;
  targets(postId: number): Promise<Target[]>;
  getTarget(id: number): Promise<Target | undefined>;
  /**
   * Targets a tick should look at now (due scheduled, due unconfirmed, publishing: a claim that
   * expired, or whose holder may have died), oldest first.
   */
  dueTargets(now: number, limit: number): Promise<Target[]>;
  /** Targets in `publishing` (claimed, or left by a holder that died), the soonest claim end first. */
  claimedTargets(limit: number): Promise<Target[]>;
  /**
   * Atomically takes `id` for `owner` until now+ttl; returns the state it had
   * (so the caller knows whether a previous run may have sent it) or undefined when someone else holds it.
   * `takeOverFrom`: also take it while `publishing` under that claim holder (a process known dead).
   */
  claim(id: number, owner: string, ttlMs: number, now: number, o?: { takeOverFrom?: string }): Promise<TargetState | undefined>;
  /** Extends a held claim; false when the claim was lost. */
  heartbeat(id: number, owner: string, ttlMs: number, now: number): Promise<boolean>;
  /** Writes only while `owner` holds the claim (fencing); true when written. */
  updateTarget(id: number, owner: string | null, patch: TargetPatch, now: number): Promise<boolean>;
  addAttempt(a: Omit<Attempt, 'id'>): Promise<void>;
  attempts(targetId: number): Promise<Attempt[]>;
  /** Targets in the given states (optionally of one post / platform / connection), by post then id (retry). */
  findTargets(f: { states: TargetState[]; postId?: number; platforms?: PlatformId[]; connectionId?: string }): Promise<Target[]>;
  /**
   * Conditional write: applies `patch` only while the target is still in one of `from` and unclaimed
   * (one UPDATE, so two `retry` runs never both re-arm one target); true when written.
   */
  rearm(id: number, from: TargetState[], patch: TargetPatch & { attempts?: number }, now: number): Promise<boolean>;
  /**
   * Gives `connectionId` the scheduled, failed and unconfirmed targets of the former connections
   * (removed by `disconnect`) with the same platform and identity (store/identity.ts: the account,
   * and the Facebook Page), except claimed ones and those on posts that already have a target on
   * `connectionId`; published targets keep their history. Returns how many moved.
   */
  adoptTargets(platform: PlatformId, identity: string, connectionId: string, now: number): Promise<number>;
}

type Row = Record<string, unknown>;

/** Target fields and their columns (shared with the PostgreSQL post store). */
export const targetCols: Record<keyof TargetPatch, string> = {
  connectionId: 'connection_id',
  state: 'state',
  errorClass: 'error_class',
  reason: 'reason',
  remoteId: 'remote_id',
  url: 'url',
  note: 'note',
  checkpoint: 'checkpoint',
  claimedBy: 'claimed_by',
  claimExpiresAt: 'claim_expires_at',
  nextAttemptAt: 'next_attempt_at',
  publishedAt: 'published_at',
};

export function targetFromRow(r: Row): Target {
  return {
    id: r.id as number,
    postId: r.post_id as number,
    platform: r.platform as PlatformId,
    connectionId: r.connection_id as string,
    state: r.state as TargetState,
    errorClass: (r.error_class as string) ?? null,
    reason: (r.reason as string) ?? null,
    remoteId: (r.remote_id as string) ?? null,
    url: (r.url as string) ?? null,
    note: (r.note as string) ?? null,
    checkpoint: JSON.parse((r.checkpoint as string) || '{}') as Record<string, string>,
    claimedBy: (r.claimed_by as string) ?? null,
    claimExpiresAt: (r.claim_expires_at as number) ?? null,
    attempts: r.attempts as number,
    nextAttemptAt: (r.next_attempt_at as number) ?? null,
    publishedAt: (r.published_at as number) ?? null,
    updatedAt: r.updated_at as number,
  };
}

export function mediaFromRow(r: Row): MediaRef {
  const m: MediaRef = { kind: r.kind as MediaRef['kind'], mime: r.mime as string };
  if (r.path != null) m.path = r.path as string;
  if (r.url != null) m.url = r.url as string;
  if (r.sha256 != null) m.sha256 = r.sha256 as string;
  if (r.size != null) m.size = r.size as number;
  if (r.duration_sec != null) m.durationSec = r.duration_sec as number;
  if (r.probe != null) m.probe = JSON.parse(r.probe as string) as MediaProbe;
  return m;
}

export function attemptFromRow(r: Row): Attempt {
  return {
    id: r.id as number,
    targetId: r.target_id as number,
    at: r.at as number,
    outcome: r.outcome as string,
    errorClass: (r.error_class as string) ?? null,
    message: (r.message as string) ?? null,
  };
}

/** A post from its row and media (shared with the PostgreSQL post store). */
export function postFromRow(r: Row, media: MediaRef[]): Post {
  const post: Post = {
    id: r.id as number,
    text: r.text as string,
    options: JSON.parse(r.options as string) as Record<string, string>,
    overrides: JSON.parse(r.overrides as string) as Post['overrides'],
    scheduledAt: r.scheduled_at as number,
    tz: r.tz as string,
    localTime: r.local_time as string,
    media,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
  if (r.title != null) post.title = r.title as string;
  if (r.privacy != null) post.privacy = r.privacy as string;
  return post;
}

export class SqlitePostStore implements PostStore {
  constructor(private readonly db: Database.Database) {}

  private insertMedia(postId: number, media: MediaRef[]): void {
    const ins = this.db.prepare('INSERT INTO media (post_id, position, kind, path, url, sha256, size, mime, duration_sec, probe) VALUES (?,?,?,?,?,?,?,?,?,?)');
    media.forEach((m, i) => ins.run(postId, i, m.kind, m.path ?? null, m.url ?? null, m.sha256 ?? null, m.size ?? null, m.mime, m.durationSec ?? null, m.probe ? JSON.stringify(m.probe) : null));
  }

  /**
   * posts.status from the post's target states, by the one rule (publish/post-status.ts), and
   * posts.target_summary ("platform:state,..." in target order), in the transaction that changed
   * a target: `schedule list` filters and pages on the status through indexes and prints both
   * from the post's row alone.
   */
  private storePostStatus(postId: number): void {
    const targets = this.db.prepare('SELECT platform, state FROM targets WHERE post_id = ? ORDER BY id').raw().all(postId) as [PlatformId, TargetState][];
    const summary = targets.map(([platform, state]) => `${platform}:${state}`).join(',');
    this.db.prepare('UPDATE posts SET status = ?, target_summary = ? WHERE id = ?').run(postStatus(targets.map(([, state]) => state)), summary, postId);
  }

  /** Runs `write` (true when it changed target `targetId`) and stores its post's status, in one transaction. */
  private changeTarget(targetId: number, write: () => boolean): boolean {
    return this.db.transaction(() => {
      if (!write()) return false;
      const postId = this.db.prepare('SELECT post_id FROM targets WHERE id = ?').pluck().get(targetId) as number;
      this.storePostStatus(postId);
      return true;
    }).immediate();
  }

  async createPost(p: NewPost, now: number): Promise<number> {
    const tx = this.db.transaction(() => {
      const res = this.db
        .prepare('INSERT INTO posts (text, title, privacy, options, overrides, scheduled_at, tz, local_time, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)')
        .run(p.text, p.title ?? null, p.privacy ?? null, JSON.stringify(p.options), JSON.stringify(p.overrides), p.scheduledAt, p.tz, p.localTime, now, now);
      const id = Number(res.lastInsertRowid);
      this.insertMedia(id, p.media);
      const t = this.db.prepare('INSERT INTO targets (post_id, platform, connection_id, updated_at) VALUES (?,?,?,?)');
      for (const x of p.targets) t.run(id, x.platform, x.connectionId, now);
      this.storePostStatus(id);
      return id;
    });
    return tx.immediate();
  }

  async getPost(id: number): Promise<Post | undefined> {
    const r = this.db.prepare('SELECT * FROM posts WHERE id = ?').get(id) as Row | undefined;
    if (!r) return undefined;
    const media = (this.db.prepare('SELECT * FROM media WHERE post_id = ? ORDER BY position').all(id) as Row[]).map(mediaFromRow);
    return postFromRow(r, media);
  }

  async updatePost(id: number, p: Omit<NewPost, 'targets'>, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE posts SET text=?, title=?, privacy=?, options=?, overrides=?, scheduled_at=?, tz=?, local_time=?, updated_at=? WHERE id=?')
        .run(p.text, p.title ?? null, p.privacy ?? null, JSON.stringify(p.options), JSON.stringify(p.overrides), p.scheduledAt, p.tz, p.localTime, now, id);
      this.db.prepare('DELETE FROM media WHERE post_id = ?').run(id);
      this.insertMedia(id, p.media);
    }).immediate();
  }

  async deletePost(id: number): Promise<void> {
    this.db.prepare('DELETE FROM posts WHERE id = ?').run(id);
  }

  async listSummaries(filter: PostListFilter = {}, limit?: number): Promise<PostSummary[]> {
    return listPosts(this.db, filter, limit);
  }

  async listTsv(filter: PostListFilter = {}, limit?: number): Promise<Buffer> {
    return listTsv(this.db, filter, limit);
  }

  async countPosts(filter: PostListFilter = {}): Promise<number> {
    return countPosts(this.db, filter);
  }

  async hasPosts(): Promise<boolean> {
    return hasPosts(this.db);
  }

  async targets(postId: number): Promise<Target[]> {
    return (this.db.prepare('SELECT * FROM targets WHERE post_id = ? ORDER BY id').all(postId) as Row[]).map(targetFromRow);
  }

  async getTarget(id: number): Promise<Target | undefined> {
    const r = this.db.prepare('SELECT * FROM targets WHERE id = ?').get(id) as Row | undefined;
    return r ? targetFromRow(r) : undefined;
  }

  async dueTargets(now: number, limit: number): Promise<Target[]> {
    const rows = this.db
      .prepare(
        `SELECT t.* FROM targets t JOIN posts p ON p.id = t.post_id
         WHERE (t.state = 'scheduled' AND p.scheduled_at <= @now AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= @now))
            OR (t.state = 'unconfirmed' AND t.next_attempt_at IS NOT NULL AND t.next_attempt_at <= @now)
            OR t.state = 'publishing'
         ORDER BY p.scheduled_at, t.id LIMIT @limit`,
      )
      .all({ now, limit }) as Row[];
    return rows.map(targetFromRow);
  }

  async claimedTargets(limit: number): Promise<Target[]> {
    return (this.db.prepare(`SELECT * FROM targets WHERE state = 'publishing' ORDER BY claim_expires_at, id LIMIT ?`).all(limit) as Row[]).map(targetFromRow);
  }

  async claim(id: number, owner: string, ttlMs: number, now: number, o: { takeOverFrom?: string } = {}): Promise<TargetState | undefined> {
    // Read the previous state and take the claim in one write transaction: the
    // UPDATE's WHERE is the arbiter, so only one process can win.
    let before: TargetState | undefined;
    const won = this.changeTarget(id, () => {
      before = this.db.prepare('SELECT state FROM targets WHERE id = ?').pluck().get(id) as TargetState | undefined;
      const res = this.db
        .prepare(
          `UPDATE targets SET state = 'publishing', claimed_by = ?, claim_expires_at = ?, attempts = attempts + 1, updated_at = ?
           WHERE id = ? AND (state IN ('scheduled', 'unconfirmed') OR (state = 'publishing' AND (claim_expires_at < ? OR claimed_by = ?)))`,
        )
        .run(owner, now + ttlMs, now, id, now, o.takeOverFrom ?? null);
      return res.changes === 1;
    });
    return won ? before : undefined;
  }

  async heartbeat(id: number, owner: string, ttlMs: number, now: number): Promise<boolean> {
    return this.db.prepare(`UPDATE targets SET claim_expires_at = ? WHERE id = ? AND claimed_by = ? AND state = 'publishing'`).run(now + ttlMs, id, owner).changes === 1;
  }

  async updateTarget(id: number, owner: string | null, patch: TargetPatch, now: number): Promise<boolean> {
    const entries = Object.entries(patch) as [keyof TargetPatch, unknown][];
    const sets = [...entries.map(([k]) => `${targetCols[k]} = ?`), 'updated_at = ?'].join(', ');
    const vals = entries.map(([k, v]) => (k === 'checkpoint' ? JSON.stringify(v ?? {}) : (v ?? null)));
    const fence = owner === null ? '' : ' AND claimed_by = ?';
    const args = [...vals, now, id, ...(owner === null ? [] : [owner])];
    const write = () => this.db.prepare(`UPDATE targets SET ${sets} WHERE id = ?${fence}`).run(...args).changes === 1;
    return patch.state === undefined ? write() : this.changeTarget(id, write);
  }

  async addAttempt(a: Omit<Attempt, 'id'>): Promise<void> {
    this.db.prepare('INSERT INTO attempts (target_id, at, outcome, error_class, message) VALUES (?,?,?,?,?)').run(a.targetId, a.at, a.outcome, a.errorClass, a.message);
  }

  async attempts(targetId: number): Promise<Attempt[]> {
    const rows = this.db.prepare('SELECT * FROM attempts WHERE target_id = ? ORDER BY id').all(targetId) as Row[];
    return rows.map(attemptFromRow);
  }

  async findTargets(f: { states: TargetState[]; postId?: number; platforms?: PlatformId[]; connectionId?: string }): Promise<Target[]> {
    const where = [`state IN (${f.states.map(() => '?').join(',')})`];
    const args: unknown[] = [...f.states];
    if (f.postId !== undefined) (where.push('post_id = ?'), args.push(f.postId));
    if (f.platforms?.length) (where.push(`platform IN (${f.platforms.map(() => '?').join(',')})`), args.push(...f.platforms));
    if (f.connectionId !== undefined) (where.push('connection_id = ?'), args.push(f.connectionId));
    const rows = this.db.prepare(`SELECT * FROM targets WHERE ${where.join(' AND ')} ORDER BY post_id, id`).all(...args) as Row[];
    return rows.map(targetFromRow);
  }

  async rearm(id: number, from: TargetState[], patch: TargetPatch & { attempts?: number }, now: number): Promise<boolean> {
    const entries = Object.entries(patch) as [keyof TargetPatch | 'attempts', unknown][];
    const col = (k: keyof TargetPatch | 'attempts') => (k === 'attempts' ? 'attempts' : targetCols[k]);
    const sets = [...entries.map(([k]) => `${col(k)} = ?`), 'updated_at = ?'].join(', ');
    const vals = entries.map(([k, v]) => (k === 'checkpoint' ? JSON.stringify(v ?? {}) : (v ?? null)));
    const sql = `UPDATE targets SET ${sets} WHERE id = ? AND claimed_by IS NULL AND state IN (${from.map(() => '?').join(',')})`;
    return this.changeTarget(id, () => this.db.prepare(sql).run(...vals, now, id, ...from).changes === 1);
  }

  async adoptTargets(platform: PlatformId, identity: string, connectionId: string, now: number): Promise<number> {
    // OR IGNORE: of two old targets of one post (two former connections), one moves.
    return this.db
      .prepare(
        `UPDATE OR IGNORE targets SET connection_id = @conn, updated_at = @now
         WHERE platform = @platform AND state IN ('scheduled', 'failed', 'unconfirmed') AND claimed_by IS NULL
           AND connection_id IN (SELECT id FROM former_connections WHERE platform = @platform AND identity = @identity)
           AND NOT EXISTS (SELECT 1 FROM targets o WHERE o.post_id = targets.post_id AND o.platform = targets.platform AND o.connection_id = @conn)`,
      )
      .run({ conn: connectionId, now, platform, identity }).changes;
  }
}

/** The post store of the state database (the PostgreSQL store has its own, src/store/postgres-posts.ts). */
export function postStoreFor(store: Store): PostStore {
  const own = (store as { postStore?: () => PostStore }).postStore;
  if (own) return own.call(store);
  const db = (store as { db?: Database.Database }).db;
  if (!db) throw new Error('this state store does not support posts');
  return new SqlitePostStore(withStatementCache(db));
}
