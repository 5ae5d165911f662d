/**
 * The state check in team mode (SOCIALYNC_DATABASE_URL or config database.url): PostgreSQL is
 * reachable with these credentials (and how long a round trip takes), and its schema is this
 * build's: not older (pending migrations: `db migrate`), not newer (another machine runs a newer
 * socialync). Read-only: nothing is created or migrated. The URL is shown without its password.
 */
import { result, type CheckResult, type DoctorContext } from './types.js';

/** A round trip longer than this slows every claim and lease of a publisher. */
const SLOW_MS = 200;

export async function checkPostgresState(ctx: DoctorContext, url: string, shown: string): Promise<CheckResult[]> {
  const { createPool } = await import('../store/postgres-pool.js');
  const { postgresError } = await import('../store/postgres-errors.js');
  const { schemaState } = await import('../store/postgres-migrate.js');
  const pool = createPool(url, { max: 1, connectTimeoutMs: ctx.timeoutMs });
  try {
    const t0 = ctx.deps.clock.now();
    await pool.query('SELECT 1');
    const ms = ctx.deps.clock.now() - t0;
    const s = await schemaState(pool);
    const out = [
      ms > SLOW_MS
        ? result('state', 'state.postgres', 'warn', `PostgreSQL ${shown} answers, slowly: ${ms} ms a round trip`, 'publishing and refresh take a few round trips each: run socialync next to the database, or check the network')
        : result('state', 'state.postgres', 'ok', `PostgreSQL ${shown} reachable (${ms} ms a round trip)`),
    ];
    if (s.version > s.latest) out.push(result('state', 'state.schema', 'fail', `PostgreSQL state schema v${s.version} is newer than this socialync (v${s.latest})`, 'upgrade socialync on this machine: npm install -g socialync'));
    else if (s.pending.length) out.push(result('state', 'state.schema', 'warn', `PostgreSQL state schema v${s.version}: migration${s.pending.length > 1 ? 's' : ''} ${s.pending.join(', ')} pending`, 'run: socialync db migrate'));
    else out.push(result('state', 'state.schema', 'ok', `state schema v${s.version} is current`));
    ctx.stateUsable = s.version <= s.latest && !s.pending.length;
    return out;
  } catch (e) {
    ctx.stateUsable = false;
    const err = postgresError(url, e);
    return [result('state', 'state.postgres', 'fail', err.message, err.hint)];
  } finally {
    await pool.end().catch(() => undefined);
  }
}
