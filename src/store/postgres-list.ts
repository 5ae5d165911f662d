/**
 * `schedule list`'s queries on PostgreSQL: the same views as post-list.ts (default view, status,
 * platform, time window; time order scheduled_at, id) over the same indexes (list-indexes.ts),
 * and the same TSV line, built here from the row instead of by SQLite.
 */
import type { PlatformId } from '../providers/types.js';
import type { TargetState } from './posts.js';
import { FAILING, PENDING, type PostListFilter, type PostSummary } from './post-list.js';
import type { Pool } from './postgres-pool.js';

type Args = unknown[];

/** WHERE of the matching posts (alias p), parameters appended to `args`. */
function where(f: PostListFilter, args: Args): string {
  const add = (v: unknown) => (args.push(v), `$${args.length}`);
  const w: string[] = [];
  if (f.attentionSince !== undefined) {
    w.push(`(p.status = ANY(${add([...PENDING])}) OR (p.status = ANY(${add([...FAILING])}) AND p.scheduled_at >= ${add(f.attentionSince)}))`);
  }
  if (f.status !== undefined) w.push(`p.status = ${add(f.status)}`);
  if (f.since !== undefined) w.push(`p.scheduled_at >= ${add(f.since)}`);
  if (f.until !== undefined) w.push(`p.scheduled_at <= ${add(f.until)}`);
  if (f.platform !== undefined) w.push(`EXISTS (SELECT 1 FROM targets t WHERE t.post_id = p.id AND t.platform = ${add(f.platform)})`);
  return w.length ? `WHERE ${w.join(' AND ')}` : '';
}

function page(cols: string, f: PostListFilter, limit: number | undefined, args: Args): string {
  const w = where(f, args);
  const lim = limit === undefined ? '' : (args.push(limit), ` LIMIT $${args.length}`);
  return `SELECT ${cols} FROM posts p ${w} ORDER BY p.scheduled_at, p.id${lim}`;
}

export async function pgListPosts(pool: Pool, f: PostListFilter, limit?: number): Promise<PostSummary[]> {
  const args: Args = [];
  const sql = `SELECT p.id, p.scheduled_at, p.tz, p.text, p.status, t.platform, t.state
    FROM (${page('p.id, p.scheduled_at, p.tz, p.text, p.status', f, limit, args)}) p JOIN targets t ON t.post_id = p.id
    ORDER BY p.scheduled_at, p.id, t.id`;
  const out: PostSummary[] = [];
  let cur: PostSummary | undefined;
  for (const r of (await pool.query(sql, args)).rows) {
    if (!cur || cur.id !== r.id) out.push((cur = { id: r.id, scheduledAt: r.scheduled_at, tz: r.tz, text: r.text, status: r.status, targets: [] }));
    cur.targets.push({ platform: r.platform as PlatformId, state: r.state as TargetState });
  }
  return out;
}

/** A post's text on one line (tabs and line breaks become spaces, outer spaces go), at most 80 characters. */
export function oneLine(text: string): string {
  const t = text.replace(/[\t\n\r]/g, ' ').replace(/^ +| +$/g, '');
  const chars = Array.from(t);
  return chars.length > 80 ? chars.slice(0, 79).join('') + '…' : t;
}

export async function pgListTsv(pool: Pool, f: PostListFilter, limit?: number): Promise<Buffer> {
  const args: Args = [];
  const summary = `coalesce((SELECT string_agg(t.platform || ':' || t.state, ',' ORDER BY t.id) FROM targets t WHERE t.post_id = p.id), '') AS summary`;
  const rows = (await pool.query(`SELECT p.id, p.scheduled_at, p.status, p.text, ${summary} FROM (${page('p.id, p.scheduled_at, p.status, p.text', f, limit, args)}) p ORDER BY p.scheduled_at, p.id`, args)).rows;
  const lines = rows.map((r) => `${r.id}\t${new Date(r.scheduled_at as number).toISOString()}\t${r.status}\t${r.summary}\t${oneLine(r.text as string)}`);
  return Buffer.from(lines.join('\n'), 'utf8');
}

export async function pgCountPosts(pool: Pool, f: PostListFilter): Promise<number> {
  const args: Args = [];
  return Number((await pool.query(`SELECT count(*) AS n FROM posts p ${where(f, args)}`, args)).rows[0].n);
}

export async function pgHasPosts(pool: Pool): Promise<boolean> {
  return (await pool.query('SELECT EXISTS (SELECT 1 FROM posts) AS any')).rows[0].any === true;
}
