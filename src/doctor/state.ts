/**
 * State database: the native SQLite addon loads, `PRAGMA quick_check` passes,
 * and the schema version matches this build's migrations. Opened directly
 * (never created, never migrated) so doctor changes nothing.
 */
import { openExistingDb, type ReadonlyDb as Db } from '../store/readonly.js';
import { migrations } from '../store/migrations.js';
import { result, type Check, type CheckResult } from './types.js';

export const checkState: Check = async (ctx) => {
  const file = ctx.deps.paths.stateDb;
  const moveAside = `move it aside and reconnect: mv ${file} ${file}.broken && socialync connect <platform>`;
  let db: Db | undefined;
  try {
    db = await openExistingDb(file);
  } catch (e) {
    ctx.stateUsable = false;
    const msg = (e as Error).message;
    if (/NODE_MODULE_VERSION|was compiled against|invalid ELF|Could not locate the bindings|better_sqlite3\.node/i.test(msg)) {
      return [result('state', 'state.sqlite', 'fail', `the SQLite addon does not load in this Node.js: ${msg.split('\n')[0]}`, 'reinstall for this Node.js: npm install -g socialync (or in a checkout: npm rebuild better-sqlite3)')];
    }
    return [result('state', 'state.integrity', 'fail', `state database ${file} cannot be opened: ${msg}`, moveAside)];
  }
  if (!db) {
    ctx.stateUsable = true;
    return [result('state', 'state.integrity', 'ok', `state database not created yet (${file}; made on first use)`)];
  }
  const out: CheckResult[] = [];
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((s) => s !== 'ok');
    out.push(
      problems.length
        ? result('state', 'state.integrity', 'fail', `state database ${file} is corrupted (${problems[0]})`, moveAside, problems.slice(0, 10))
        : result('state', 'state.integrity', 'ok', `state database integrity ok (${file})`),
    );
    const v = db.pragma('user_version', { simple: true }) as number;
    const n = migrations.length;
    if (v === n) out.push(result('state', 'state.schema', 'ok', `state schema v${v} is current`));
    else if (v < n) out.push(result('state', 'state.schema', 'warn', `state schema v${v} is older than this socialync (v${n}); any command migrates it`, 'run: socialync status'));
    else out.push(result('state', 'state.schema', 'fail', `state schema v${v} is newer than this socialync (v${n})`, 'upgrade socialync: npm install -g socialync'));
    ctx.stateUsable = !problems.length && v <= n;
  } catch (e) {
    ctx.stateUsable = false;
    out.push(result('state', 'state.integrity', 'fail', `state database ${file} is unreadable or corrupted: ${(e as Error).message}`, moveAside));
  } finally {
    db.close();
  }
  return out;
};
