/**
 * Posts on PostgreSQL: the PostStore contract (posts.ts) for publishers on several machines.
 * A claim locks the target row with SELECT ... FOR UPDATE SKIP LOCKED (a machine never waits
 * for another's claim: it moves on) and takes it with a lease (claimed_by, claim_expires_at)
 * that heartbeat() extends; a lease that ended (its machine died) is taken over by the next
 * claim. Writes are fenced by claimed_by. A post's status is computed in TypeScript
 * (publish/post-status.ts) in the transaction that changed a target, under the post's row lock,
 * so two machines changing two targets of one post cannot store a stale status.
 */
import type { MediaRef, PlatformId } from '../providers/types.js';
import { postStatus } from '../publish/post-status.js';
import { attemptFromRow, mediaFromRow, postFromRow, targetCols, targetFromRow, type Attempt, type NewPost, type Post, type PostStore, type Target, type TargetPatch, type TargetState } from './posts.js';
import type { PostListFilter, PostSummary } from './post-list.js';
import { pgCountPosts, pgHasPosts, pgListPosts, pgListTsv } from './postgres-list.js';
import { inTransaction, type Pool, type PoolClient } from './postgres-pool.js';

type Row = Record<string, unknown>;
type Q = Pool | PoolClient;

/** SET list and values of a target patch, parameters numbered from `from`. */
function patchSql(patch: TargetPatch & { attempts?: number }, from: number): { sets: string[]; vals: unknown[] } {
  const entries = Object.entries(patch) as [keyof TargetPatch | 'attempts', unknown][];
  const sets = entries.map(([k], i) => `${k === 'attempts' ? 'attempts' : targetCols[k]} = $${from + i}`);
  const vals = entries.map(([k, v]) => (k === 'checkpoint' ? JSON.stringify(v ?? {}) : (v ?? null)));
  return { sets, vals };
}

async function insertMedia(q: Q, postId: number, media: MediaRef[]): Promise<void> {
  for (const [i, m] of media.entries()) {
    await q.query('INSERT INTO media (post_id, position, kind, path, url, sha256, size, mime, duration_sec, probe) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', [
      postId, i, m.kind, m.path ?? null, m.url ?? null, m.sha256 ?? null, m.size ?? null, m.mime, m.durationSec ?? null, m.probe ? JSON.stringify(m.probe) : null,
    ]);
  }
}

/** Stores the post's status from its targets' states; the caller's transaction holds the post row. */
async function storePostStatus(q: PoolClient, postId: number): Promise<void> {
  const states = (await q.query('SELECT state FROM targets WHERE post_id = $1 ORDER BY id', [postId])).rows.map((r) => r.state as TargetState);
  await q.query('UPDATE posts SET status = $1 WHERE id = $2', [postStatus(states), postId]);
}

export class PostgresPostStore implements PostStore {
  constructor(private readonly pool: Pool) {}

  /**
   * In one transaction: locks the target (`skip`: undefined at once when another transaction
   * holds it; `wait`: waits for it), runs `write` (true when it changed the target), then stores
   * the post's status under the post's row lock. Lock order everywhere: target, then post.
   */
  private async changeTarget(id: number, lock: 'skip' | 'wait', write: (q: PoolClient) => Promise<boolean>): Promise<Row | undefined> {
    return inTransaction(this.pool, async (q) => {
      const before = (await q.query(`SELECT state, post_id FROM targets WHERE id = $1 FOR UPDATE${lock === 'skip' ? ' SKIP LOCKED' : ''}`, [id])).rows[0] as Row | undefined;
      if (!before || !(await write(q))) return undefined;
      await q.query('SELECT 1 FROM posts WHERE id = $1 FOR UPDATE', [before.post_id]);
      await storePostStatus(q, before.post_id as number);
      return before;
    });
  }

  async createPost(p: NewPost, now: number): Promise<number> {
    return inTransaction(this.pool, async (q) => {
      const states = p.targets.map((): TargetState => 'scheduled');
      const res = await q.query(
        'INSERT INTO posts (text, title, privacy, options, overrides, scheduled_at, tz, local_time, created_at, updated_at, status) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id',
        [p.text, p.title ?? null, p.privacy ?? null, JSON.stringify(p.options), JSON.stringify(p.overrides), p.scheduledAt, p.tz, p.localTime, now, now, postStatus(states)],
      );
      const id = res.rows[0].id as number;
      await insertMedia(q, id, p.media);
      for (const x of p.targets) await q.query('INSERT INTO targets (post_id, platform, connection_id, updated_at) VALUES ($1,$2,$3,$4)', [id, x.platform, x.connectionId, now]);
      return id;
    });
  }

