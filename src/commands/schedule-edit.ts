import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError, UsageError } from '../core/errors.js';
import { postStoreFor } from '../store/posts.js';
import { describeMedia, fingerprintMedia } from '../publish/media.js';
import { applyBoard, parseOverrides, postOptions, readTextFlags, resolveTime, validateTargets, type ScheduleFlags } from '../publish/schedule-input.js';
import { formatInZone } from '../publish/time.js';
import { loadPostOrFail } from './schedule-show.js';
import { quotaWarnings, type QuotaWarning } from '../publish/quota.js';

export async function runScheduleEdit(deps: Deps, id: string, f0: Omit<ScheduleFlags, 'to'>): Promise<{ id: number; scheduledAt: string; warnings: QuotaWarning[] }> {
  const store = await deps.store();
  const posts = postStoreFor(store);
  const p = await loadPostOrFail(posts, id);
  const targets = await posts.targets(p.id);
  const busy = targets.find((t) => t.state === 'publishing' || t.state === 'published' || t.state === 'unconfirmed');
  if (busy) {
    throw new CliError(`post ${p.id} is already ${busy.state} on ${busy.platform}; it can no longer be edited`, {
      exitCode: 3,
      hint: `cancel the rest with: socialync schedule cancel ${p.id}, then schedule a new post`,
    });
  }
  let f = await readTextFlags(deps, f0);
  const nothing = Object.values(f).every((v) => v === undefined || (Array.isArray(v) && !v.length));
  if (nothing) {
    if (!deps.io.canPrompt) throw new UsageError('nothing to change', `pass e.g. --text, --at or --media: socialync schedule edit ${p.id} --at "2026-12-01 10:00"`);
    f = {
      text: await deps.prompts.input('Text', { default: p.text }),
      at: await deps.prompts.input(`When (in ${p.tz})`, { default: formatInZone(p.scheduledAt, p.tz) }),
      tz: p.tz,
    };
  }
  const next = { ...p };
  if (f.text !== undefined) next.text = f.text;
  if (f.title !== undefined) next.title = f.title;
  if (f.privacy !== undefined) next.privacy = f.privacy;
  if (f.at !== undefined || f.tz !== undefined) {
    const when = await resolveTime(deps, f.at ?? formatInZone(p.scheduledAt, f.tz ?? p.tz), f.tz ?? p.tz, f, f.at !== undefined);
    Object.assign(next, { scheduledAt: when.at, tz: when.tz, localTime: when.local });
  }
  if (f.media?.length) {
    next.media = [];
    for (const m of f.media) next.media.push(await describeMedia(m, f.mediaType));
  }
  if (f.set?.length || f.option?.length) {
    const o = parseOverrides(f.set, f.option);
    next.options = { ...next.options, ...o.options };
    for (const [k, v] of Object.entries(o.overrides)) next.overrides[k as keyof typeof next.overrides] = { ...(next.overrides[k as keyof typeof next.overrides] ?? {}), ...v };
  }
  const live = targets.filter((t) => t.state !== 'cancelled');
  if (f.board !== undefined) await applyBoard(deps, live, next.overrides, f.board);
  await validateTargets(next, live, deps.config);
  next.media = await fingerprintMedia(next.media);
  // The same quota check as schedule add, at the new time; the post's own old slot is not counted.
  const quotaTargets = live.filter((t) => t.state === 'scheduled' || t.state === 'failed');
  const warnings = await quotaWarnings(posts, await store.listConnections(), deps.config, { scheduledAt: next.scheduledAt, tz: next.tz, targets: quotaTargets, postId: p.id });
  const now = deps.clock.now();
  await posts.updatePost(p.id, next, now);
  // Failed targets get another chance with the corrected post.
  for (const t of live) if (t.state === 'failed') await posts.updateTarget(t.id, null, { state: 'scheduled', errorClass: null, reason: null, nextAttemptAt: null }, now);
  return { id: p.id, scheduledAt: new Date(next.scheduledAt).toISOString(), warnings };
}

export function registerScheduleEdit(schedule: Command, { deps }: CommandContext): void {
  postOptions(schedule.command('edit').description('change a post that is not published yet (asks on a terminal when no flags are given)').argument('<id>', 'post id'))
    .addHelpText('after', `
Examples:
  $ socialync schedule edit 12 --at "2026-12-01 10:00" --tz Europe/Berlin
  $ socialync schedule edit 12 --text "Fixed typo"`)
    .action(async (id: string, o: Omit<ScheduleFlags, 'to'> & { json?: boolean; jq?: string }) => {
      const { json, jq, ...flags } = o;
      const r = await runScheduleEdit(deps, id, flags);
      if (json) return await printJson(deps.io, r, jq);
      deps.io.info(`post ${r.id} updated; scheduled for ${r.scheduledAt}`);
      for (const w of r.warnings) deps.io.err(`warning: ${w.message}`);
    });
}
