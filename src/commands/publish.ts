import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { TargetResult } from '../publish/engine.js';

/** Public JSON schema of `publish --json`. Stable: add fields, never rename. */
/** One target of `publish --json`: every field present, null when it does not apply (docs/json.md). */
export interface PublishEntry {
  postId: number;
  targetId: number;
  platform: TargetResult['platform'];
  account: string;
  outcome: TargetResult['outcome'];
  remoteId: string | null;
  url: string | null;
  note: string | null;
  errorClass: NonNullable<TargetResult['errorClass']> | null;
  message: string | null;
  nextAttemptAt: string | null;
  /** The command to run first when the connection needs a reconnect. */
  fix: string | null;
}

export interface PublishReport {
  exitCode: number;
  results: PublishEntry[];
}

function publishEntry(r: TargetResult): PublishEntry {
  return {
    postId: r.postId,
    targetId: r.targetId,
    platform: r.platform,
    account: r.account,
    outcome: r.outcome,
    remoteId: r.remoteId ?? null,
    url: r.url ?? null,
    note: r.note ?? null,
    errorClass: r.errorClass ?? null,
    message: r.message ?? null,
    nextAttemptAt: r.nextAttemptAt ? new Date(r.nextAttemptAt).toISOString() : null,
    fix: r.errorClass === 'reconnect_needed' ? `socialync connect ${r.platform} --name ${r.account}` : null,
  };
}

/** --concurrency: a whole number of at least 1. */
export function concurrencyFlag(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency must be a whole number of at least 1, got "${v}"`, 'e.g. socialync publish --concurrency 8');
  return n;
}

function exitCodeFor(results: TargetResult[]): number {
  const failed = results.filter((r) => r.outcome === 'failed' || r.outcome === 'unconfirmed');
  if (!failed.length) return ExitCode.ok;
  if (results.some((r) => r.outcome === 'published')) return ExitCode.partial;
  if (failed.every((r) => r.errorClass === 'reconnect_needed')) return ExitCode.reconnectNeeded;
  return ExitCode.failed;
}

/**
 * One line per target. Failures, retries and notes always show (stdout, notes on stderr); a
 * published target only when someone reads it: on a terminal (not --quiet), with --verbose,
 * or in the daemon's log (`success: 'always'`). So a cron tick that publishes sends no mail.
 */
export function printResults(deps: Deps, results: TargetResult[], o: { success?: 'always' | 'terminal' } = {}): void {
  const { io } = deps;
  const loud = io.verbosity === 'verbose' || io.verbosity === 'debug';
  const showSuccess = io.verbosity !== 'quiet' && (o.success === 'always' || io.stdoutIsTTY || loud);
  for (const r of results) {
    const head = `post ${r.postId} ${r.platform}:${r.account}`;
    if (r.outcome === 'published') {
      if (showSuccess) io.out(`${head} published ${r.url ?? r.remoteId ?? ''}`.trimEnd());
    } else if (r.outcome === 'retry_scheduled') io.out(`${head} will retry at ${new Date(r.nextAttemptAt!).toISOString()}: ${r.message}`);
    else io.out(`${head} ${r.outcome}: ${r.message ?? ''}`.trimEnd());
    if (r.note) io.err(`  note: ${r.note}`);
  }
}

export async function runPublish(deps: Deps, o: { limit?: number; concurrency?: number }): Promise<PublishReport> {
  const [{ createEngine }, { runTick }] = await Promise.all([import('../publish/run.js'), import('../publish/engine.js')]);
  const results = await runTick(await createEngine(deps), { ...(o.limit ? { limit: o.limit } : {}), ...(o.concurrency ? { concurrency: o.concurrency } : {}) });
  return { exitCode: exitCodeFor(results), results: results.map(publishEntry) };
}

/** The state store went away mid-run: what was done before is shown, then the error (exit 6, src/publish/store-down.ts). */
async function showPartial(deps: Deps, e: unknown, o: { json?: boolean; jq?: string }): Promise<void> {
  const { partialResults } = await import('../publish/store-down.js');
  const done = partialResults(e)?.filter((r) => r.outcome !== 'skipped');
  if (!done?.length) return;
  if (o.json) await printJson(deps.io, { exitCode: ExitCode.transient, results: done.map(publishEntry) }, o.jq);
  else printResults(deps, done);
}

export function registerPublish(program: Command, { deps, setExitCode }: CommandContext): void {
  program
    .command('publish')
    .description('publish every post that is due now (run it from cron every minute)')
    .option('--limit <n>', 'at most this many targets in this run', (v) => Number(v))
    .option('--concurrency <n>', 'targets published at once (default: config publish.concurrency, 64); one per account at a time', concurrencyFlag)
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Off a terminal (cron) a run that only publishes prints nothing; failures, retries and notes
always print. --verbose lists what was published there too; --json reports everything.

Due targets go out concurrently: at most --concurrency at once, at most publish.perPlatform.<p>
(32) per platform and one per account at a time. A rate limit (429, a daily cap) pauses that
account (YouTube's project quota: the platform) until the time the platform gives.

Exit codes: 0 nothing due, all published, or only automatic retries scheduled (temporary
failures retry by themselves); 1 failed; 4 reconnect needed; 5 partly published.

Examples:
  * * * * * socialync publish --quiet      (crontab: prints, so mails, only failures)
  $ socialync publish --json`)
    .action(async (o: { limit?: number; concurrency?: number; json?: boolean; jq?: string }) => {
      const r = await runPublish(deps, o).catch(async (e: unknown) => {
        await showPartial(deps, e, o);
        throw e;
      });
      if (o.json) await printJson(deps.io, r, o.jq);
      else printResults(deps, r.results.map((x) => ({ ...x, nextAttemptAt: x.nextAttemptAt ? Date.parse(x.nextAttemptAt) : undefined }) as TargetResult));
      setExitCode(r.exitCode);
    });
}
