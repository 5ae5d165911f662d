import { fixAndHint, nextStep, printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, ExitCode, UsageError, reconnectReasonText } from '../core/errors.js';
import { isStoreUnavailable } from '../store/postgres-errors.js';
import { secretKeys, secretStored } from '../secrets/types.js';
import { redactText } from '../core/redact.js';
import { parsePlatform } from '../providers/registry.js';
import type { PlatformId } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import { connectHint, refreshConnection, type RefreshOutcome, type RefreshStatus } from '../auth/refresh.js';
import { deadlineSoon, reconnectDeadline, warnDaysFrom } from '../auth/deadlines.js';
import { utcDay, warnOnce, type Warning } from '../notify/index.js';
import { gracefulStop } from '../core/interrupt.js';

export interface RefreshCommandOptions {
  platform?: string;
  account?: string;
  force?: boolean;
  dryRun?: boolean;
  concurrency?: number;
  json?: boolean;
  jq?: string;
}

/**
 * `refresh --json` output (public API; add fields, never rename them).
 * Times are ISO 8601 UTC strings.
 */
export interface RefreshReport {
  /** Same as the process exit code: 0 ok, 1 failed, 4 reconnect needed, 6 temporary failure. */
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  results: {
    connectionId: string;
    platform: PlatformId;
    account: string;
    /** refreshed | already_refreshed | not_due | reconnect_soon | would_refresh | reconnect_needed | transient | failed */
    status: RefreshStatus;
    /** What happened, in words. */
    message: string;
    /** Reconnect reason (refresh_token_expired, password_changed, app_removed, ...) when status is reconnect_needed. */
    reason: string | null;
    attempts: number;
    accessExpiresAt: string | null;
    reconnectBy: string | null;
    reconnectByEstimated: boolean;
    /** The socialync command that fixes this connection, runnable as is. */
    fix: string | null;
    /** Advice in words when there is more to say than `fix`. */
    hint: string | null;
  }[];
  /** Warnings emitted by this run (at most one per connection per UTC day across all runs). */
  warnings: { connectionId: string; platform: string; account: string; reconnectBy: string; reconnectByEstimated: boolean; reconnectWhy: string; fix: string }[];
  counts: Partial<Record<RefreshStatus, number>>;
}

/** Events older than this are deleted by `refresh` (the scheduled job). */
const EVENT_RETENTION_MS = 90 * 86_400_000;

