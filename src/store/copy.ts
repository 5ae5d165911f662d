/**
 * `socialync db copy --to postgres://...`: moves a SQLite profile's state into PostgreSQL in one
 * transaction. The target is migrated first; one holding socialync rows is refused unless
 * `force` (then its rows are replaced: running the copy again gives the same result). Rows keep
 * their ids (identity sequences move past them); columns SQLite keeps only for its own triggers
 * are left behind. Every table's count is compared after the copy. Leases (locks) are not
 * copied: they belong to processes of this machine. Secrets are not in these tables.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CliError, ExitCode } from '../core/errors.js';
import { inTransaction, type Pool, type PoolClient } from './postgres-pool.js';

/** In dependency order (parents first). */
export const COPIED_TABLES = ['connections', 'former_connections', 'events', 'once_markers', 'posts', 'media', 'targets', 'attempts'] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];
const WITH_IDENTITY: CopiedTable[] = ['events', 'posts', 'media', 'targets', 'attempts'];
const BATCH = 2000;

export type TableCounts = Record<CopiedTable, number>;

export async function targetCounts(q: Pool | PoolClient): Promise<TableCounts> {
  const out = {} as TableCounts;
  for (const t of COPIED_TABLES) out[t] = Number((await q.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  return out;
}

export const isEmpty = (c: TableCounts) => COPIED_TABLES.every((t) => c[t] === 0);

async function targetColumns(q: PoolClient, table: string): Promise<Set<string>> {
  const r = await q.query('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table]);
  return new Set(r.rows.map((x) => x.column_name as string));
}

/** Copies one table in batches (json_populate_recordset: one parameter per batch, types from the table). */
async function copyTable(src: BetterSqlite3.Database, q: PoolClient, table: CopiedTable): Promise<void> {
  const theirs = await targetColumns(q, table);
  const cols = (src.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter((c) => theirs.has(c));
  const list = cols.map((c) => `"${c}"`).join(', ');
  const insert = `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)`;
  let batch: unknown[] = [];
  for (const row of src.prepare(`SELECT ${list} FROM ${table} ORDER BY rowid`).iterate()) {
    batch.push(row);
    if (batch.length === BATCH) (await q.query(insert, [JSON.stringify(batch)]), (batch = []));
  }
  if (batch.length) await q.query(insert, [JSON.stringify(batch)]);
  if (WITH_IDENTITY.includes(table)) {
    await q.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`);
  }
}

export interface CopyResult {
  counts: TableCounts;
  replaced: boolean;
}

/** Copies every table of `src` (a migrated SQLite state database) into the migrated PostgreSQL `pool`. */
export async function copySqliteToPostgres(src: BetterSqlite3.Database, pool: Pool, o: { force: boolean; shownUrl: string }): Promise<CopyResult> {
  // One snapshot of the source for the whole copy (a publisher may be writing to it).
  src.prepare('BEGIN').run();
  try {
    const want = {} as TableCounts;
    for (const t of COPIED_TABLES) want[t] = src.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
    return await inTransaction(pool, async (q) => {
      // Two copies at once: the second waits here, then finds the first's rows.
      await q.query(`LOCK TABLE ${COPIED_TABLES.join(', ')} IN EXCLUSIVE MODE`);
      const before = await targetCounts(q);
      const replaced = !isEmpty(before);
      if (replaced && !o.force) throw refuseNonEmpty(o.shownUrl, before);
      if (replaced) await q.query(`TRUNCATE ${COPIED_TABLES.join(', ')}, locks RESTART IDENTITY CASCADE`);
      for (const t of COPIED_TABLES) await copyTable(src, q, t);
      const counts = await targetCounts(q);
      const off = COPIED_TABLES.filter((t) => counts[t] !== want[t]);
      if (off.length) {
        throw new CliError(`the copy into ${o.shownUrl} does not match: ${off.map((t) => `${t} ${counts[t]} of ${want[t]}`).join(', ')}; nothing was written`, { hint: 'this is a bug in socialync; run again with --debug and report it' });
      }
      return { counts, replaced };
    });
  } finally {
    src.prepare('COMMIT').run();
  }
}

function refuseNonEmpty(shown: string, c: TableCounts): CliError {
  const held = COPIED_TABLES.filter((t) => c[t] > 0).map((t) => `${c[t]} ${t}`).join(', ');
  return new CliError(`${shown} already holds socialync state (${held}); nothing was copied`, {
    exitCode: ExitCode.usage,
    hint: 'to replace it with this profile\'s state, run the same command with --force (its rows are deleted first); to keep it, point --to at an empty database',
  });
}