  async getPost(id: number): Promise<Post | undefined> {
    const r = (await this.pool.query('SELECT * FROM posts WHERE id = $1', [id])).rows[0] as Row | undefined;
    if (!r) return undefined;
    const media = (await this.pool.query('SELECT * FROM media WHERE post_id = $1 ORDER BY position', [id])).rows.map(mediaFromRow);
    return postFromRow(r, media);
  }

  async updatePost(id: number, p: Omit<NewPost, 'targets'>, now: number): Promise<void> {
    await inTransaction(this.pool, async (q) => {
      await q.query('UPDATE posts SET text=$1, title=$2, privacy=$3, options=$4, overrides=$5, scheduled_at=$6, tz=$7, local_time=$8, updated_at=$9 WHERE id=$10', [
        p.text, p.title ?? null, p.privacy ?? null, JSON.stringify(p.options), JSON.stringify(p.overrides), p.scheduledAt, p.tz, p.localTime, now, id,
      ]);
      await q.query('DELETE FROM media WHERE post_id = $1', [id]);
      await insertMedia(q, id, p.media);
    });
  }

  async deletePost(id: number): Promise<void> {
    await inTransaction(this.pool, async (q) => {
      await q.query('SELECT 1 FROM targets WHERE post_id = $1 ORDER BY id FOR UPDATE', [id]); // lock order: targets, then post
      await q.query('DELETE FROM posts WHERE id = $1', [id]);
    });
  }

  listSummaries(filter: PostListFilter = {}, limit?: number): Promise<PostSummary[]> {
    return pgListPosts(this.pool, filter, limit);
  }

  listTsv(filter: PostListFilter = {}, limit?: number): Promise<Buffer> {
    return pgListTsv(this.pool, filter, limit);
  }

  countPosts(filter: PostListFilter = {}): Promise<number> {
    return pgCountPosts(this.pool, filter);
  }

  hasPosts(): Promise<boolean> {
    return pgHasPosts(this.pool);
  }

  async targets(postId: number): Promise<Target[]> {
    return (await this.pool.query('SELECT * FROM targets WHERE post_id = $1 ORDER BY id', [postId])).rows.map(targetFromRow);
  }

  async getTarget(id: number): Promise<Target | undefined> {
    const r = (await this.pool.query('SELECT * FROM targets WHERE id = $1', [id])).rows[0] as Row | undefined;
    return r ? targetFromRow(r) : undefined;
  }

  async dueTargets(now: number, limit: number): Promise<Target[]> {
    const rows = await this.pool.query(
      `SELECT t.* FROM targets t JOIN posts p ON p.id = t.post_id
       WHERE (t.state = 'scheduled' AND p.scheduled_at <= $1 AND (t.next_attempt_at IS NULL OR t.next_attempt_at <= $1))
          OR (t.state = 'unconfirmed' AND t.next_attempt_at IS NOT NULL AND t.next_attempt_at <= $1)
          OR t.state = 'publishing'
       ORDER BY p.scheduled_at, t.id LIMIT $2`,
      [now, limit],
    );
    return rows.rows.map(targetFromRow);
  }

  async claimedTargets(limit: number): Promise<Target[]> {
    return (await this.pool.query(`SELECT * FROM targets WHERE state = 'publishing' ORDER BY claim_expires_at, id LIMIT $1`, [limit])).rows.map(targetFromRow);
  }

  async claim(id: number, owner: string, ttlMs: number, now: number, o: { takeOverFrom?: string } = {}): Promise<TargetState | undefined> {
    // The row lock (SKIP LOCKED) keeps two machines from deciding at once; the UPDATE's WHERE
    // is the lease rule: free, or publishing under a lease that ended (or a holder known dead).
    const before = await this.changeTarget(id, 'skip', async (q) => {
      const res = await q.query(
        `UPDATE targets SET state = 'publishing', claimed_by = $1, claim_expires_at = $2, attempts = attempts + 1, updated_at = $3
         WHERE id = $4 AND (state IN ('scheduled', 'unconfirmed') OR (state = 'publishing' AND (claim_expires_at < $3 OR claimed_by = $5)))`,
        [owner, now + ttlMs, now, id, o.takeOverFrom ?? null],
      );
      return res.rowCount === 1;
    });
    return before?.state as TargetState | undefined;
  }