/** Connections refreshed at once: token calls are network-bound (one per connection, per-user limits). */
const DEFAULT_CONCURRENCY = 32;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export async function runRefresh(deps: Deps, o: RefreshCommandOptions): Promise<RefreshReport> {
  const started = deps.clock.now();
  const store = await deps.store();
  const platform = o.platform ? parsePlatform(o.platform) : undefined;
  const conns = await store.listConnections({ ...(platform ? { platform } : {}), ...(o.account ? { name: o.account } : {}) });
  if (!conns.length && (platform || o.account)) {
    throw new UsageError(`no connection matches ${[platform, o.account].filter(Boolean).join(' ')}`, 'run: socialync status');
  }
  const concurrency = Math.max(1, Math.min(64, Math.floor(o.concurrency ?? DEFAULT_CONCURRENCY)));
  const outcomes: RefreshOutcome[] = new Array(conns.length);
  let next = 0;
  let inFlight = 0;
  const interrupt = gracefulStop(() => deps.io.info(`stopping after the ${inFlight} refresh${inFlight === 1 ? '' : 'es'} in progress, so no rotating token is lost (Ctrl-C again quits now)`));
  // The PostgreSQL state store out of reach: stop starting refreshes; main says so (exit 6, `db status`).
  let storeDown: unknown;
  const worker = async () => {
    while (next < conns.length && !interrupt.requested && storeDown === undefined) {
      const i = next++;
      const c = conns[i]!;
      inFlight++;
      try {
        outcomes[i] = (await secretMissingOutcome(deps, c)) ?? (await refreshConnection(deps, c.id, { connection: c, ...(o.force ? { force: true } : {}), ...(o.dryRun ? { dryRun: true } : {}) }));
      } catch (e) {
        if (isStoreUnavailable(e)) {
          storeDown ??= e;
          continue;
        }
        // One failing connection never stops the others. (Tokens missing from the secret store: a reconnect.)
        const reconnect = e instanceof CliError && e.exitCode === ExitCode.reconnectNeeded;
        outcomes[i] = {
          connectionId: c.id,
          platform: c.platform,
          name: c.name,
          status: reconnect ? 'reconnect_needed' : 'failed',
          detail: redactText(String((e as Error)?.message ?? e)),
          attempts: 0,
          accessExpiresAt: c.accessExpiresAt,
          ...(e instanceof CliError && e.hint ? { hint: e.hint } : {}),
        };
      } finally {
        inFlight--;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, conns.length) }, worker));
  } finally {
    interrupt.stop();
  }
  if (storeDown !== undefined) throw storeDown;
  conns.forEach((c, i) => (outcomes[i] ??= notStarted(c)));

  const now = deps.clock.now();
  const warnDays = warnDaysFrom(deps.config);
  const warnings: Warning[] = [];
  const results: RefreshReport['results'] = [];
  const latest = new Map((await store.listConnections({ ...(platform ? { platform } : {}), ...(o.account ? { name: o.account } : {}) })).map((c) => [c.id, c]));
  for (let i = 0; i < conns.length; i++) {
    const out = outcomes[i]!;
    const conn: Connection = latest.get(out.connectionId) ?? conns[i]!;
    // Reported broken, working again (a forced refresh after an outage, an interrupted refresh that held): say so once.
    if (conns[i]!.health === 'needs_reconnect' && conn.health === 'healthy') await (await import('../notify/recovery.js')).notifyConnectionRecovered(deps, conn, 'refreshed');
    const d = reconnectDeadline(conn, now);
    if (!o.dryRun && conn.health !== 'needs_reconnect' && (deadlineSoon(d, now, warnDays) || out.status === 'reconnect_soon')) {
      const w = await warnOnce(deps, conn, d);
      if (w) warnings.push(w);
    }
    results.push({
      connectionId: out.connectionId,
      platform: out.platform,
      account: out.name,
      status: out.status,
      message: out.detail,
      reason: out.reason ?? null,
      attempts: out.attempts,
      accessExpiresAt: iso(out.accessExpiresAt),
      reconnectBy: iso(d.at),
      reconnectByEstimated: d.estimated,
      ...fixAndHint(out.hint),
    });
  }
  const counts: RefreshReport['counts'] = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const exitCode = interrupt.requested ? ExitCode.cancelled : counts.reconnect_needed ? ExitCode.reconnectNeeded : counts.failed ? ExitCode.failed : counts.transient ? ExitCode.transient : ExitCode.ok;
  if (!o.dryRun) {
    // Every run leaves a trace (doctor checks the scheduler ran recently), and old events are
    // pruned here so the hourly job keeps the table bounded.
    await store.addEvent({ at: deps.clock.now(), connectionId: null, kind: 'refresh.run', message: JSON.stringify(counts) });
    await store.pruneEvents?.(deps.clock.now() - EVENT_RETENTION_MS);
    await (await import('../notify/pending.js')).redeliverPending(deps);
  }
  return {
    exitCode,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(deps.clock.now()).toISOString(),
    results,
    warnings: warnings.map((w) => ({ connectionId: w.connectionId, platform: w.platform, account: w.account, reconnectBy: new Date(w.reconnectBy).toISOString(), reconnectByEstimated: w.estimated, reconnectWhy: w.why, fix: connectHint({ platform: w.platform as PlatformId, name: w.account }).replace(/^run: /, '') })),
    counts,
  };
}

/** A connection left alone because the run was interrupted before its turn. */
const notStarted = (c: Connection): RefreshOutcome => ({
  connectionId: c.id,
  platform: c.platform,
  name: c.name,
  status: 'cancelled',
  detail: 'not started: the run was interrupted (the next run refreshes it)',
  attempts: 0,
  accessExpiresAt: c.accessExpiresAt,
});

