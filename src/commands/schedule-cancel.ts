import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CancelledError, CliError } from '../core/errors.js';
import { postStoreFor } from '../store/posts.js';
import { loadPostOrFail } from './schedule-show.js';

export interface ScheduleCancelResult {
  id: number;
  cancelled: string[];
  /** Targets already published stay published (their posts are on the platform). */
  kept: { platform: string; state: string }[];
}

export async function runScheduleCancel(deps: Deps, id: string, o: { yes?: boolean }): Promise<ScheduleCancelResult> {
  const posts = postStoreFor(await deps.store());
  const p = await loadPostOrFail(posts, id);
  const targets = await posts.targets(p.id);
  if (targets.some((t) => t.state === 'publishing')) {
    throw new CliError(`post ${p.id} is being published right now`, { hint: `wait a minute, then run: socialync schedule show ${p.id}` });
  }
  if (!o.yes && deps.io.canPrompt && !(await deps.prompts.confirm(`Cancel post ${p.id} (${targets.length} target(s))?`, false))) throw new CancelledError();
  const cancelled: string[] = [];
  const kept: { platform: string; state: string }[] = [];
  for (const t of targets) {
    if (t.state === 'scheduled' || t.state === 'failed' || t.state === 'unconfirmed') {
      await posts.updateTarget(t.id, null, { state: 'cancelled', nextAttemptAt: null }, deps.clock.now());
      cancelled.push(t.platform);
    } else kept.push({ platform: t.platform, state: t.state });
  }
  return { id: p.id, cancelled, kept };
}

export function registerScheduleCancel(schedule: Command, { deps }: CommandContext): void {
  schedule
    .command('cancel')
    .description('cancel the targets of a post that are not published yet')
    .argument('<id>', 'post id')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync schedule cancel 12
  $ socialync schedule cancel 12 --yes`)
    .action(async (id: string, o: { yes?: boolean; json?: boolean; jq?: string }) => {
      const r = await runScheduleCancel(deps, id, o);
      if (o.json) return await printJson(deps.io, r, o.jq);
      deps.io.info(`post ${r.id}: cancelled ${r.cancelled.join(', ') || 'nothing'}${r.kept.length ? `; kept ${r.kept.map((k) => `${k.platform} (${k.state})`).join(', ')}` : ''}`);
    });
}
