import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CancelledError, CliError, ExitCode, UsageError } from '../core/errors.js';
import { parsePlatform } from '../providers/registry.js';
import { truncate } from '../core/text-width.js';
import type { PlatformId } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import type { RetryEntry, RetrySelection } from '../publish/retry.js';

export type { RetryEntry, RetryMode, RetryOutcome } from '../publish/retry.js';

/** Public JSON schema of `retry --json` (also `connect --retry-failed --json` under `retry`). Stable: add fields, never rename. */
export interface RetryResult {
  dryRun: boolean;
  /** The exit code of this run (0 in a dry run). */
  exitCode: number;
  targets: RetryEntry[];
}

export interface RetryOptions {
  postId?: string;
  platforms?: PlatformId[];
  allFailed?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  assumeNotPosted?: boolean;
}

function retryExitCode(t: RetryEntry[]): number {
  const ok = t.filter((e) => e.outcome === 'published' || e.outcome === 'skipped');
  const bad = t.filter((e) => !ok.includes(e));
  if (!bad.length) return ExitCode.ok;
  if (t.some((e) => e.outcome === 'published')) return ExitCode.partial;
  if (bad.every((e) => e.outcome === 'blocked' || e.errorClass === 'reconnect_needed' && e.outcome === 'failed')) return ExitCode.reconnectNeeded;
  if (bad.every((e) => e.outcome === 'retry_scheduled')) return ExitCode.transient;
  return ExitCode.failed;
}

async function engine(deps: Deps) {
  const [{ createEngine }, retry] = await Promise.all([import('../publish/run.js'), import('../publish/retry.js')]);
  return { en: await createEngine(deps), ...retry };
}

/** Plans (dry run) or runs a retry of `sel`, asking first on a terminal unless `yes`. */
async function retrySelection(deps: Deps, sel: RetrySelection, o: { dryRun?: boolean; yes?: boolean; json?: boolean; jq?: string; assumeNotPosted?: boolean; why?: string }): Promise<RetryResult> {
  const { en, planRetry, executeRetry } = await engine(deps);
  const plan = await planRetry(en, sel);
  if (o.dryRun || !plan.length) return { dryRun: Boolean(o.dryRun), exitCode: 0, targets: plan };
  const runnable = plan.filter((e) => !e.fix);
  if (!runnable.length) {
    const blocked = plan.map((e) => ({ ...e, outcome: 'blocked' as const, message: `the ${e.platform} connection needs a reconnect first. Run: ${e.fix}` }));
    if (o.json) return { dryRun: false, exitCode: ExitCode.reconnectNeeded, targets: blocked };
    const fixes = [...new Set(plan.map((e) => e.fix!))];
    throw new CliError(`nothing can be retried until ${fixes.length > 1 ? 'these connections are' : 'the connection is'} reconnected (${[...new Set(plan.map((e) => `${e.platform}/${e.account}`))].join(', ')})`, {
      exitCode: ExitCode.reconnectNeeded,
      hint: `run: ${fixes.join(' && ')}   (it offers to retry them afterwards)`,
    });
  }
  if (!o.yes) {
    if (!deps.io.canPrompt) throw new UsageError('retry needs --yes when it cannot ask (no terminal)', 'check first with --dry-run, then add --yes');
    if (!o.json) deps.io.err(await renderPlan(plan));
    if (!(await deps.prompts.confirm(`Retry ${runnable.length} target${runnable.length > 1 ? 's' : ''} now?`, true))) throw new CancelledError();
  }
  const done = await executeRetry(en, plan, { ...(o.assumeNotPosted ? { assumeNotPosted: true } : {}), ...(o.why ? { why: o.why } : {}) });
  const { notifyFailedPosts } = await import('../notify/post-failure.js');
  await notifyFailedPosts(deps, en.posts, done.filter((e) => e.outcome !== 'blocked').map((e) => ({ postId: e.postId, outcome: e.outcome ?? 'skipped' })));
  return { dryRun: false, exitCode: retryExitCode(done), targets: done };
}

export async function runRetry(deps: Deps, o: RetryOptions): Promise<RetryResult> {
  if (!o.postId && !o.allFailed) throw new UsageError('name a post to retry, or pass --all-failed', 'see what failed: socialync schedule list --status failed');
  if (o.postId && o.allFailed) throw new UsageError('pass either a post id or --all-failed, not both');
  const sel: RetrySelection = { ...(o.platforms?.length ? { platforms: o.platforms } : {}) };
  if (o.postId) {
    const { postStoreFor } = await import('../store/posts.js');
    const { loadPostOrFail } = await import('./schedule-show.js');
    sel.postId = (await loadPostOrFail(postStoreFor(await deps.store()), o.postId)).id;
  }
  return retrySelection(deps, sel, o);
}

/** One line of at most `n` terminal columns, never cut inside a character. */
const cut = (s: string | null, n: number) => truncate((s ?? '').replace(/\s+/g, ' ').trim(), n);

/** The plan as a table; with `hints`, followed by the connect command of each connection that needs one. */
async function renderPlan(rows: RetryEntry[], hints = true): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({ head: ['POST', 'PLATFORM', 'ACCOUNT', 'LAST ERROR', 'MODE'], style: { head: [], border: [] } });
  for (const r of rows) table.push([r.postId, r.platform, r.account, cut(r.lastError, 60), r.fix ? 'reconnect first' : r.mode]);
  return [table.toString(), ...(hints ? fixHints(rows) : [])].join('\n');
}