/** A connection whose tokens are gone from the secret store: nothing to refresh, a reconnect (due or not). */
async function secretMissingOutcome(deps: Deps, c: Connection): Promise<RefreshOutcome | undefined> {
  if (await secretStored(await deps.secrets(), secretKeys.connection(c.id))) return undefined;
  return {
    connectionId: c.id,
    platform: c.platform,
    name: c.name,
    status: 'reconnect_needed',
    reason: 'secret_missing',
    detail: `${reconnectReasonText.secret_missing}: its tokens are not in the secret store (${(await deps.secrets()).describe().location})`,
    attempts: 0,
    accessExpiresAt: c.accessExpiresAt,
    hint: `run: socialync connect ${c.platform} --name ${c.name}`,
  };
}

/** Quiet on success (cron mails any output); problems on stderr, once a day for known ones. */
async function render(r: RefreshReport, o: RefreshCommandOptions, deps: Deps): Promise<void> {
  const { io } = deps;
  if (o.json) {
    await printJson(io, r, o.jq);
    return reportLeft(r, deps);
  }
  const store = await deps.store();
  const day = utcDay(deps.clock.now());
  for (const x of r.results) {
    const who = `${x.platform}/${x.account}`;
    switch (x.status) {
      case 'would_refresh':
        io.out(`${who}\twould refresh\t${x.message}`);
        break;
      case 'refreshed':
        io.verbose(`${who}: refreshed; access token valid until ${x.accessExpiresAt ?? 'no expiry'}`);
        break;
      case 'reconnect_needed':
        // A connection that stays broken is reported once a day, not on every hourly run; lost
        // tokens (data loss, not a platform's verdict) on every run.
        if (x.reason === 'secret_missing' || await store.markOnce(`cli.reconnect:${x.connectionId}:${day}`, deps.clock.now())) {
          io.err(`${who}: needs a reconnect: ${x.message}. ${nextStep(x)}`.trim());
        } else io.verbose(`${who}: needs a reconnect (already reported today)`);
        break;
      case 'transient':
      case 'failed':
        io.err(`${who}: ${x.status === 'failed' ? 'refresh failed' : 'temporary failure'}: ${x.message}${x.fix || x.hint ? `\n  ${nextStep(x)}` : ''}`);
        break;
      default:
        io.verbose(`${who}: ${x.status.replace(/_/g, ' ')}: ${x.message}`);
    }
  }
  for (const w of r.warnings) {
    io.err(`warning: ${w.platform}/${w.account} will need a reconnect by ${w.reconnectByEstimated ? '~' : ''}${w.reconnectBy}: ${w.reconnectWhy}. Run: ${w.fix}`);
  }
  if (o.dryRun && !r.results.some((x) => x.status === 'would_refresh')) io.info('nothing is due for a refresh');
  reportLeft(r, deps);
}

/** After Ctrl-C: how many connections the run left, and that the next run does them. */
function reportLeft(r: RefreshReport, deps: Deps): void {
  const left = r.counts.cancelled ?? 0;
  if (left) deps.io.err(`interrupted: ${left} connection${left === 1 ? '' : 's'} not refreshed (the next run does them, or run: socialync refresh)`);
}

export function registerRefresh(program: Command, ctx: CommandContext): void {
  program
    .command('refresh')
    .description('refresh tokens that are close to expiry (meant for cron; quiet on success)')
    .argument('[platform]', 'only this platform')
    .option('--account <name>', 'only this connection (its local name)')
    .option('--force', 'refresh even when not due')
    .option('--dry-run', 'show what would be refreshed; change nothing')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .option('--concurrency <n>', 'connections refreshed in parallel', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency must be a positive integer, got "${v}"`);
      return n;
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 all fine or nothing due, 1 a refresh failed (configuration), 4 a connection needs a
reconnect, 6 temporary failure (network, 5xx, rate limit; the next run retries).

Examples:
  $ socialync refresh               refresh everything that is due (what cron runs hourly)
  $ socialync refresh x --dry-run   show which X connections are due
  $ socialync refresh --json        machine-readable result`,
    )
    .action(async (platform: string | undefined, opts: Omit<RefreshCommandOptions, 'platform'>) => {
      const o = { ...opts, ...(platform ? { platform } : {}) };
      const report = await runRefresh(ctx.deps, o);
      await render(report, o, ctx.deps);
      ctx.setExitCode(report.exitCode);
    });
}
