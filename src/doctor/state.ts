/**
 * State database: the native SQLite addon loads, `PRAGMA quick_check` passes, the schema version
 * matches this build's migrations, and a database without our tables is not sitting next to a
 * profile that has secrets or apps (it was emptied or replaced). Opened directly (never created,
 * never migrated) so doctor changes nothing. The words and fixes are those of store/failure.ts.
 */
import { openExistingDb, type ReadonlyDb as Db } from '../store/readonly.js';
import { migrations } from '../store/migrations.js';
import { classifyStateDbError, keepCopyCommand, profileHoldings, stateDbError } from '../store/failure.js';
import { storeChoice } from '../store/database-url.js';
import { result, type Check, type CheckResult, type DoctorContext } from './types.js';

/** Recovering rows keeps the damaged file: README "If the state database is damaged" has every step. */
function recoverFix(file: string): string {
  return `keep a copy first: ${keepCopyCommand(file)}; then recover its rows with the sqlite3 tool (README: "If the state database is damaged"). Your secrets in the vault are intact`;
}

export const checkState: Check = async (ctx) => {
  const choice = storeChoice(ctx.deps.env, ctx.deps.config, ctx.deps.paths.stateDb);
  if (choice.kind === 'postgres') return (await import('./postgres.js')).checkPostgresState(ctx, choice.url, choice.shown);
  const file = ctx.deps.paths.stateDb;
  let db: Db | undefined;
  try {
    db = await openExistingDb(file);
  } catch (e) {
    ctx.stateUsable = false;
    return [openFailure(file, e)];
  }
  if (!db) {
    ctx.stateUsable = true;
    return [result('state', 'state.integrity', 'ok', `state database not created yet (${file}; made on first use)`)];
  }
  try {
    return inspect(ctx, db, file);
  } catch (e) {
    ctx.stateUsable = false;
    return [openFailure(file, e)];
  } finally {
    db.close();
  }
};

function openFailure(file: string, e: unknown): CheckResult {
  const err = stateDbError(file, e);
  if (/SQLite addon/.test(err.message)) return result('state', 'state.sqlite', 'fail', err.message, err.hint);
  const fix = classifyStateDbError(file, e) === 'corrupted' ? recoverFix(file) : err.hint;
  return result('state', 'state.integrity', 'fail', err.message, fix);
}

function inspect(ctx: DoctorContext, db: Db, file: string): CheckResult[] {
  const out: CheckResult[] = [];
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((s) => s !== 'ok');
  const v = db.pragma('user_version', { simple: true }) as number;
  const ours = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'connections'").pluck().get() as number;
  const holdings = !ours && !v ? profileHoldings(ctx.deps.paths, ctx.deps.config) : undefined;
  if (problems.length) {
    out.push(result('state', 'state.integrity', 'fail', `state database ${file} is corrupted: SQLite's quick_check found ${problems.length} problem(s): ${problems[0]}`, recoverFix(file), problems.slice(0, 10)));
  } else if (holdings) {
    out.push(
      result(
        'state',
        'state.integrity',
        'fail',
        `state database ${file} has none of socialync's tables, but this profile holds ${holdings}: the database was emptied or replaced`,
        `your secrets are intact. Put back a backup of ${file} if you have one; to start over instead, keep this file and connect each account again: mv ${file} ${file}.empty && socialync connect <platform>`,
      ),
    );
  } else out.push(result('state', 'state.integrity', 'ok', `state database integrity ok (${file})`));
  const n = migrations.length;
  if (v === n) out.push(result('state', 'state.schema', 'ok', `state schema v${v} is current`));
  else if (v < n) out.push(result('state', 'state.schema', holdings ? 'skip' : 'warn', `state schema v${v} is older than this socialync (v${n}); any command migrates it`, 'run: socialync status'));
  else out.push(result('state', 'state.schema', 'fail', `state schema v${v} is newer than this socialync (v${n})`, 'upgrade socialync: npm install -g socialync'));
  ctx.stateUsable = !problems.length && !holdings && v <= n;
  return out;
}
