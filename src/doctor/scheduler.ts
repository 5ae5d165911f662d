/**
 * Something runs `socialync refresh` on a schedule: the crontab block or the systemd user timer
 * that `socialync cron install` writes, or a running `socialync daemon` (its lease in the state
 * database). A refresh run by hand is reported, but never counts as a scheduler. The last
 * refresh activity in the events table must be recent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BEGIN } from '../commands/cron.js';
import { HOUR } from '../core/clock.js';
import { relativeTime } from '../auth/deadlines.js';
import { FILE_BACKEND_HINT } from '../secrets/keychain.js';
import { readState, type ReaderOptions } from '../store/state-reader.js';
import { DAEMON_LEASE } from '../publish/run.js';
import { loadConnections, result, type Check, type DoctorContext } from './types.js';

/** cron runs refresh hourly; a day without any record means it is not running. */
const STALE_AFTER_MS = 26 * HOUR;
const INSTALL = 'run: socialync cron install   (or: socialync cron install --systemd, or keep `socialync daemon` running)';

async function installed(ctx: DoctorContext): Promise<{ crontab: boolean; systemd: boolean; crontabError?: string }> {
  let crontab = false;
  let crontabError: string | undefined;
  try {
    crontab = (await ctx.cron.readCrontab()).split('\n').includes(BEGIN);
  } catch (e) {
    crontabError = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no crontab command' : (e as Error).message;
  }
  const systemd = existsSync(join(ctx.cron.unitDir, 'socialync-refresh.timer'));
  return { crontab, systemd, ...(crontabError ? { crontabError } : {}) };
}

/** When the running daemon's lease expires (it renews it every loop), or null: no daemon runs. */
async function daemonLeaseUntil(o: ReaderOptions, now: number): Promise<number | null> {
  const [row] = await readState<{ t: number }>(o, 'SELECT expires_at AS t FROM locks WHERE name = $1', [DAEMON_LEASE]);
  return row && row.t > now ? row.t : null;
}

/** Latest refresh activity in the selected store (SQLite or PostgreSQL): a refresh event, or a connection's last refresh. */
export async function lastRefreshAt(o: ReaderOptions): Promise<number | null> {
  const [row] = await readState<{ ev: number | null; conn: number | null }>(
    o,
    "SELECT (SELECT max(at) FROM events WHERE kind LIKE 'refresh.%') AS ev, (SELECT max(last_refresh_at) FROM connections) AS conn",
  );
  const t = Math.max(row?.ev ?? -Infinity, row?.conn ?? -Infinity);
  return Number.isFinite(t) ? t : null;
}

export const checkScheduler: Check = async (ctx) => {
  const conns = await loadConnections(ctx);
  const inst = await installed(ctx);
  const now = ctx.deps.clock.now();
  const usable = ctx.stateUsable !== false;
  const store: ReaderOptions = { env: ctx.deps.env, config: ctx.deps.config, paths: ctx.deps.paths, connectTimeoutMs: ctx.timeoutMs };
  const last = usable ? await lastRefreshAt(store) : null;
  const daemon = usable && (await daemonLeaseUntil(store, now)) !== null;
  const ago = last === null ? 'never' : relativeTime(last, now);
  const runners = [inst.crontab && 'crontab entry', inst.systemd && 'systemd user timer', daemon && 'running daemon'].filter((x): x is string => Boolean(x));
  const how = runners.join(' and ');
  const out = [];
  if (!runners.length) {
    const seen = `no crontab entry${inst.crontabError ? ` (${inst.crontabError})` : ''}, no systemd timer, no daemon`;
    if (!conns.length) out.push(result('scheduler', 'scheduler', 'warn', `nothing runs \`socialync refresh\` yet (${seen}); needed once you connect an account`, INSTALL));
    else out.push(result('scheduler', 'scheduler', 'fail', `nothing runs \`socialync refresh\` on a schedule (${seen}); last refresh: ${ago}${last !== null ? ', by hand or another scheduler' : ''}; tokens will expire`, INSTALL));
  } else if (conns.length && (last === null || now - last > STALE_AFTER_MS)) {
    out.push(result('scheduler', 'scheduler', 'warn', `${how} found, but no refresh recorded in the last ${STALE_AFTER_MS / HOUR} hours (last: ${ago})`, 'check that it runs: socialync refresh --verbose, and see the cron log (journalctl -t CRON, or /var/log/syslog)'));
  } else {
    out.push(result('scheduler', 'scheduler', 'ok', `${how} runs \`socialync refresh\`; last refresh: ${ago}`));
  }
  // `cron install` never copies SOCIALYNC_VAULT_KEY into the job: a key only in the environment is lost to it.
  if ((inst.crontab || inst.systemd) && ctx.secrets?.file?.keySource === 'env') {
    out.push(result('scheduler', 'scheduler.vaultkey', 'fail', `the ${inst.crontab ? 'crontab' : 'systemd timer'} job cannot open the secret store: its key comes from SOCIALYNC_VAULT_KEY, which scheduled jobs do not get`, 'keep the key in a 0600 file instead: socialync secrets use-file, then: socialync cron install'));
  }
  // A crontab job has no desktop session: it must reach the keychain on its own.
  const cronBus = ctx.secrets?.keychain?.cron;
  if (inst.crontab && cronBus && !(cronBus.state === 'running' || cronBus.state === 'activatable')) {
    out.push(result('scheduler', 'scheduler.keychain', 'fail', 'the cron job cannot reach the OS keychain (no Secret Service on the bus cron would use)', FILE_BACKEND_HINT));
  }
  return out;
};
