/**
 * The queries of `schedule list`: one page of posts in time order (scheduled_at, id), its
 * total, and the TSV form. Each view reads an index range (list-indexes.ts), never every post:
 * the default view is two partial indexes walked in order and merged, `--status` one range of
 * posts_status, a time window one range of posts_when.
 */
import type Database from 'better-sqlite3';
import type { PlatformId } from '../providers/types.js';
import type { TargetState } from './posts.js';

/** Statuses of posts still to publish, and of posts that need a look (the default view). */
export const PENDING = ['scheduled', 'publishing', 'unconfirmed'] as const;
export const FAILING = ['failed', 'partial'] as const;

/** Which posts to list. Every field narrows the set; none given means every post. */
export interface PostListFilter {
  /**
   * The default view: posts still to publish (any time, overdue ones included) and failed or
   * partly published posts scheduled at or after this instant.
   */
  attentionSince?: number;
  status?: string;
  /** Posts with a target on this platform. */
  platform?: PlatformId;
  /** scheduled_at >= since (ms). */
  since?: number;
  /** scheduled_at <= until (ms). */
  until?: number;
}

/** A `schedule list` row: the post, its status and its targets in order. */
export interface PostSummary {
  id: number;
  scheduledAt: number;
  tz: string;
  text: string;
  status: string;
  targets: { platform: PlatformId; state: TargetState }[];
}

type Params = Record<string, string | number>;

/** The columns of a TSV page: the post's text on one line (tabs and line breaks become spaces, outer spaces go) as `one`. */
const TSV_COLUMNS = `id, scheduled_at, status, target_summary, trim(replace(replace(replace(text, char(9), ' '), char(10), ' '), char(13), ' ')) AS one`;

/**
 * A post's TSV line, from row `p` of a page (TSV_COLUMNS): id, ISO time, status,
 * "platform:state,..." in target order (stored with the status: posts.ts), and the one-line
 * text cut to 80 characters.
 */
const TSV_LINE = `p.id || char(9) || strftime('%Y-%m-%dT%H:%M:%fZ', p.scheduled_at / 1000.0, 'unixepoch') || char(9) || p.status || char(9)
  || p.target_summary || char(9) || CASE WHEN length(p.one) > 80 THEN substr(p.one, 1, 79) || '…' ELSE p.one END`;

const inList = (xs: readonly string[]) => `(${xs.map((x) => `'${x}'`).join(', ')})`;

/** The conditions every view shares (status, platform, time window). */
function common(f: PostListFilter, p: Params): string {
  const where: string[] = [];
  if (f.status !== undefined) (where.push('status = @status'), (p.status = f.status));
  if (f.since !== undefined) (where.push('scheduled_at >= @since'), (p.since = f.since));
  if (f.until !== undefined) (where.push('scheduled_at <= @until'), (p.until = f.until));
  if (f.platform !== undefined) {
    where.push('EXISTS (SELECT 1 FROM targets t WHERE t.post_id = posts.id AND t.platform = @platform)');
    p.platform = f.platform;
  }
  return where.map((w) => ` AND ${w}`).join('');
}

/**
 * SELECT `cols` of the matching posts (unordered; `ordered` adds ORDER BY scheduled_at, id).
 * `cols` must include scheduled_at and id when ordered (a compound SELECT orders by its columns).
 */
function select(cols: string, f: PostListFilter, p: Params, ordered: boolean): string {
  const rest = common(f, p);
  const order = ordered ? ' ORDER BY scheduled_at, id' : '';
  if (f.attentionSince === undefined) return `SELECT ${cols} FROM posts WHERE 1${rest}${order}`;
  p.recent = f.attentionSince;
  // INDEXED BY: each arm walks its partial index in time order, and SQLite merges the two.
  return (
    `SELECT ${cols} FROM posts INDEXED BY posts_pending WHERE status IN ${inList(PENDING)}${rest}` +
    ` UNION ALL SELECT ${cols} FROM posts INDEXED BY posts_failing WHERE status IN ${inList(FAILING)} AND scheduled_at >= @recent${rest}${order}`
  );
}

const limitClause = (limit: number | undefined, p: Params) => (limit === undefined ? '' : ((p.limit = limit), ' LIMIT @limit'));

/** One page of matching posts, `cols` selected, in time order. */
function pageQuery(cols: string, f: PostListFilter, limit: number | undefined, params: Params): string {
  return select(cols, f, params, true) + limitClause(limit, params);
}

export type ListStatement = 'rows' | 'tsv' | 'count';

/** The exact statement each reader below runs (tests check their EXPLAIN QUERY PLAN). */
export function listStatement(kind: ListStatement, f: PostListFilter, limit?: number): { sql: string; params: Params } {
  const params: Params = {};
  if (kind === 'count') return { sql: `SELECT count(*) FROM (${select('id', f, params, false)})`, params };
  if (kind === 'tsv') {
    // SQLite makes the page's lines and joins them into one UTF-8 blob (no per-row JavaScript).
    const page = pageQuery(TSV_COLUMNS, f, limit, params);
    return { sql: `SELECT CAST(group_concat(${TSV_LINE}, char(10)) AS BLOB) FROM (${page}) p`, params };
  }
  return { sql: pageQuery('id, scheduled_at, tz, text, status, target_summary', f, limit, params), params };
}

/** The matching posts in time order, at most `limit`, each with its targets (from the stored summary). */
export function listPosts(db: Database.Database, f: PostListFilter, limit?: number): PostSummary[] {
  const q = listStatement('rows', f, limit);
  const rows = db.prepare(q.sql).raw().all(q.params) as [number, number, string, string, string, string][];
  return rows.map(([id, scheduledAt, tz, text, status, summary]) => ({
    id, scheduledAt, tz, text, status,
    targets: summary.split(',').filter(Boolean).map((t) => {
      const [platform, state] = t.split(':') as [PlatformId, TargetState];
      return { platform, state };
    }),
  }));
}

/**
 * The matching posts' TSV lines, newline-separated, without a final newline: one blob that
 * goes to stdout as it is (no per-row JavaScript objects for 100,000 posts with --all).
 */
export function listTsv(db: Database.Database, f: PostListFilter, limit?: number): Buffer {
  const q = listStatement('tsv', f, limit);
  return (db.prepare(q.sql).pluck().get(q.params) as Buffer | null) ?? Buffer.alloc(0);
}

export function countPosts(db: Database.Database, f: PostListFilter): number {
  const q = listStatement('count', f);
  return db.prepare(q.sql).pluck().get(q.params) as number;
}

/** Whether the database holds any post at all (one index step). */
export function hasPosts(db: Database.Database): boolean {
  return db.prepare('SELECT EXISTS (SELECT 1 FROM posts)').pluck().get() === 1;
}