function fixHints(rows: RetryEntry[]): string[] {
  return [...new Set(rows.filter((r) => r.fix).map((r) => r.fix!))].map((fix) => `! needs a reconnect first. Run: ${fix}`);
}

function printRetry(deps: Deps, r: RetryResult): void {
  for (const e of r.targets) {
    const head = `post ${e.postId} ${e.platform}:${e.account}`;
    if (e.outcome === 'published') deps.io.out(`${head} published ${e.url ?? e.remoteId ?? ''}`.trimEnd());
    else if (e.outcome === 'retry_scheduled') deps.io.out(`${head} will retry automatically at ${e.nextAttemptAt}: ${e.message ?? ''}`.trimEnd());
    else deps.io.out(`${head} ${e.outcome}: ${e.message ?? ''}`.trimEnd());
  }
  const fixes = [...new Set(r.targets.filter((e) => e.fix && e.outcome !== 'published').map((e) => e.fix!))];
  for (const f of fixes) deps.io.err(`To fix the connection, run: ${f}   (then: socialync retry --all-failed)`);
}

/**
 * The reconnect flow: after `connect` re-authorized `conn`, offer to retry the targets that
 * failed because its token was dead. `mode`: ask on a terminal, `yes` (--retry-failed), `no` (--no-retry).
 * Never changes posts, captions, media or settings: it only re-sends failed targets.
 */
export async function offerRetryAfterReconnect(deps: Deps, conn: Connection, mode: 'ask' | 'yes' | 'no', json?: boolean): Promise<RetryResult | undefined> {
  // Still broken (e.g. a needed permission was not granted): connect has said what to do.
  if (conn.health !== 'healthy') return undefined;
  const { en, planRetry } = await engine(deps);
  const sel: RetrySelection = { connectionId: conn.id, errorClass: 'reconnect_needed', unconfirmed: false };
  const plan = await planRetry(en, sel);
  if (!plan.length) return undefined;
  const posts = [...new Set(plan.map((e) => e.postId))];
  const list = `post${posts.length > 1 ? 's' : ''} ${posts.join(', ')}`;
  deps.io.info(`${plan.length} target${plan.length > 1 ? 's' : ''} failed because the ${conn.platform}/${conn.name} token was dead (${list}).`);
  const later = `socialync retry --all-failed --platform ${conn.platform}`;
  if (mode === 'no') {
    deps.io.info(`Not retrying them now. Later: ${later}`);
    return undefined;
  }
  if (mode === 'ask') {
    if (!deps.io.canPrompt) {
      deps.io.info(`To retry them: ${later} --yes   (or reconnect with --retry-failed)`);
      return undefined;
    }
    if (!json) deps.io.err(await renderPlan(plan));
    if (!(await deps.prompts.confirm('Retry them now?', true))) {
      deps.io.info(`Not retrying them now. Later: ${later}`);
      return undefined;
    }
  }
  const r = await retrySelection(deps, sel, { yes: true, ...(json ? { json } : {}), why: `retry after reconnecting ${conn.platform}/${conn.name}` });
  if (!json) printRetry(deps, r);
  return r;
}

function parsePlatforms(v: string, prev: PlatformId[] = []): PlatformId[] {
  return [...prev, ...v.split(',').map((s) => parsePlatform(s.trim()))];
}

export function registerRetry(program: Command, { deps, setExitCode }: CommandContext): void {
  program
    .command('retry')
    .description('send again what failed: only failed targets (published ones are never touched); unconfirmed ones are checked first')
    .argument('[id]', 'the post to retry (see: socialync schedule list --status failed)')
    .option('--platform <platform>', 'only these platforms (comma-separated or repeated)', parsePlatforms)
    .option('--all-failed', 'every failed target of every post')
    .option('--dry-run', 'show what would be retried and change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
    .option('--assume-not-posted', 'send unconfirmed targets again when the platform cannot tell whether they were posted (check the account first)')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Modes: new (sent from scratch), resume (continues a saved upload: TikTok publish_id, Instagram
container, YouTube upload session), reconcile (unconfirmed: checked on the platform first).
A target whose connection needs a reconnect is not retried; the exact connect command is printed.
Exit codes: 0 all published (or nothing to do), 1 failed, 4 reconnect needed, 5 partly published, 6 will retry later.

Examples:
  $ socialync retry 12
  $ socialync retry --all-failed --platform tiktok --dry-run --json
  $ socialync retry 12 --yes --assume-not-posted`)
    .action(async (postId: string | undefined, o: { platform?: PlatformId[]; allFailed?: boolean; dryRun?: boolean; yes?: boolean; json?: boolean; jq?: string; assumeNotPosted?: boolean }) => {
      const r = await runRetry(deps, { ...(postId ? { postId } : {}), ...(o.platform ? { platforms: o.platform } : {}), ...o });
      setExitCode(r.exitCode);
      if (o.json) return await printJson(deps.io, r, o.jq);
      if (!r.targets.length) return deps.io.info(`nothing to retry${postId ? ` in post ${postId}` : ''}: no failed or unconfirmed targets`);
      if (r.dryRun) return (deps.io.out(await renderPlan(r.targets, false)), fixHints(r.targets).forEach((l) => deps.io.err(l)));
      printRetry(deps, r);
    });
}
