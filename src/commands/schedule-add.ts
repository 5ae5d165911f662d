import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { buildPost, fillMissing, postOptions, readTextFlags, type ScheduleFlags } from '../publish/schedule-input.js';
import { formatInZone, offsetLabel } from '../publish/time.js';
import { postStoreFor } from '../store/posts.js';
import { quotaWarnings, type QuotaWarning } from '../publish/quota.js';

export interface ScheduleAddResult {
  id: number;
  scheduledAt: string;
  tz: string;
  localTime: string;
  targets: { platform: string; account: string }[];
  /** Quotas this post would go over (src/publish/quota.ts); [] when none. */
  warnings: QuotaWarning[];
}

export function registerScheduleAdd(schedule: Command, { deps }: CommandContext): void {
  postOptions(
    schedule
      .command('add')
      .description('schedule a post to one or more platforms (asks for what is missing on a terminal)')
      .option('--to <targets>', 'platforms, comma-separated; platform:name picks one of several accounts'),
  )
    .addHelpText('after', `
Examples:
  $ socialync schedule add --to x,linkedin --at "2026-12-01 09:00" --tz Europe/Berlin --text "Hello"
  $ socialync schedule add --to youtube,tiktok --at +1h --media clip.mp4 --title "Launch" --privacy private
  $ socialync schedule add --to instagram --at now --media https://cdn.example.com/p.jpg --text "Hi"`)
    .action(async (o: ScheduleFlags & { json?: boolean; jq?: string }) => {
      const r = await runScheduleAdd(deps, o);
      if (o.json) await printJson(deps.io, r, o.jq);
      else {
        deps.io.out(String(r.id));
        deps.io.info(`scheduled post ${r.id} for ${r.localTime} ${r.tz} to ${r.targets.map((t) => `${t.platform}:${t.account}`).join(', ')}`);
        for (const w of r.warnings) deps.io.err(`warning: ${w.message}`);
      }
    });
}

export async function runScheduleAdd(deps: Deps, o: ScheduleFlags): Promise<ScheduleAddResult> {
  let f = await readTextFlags(deps, o);
  if (!f.to || !f.at || (f.text === undefined && !f.media?.length)) {
    if (!deps.io.canPrompt) {
      const missing = [!f.to && '--to', !f.at && '--at', f.text === undefined && !f.media?.length && '--text or --media'].filter(Boolean).join(', ');
      throw new UsageError(`missing ${missing}`, 'e.g. socialync schedule add --to x --at "2026-12-01 09:00" --text "Hello"');
    }
    f = await fillMissing(deps, f);
  }
  const post = await buildPost(deps, f);
  const store = await deps.store();
  const posts = postStoreFor(store);
  const conns = await store.listConnections();
  const warnings = await quotaWarnings(posts, conns, deps.config, post);
  const id = await posts.createPost(post, deps.clock.now());
  return {
    id,
    scheduledAt: new Date(post.scheduledAt).toISOString(),
    tz: post.tz,
    localTime: `${formatInZone(post.scheduledAt, post.tz)} (${offsetLabel(post.scheduledAt, post.tz)})`,
    targets: post.targets.map((t) => ({ platform: t.platform, account: conns.find((c) => c.id === t.connectionId)?.name ?? t.connectionId })),
    warnings,
  };
}