  async heartbeat(id: number, owner: string, ttlMs: number, now: number): Promise<boolean> {
    const res = await this.pool.query(`UPDATE targets SET claim_expires_at = $1 WHERE id = $2 AND claimed_by = $3 AND state = 'publishing'`, [now + ttlMs, id, owner]);
    return res.rowCount === 1;
  }

  async updateTarget(id: number, owner: string | null, patch: TargetPatch, now: number): Promise<boolean> {
    const { sets, vals } = patchSql(patch, 1);
    const n = vals.length;
    const fence = owner === null ? '' : ` AND claimed_by = $${n + 3}`;
    const sql = `UPDATE targets SET ${[...sets, `updated_at = $${n + 1}`].join(', ')} WHERE id = $${n + 2}${fence}`;
    const args = [...vals, now, id, ...(owner === null ? [] : [owner])];
    if (patch.state === undefined) return (await this.pool.query(sql, args)).rowCount === 1;
    // A state change waits for the target's row lock: this write must not be skipped.
    return (await this.changeTarget(id, 'wait', async (q) => (await q.query(sql, args)).rowCount === 1)) !== undefined;
  }

  async addAttempt(a: Omit<Attempt, 'id'>): Promise<void> {
    await this.pool.query('INSERT INTO attempts (target_id, at, outcome, error_class, message) VALUES ($1,$2,$3,$4,$5)', [a.targetId, a.at, a.outcome, a.errorClass, a.message]);
  }

  async attempts(targetId: number): Promise<Attempt[]> {
    const rows = (await this.pool.query('SELECT * FROM attempts WHERE target_id = $1 ORDER BY id', [targetId])).rows as Row[];
    return rows.map(attemptFromRow);
  }

  async findTargets(f: { states: TargetState[]; postId?: number; platforms?: PlatformId[]; connectionId?: string }): Promise<Target[]> {
    const args: unknown[] = [f.states];
    const where = ['state = ANY($1)'];
    if (f.postId !== undefined) (args.push(f.postId), where.push(`post_id = $${args.length}`));
    if (f.platforms?.length) (args.push(f.platforms), where.push(`platform = ANY($${args.length})`));
    if (f.connectionId !== undefined) (args.push(f.connectionId), where.push(`connection_id = $${args.length}`));
    return (await this.pool.query(`SELECT * FROM targets WHERE ${where.join(' AND ')} ORDER BY post_id, id`, args)).rows.map(targetFromRow);
  }

  async rearm(id: number, from: TargetState[], patch: TargetPatch & { attempts?: number }, now: number): Promise<boolean> {
    const { sets, vals } = patchSql(patch, 1);
    const n = vals.length;
    const sql = `UPDATE targets SET ${[...sets, `updated_at = $${n + 1}`].join(', ')} WHERE id = $${n + 2} AND claimed_by IS NULL AND state = ANY($${n + 3})`;
    const before = await this.changeTarget(id, 'wait', async (q) => (await q.query(sql, [...vals, now, id, from])).rowCount === 1);
    return before !== undefined;
  }

  async adoptTargets(platform: PlatformId, identity: string, connectionId: string, now: number): Promise<number> {
    return inTransaction(this.pool, async (q) => {
      const candidates = await q.query(
        `SELECT t.id, t.post_id FROM targets t
         WHERE t.platform = $1 AND t.state IN ('scheduled', 'failed', 'unconfirmed') AND t.claimed_by IS NULL
           AND t.connection_id IN (SELECT id FROM former_connections WHERE platform = $1 AND identity = $2)
           AND NOT EXISTS (SELECT 1 FROM targets o WHERE o.post_id = t.post_id AND o.platform = t.platform AND o.connection_id = $3)
         ORDER BY t.post_id, t.id FOR UPDATE OF t SKIP LOCKED`,
        [platform, identity, connectionId],
      );
      // Of two old targets of one post (two former connections), one moves: the first by id.
      const firstOfPost = new Map<number, number>();
      for (const r of candidates.rows) if (!firstOfPost.has(r.post_id)) firstOfPost.set(r.post_id, r.id);
      if (!firstOfPost.size) return 0;
      const res = await q.query('UPDATE targets SET connection_id = $1, updated_at = $2 WHERE id = ANY($3)', [connectionId, now, [...firstOfPost.values()]]);
      return res.rowCount ?? 0;
    });
  }
}
