import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { postStoreFor, type Post, type PostStore } from '../store/posts.js';
import { postStatus, type PostStatus } from '../publish/post-status.js';
import { formatInZone, offsetLabel } from '../publish/time.js';
import { targetAccounts } from '../store/former.js';
import { lockInfo, lockText, type LockInfo } from './status.js';

/** Public JSON schema of `schedule show ID --json`. Stable: add fields, never rename. */
export interface ScheduleShowResult {
  id: number;
  status: PostStatus;
  scheduledAt: string;
  tz: string;
  localTime: string;
  text: string;
  title: string | null;
  privacy: string | null;
  options: Record<string, string>;
  overrides: Post['overrides'];
  media: { kind: string; path: string | null; url: string | null; mime: string; size: number | null; sha256: string | null; durationSec: number | null }[];
  targets: {
    id: number;
    platform: string;
    account: string;
    state: string;
    errorClass: string | null;
    reason: string | null;
    remoteId: string | null;
    url: string | null;
    note: string | null;
    attempts: { at: string; outcome: string; errorClass: string | null; message: string | null }[];
    nextAttemptAt: string | null;
    publishedAt: string | null;
    /** For a target being published: who holds it and until when (LockInfo of `status`). */
    claim: LockInfo | null;
  }[];
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export async function loadPostOrFail(posts: PostStore, id: string): Promise<Post> {
  const n = Number(id);
  const p = Number.isInteger(n) ? await posts.getPost(n) : undefined;
  if (!p) throw new UsageError(`no post with id ${id}`, 'list posts with: socialync schedule list');
  return p;
}

export async function runScheduleShow(deps: Deps, id: string): Promise<ScheduleShowResult> {
  const store = await deps.store();
  const posts = postStoreFor(store);
  const p = await loadPostOrFail(posts, id);
  const targets = await posts.targets(p.id);
  const names = await targetAccounts(store, targets.map((t) => t.connectionId));
  return {
    id: p.id,
    status: postStatus(targets.map((t) => t.state)),
    scheduledAt: new Date(p.scheduledAt).toISOString(),
    tz: p.tz,
    localTime: `${formatInZone(p.scheduledAt, p.tz)} (${offsetLabel(p.scheduledAt, p.tz)})`,
    text: p.text,
    title: p.title ?? null,
    privacy: p.privacy ?? null,
    options: p.options,
    overrides: p.overrides,
    media: p.media.map((m) => ({ kind: m.kind, path: m.path ?? null, url: m.url ?? null, mime: m.mime, size: m.size ?? null, sha256: m.sha256 ?? null, durationSec: m.durationSec ?? null })),
    targets: await Promise.all(
      targets.map(async (t) => ({
        id: t.id,
        platform: t.platform,
        account: names.get(t.connectionId) ?? t.connectionId,
        state: t.state,
        errorClass: t.errorClass,
        reason: t.reason,
        remoteId: t.remoteId,
        url: t.url,
        note: t.note,
        attempts: (await posts.attempts(t.id)).map((a) => ({ at: new Date(a.at).toISOString(), outcome: a.outcome, errorClass: a.errorClass, message: a.message })),
        nextAttemptAt: iso(t.nextAttemptAt),
        publishedAt: iso(t.publishedAt),
        claim: t.state === 'publishing' && t.claimedBy ? lockInfo(t.claimedBy, t.claimExpiresAt) : null,
      })),
    ),
  };
}

export function registerScheduleShow(schedule: Command, { deps }: CommandContext): void {
  schedule
    .command('show')
    .description('show one post: text, media, and each platform target with its attempts')
    .argument('<id>', 'post id (see: socialync schedule list)')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync schedule show 12
  $ socialync schedule show 12 --json`)
    .action(async (id: string, o: { json?: boolean; jq?: string }) => {
      const r = await runScheduleShow(deps, id);
      if (o.json) return await printJson(deps.io, r, o.jq);
      const lines = [`post ${r.id}  ${r.status}  ${r.localTime} ${r.tz}  (${r.scheduledAt})`, `text: ${r.text}`];
      if (r.title) lines.push(`title: ${r.title}`);
      if (r.privacy) lines.push(`privacy: ${r.privacy}`);
      for (const m of r.media) lines.push(`media: ${m.path ?? m.url} (${m.mime}${m.size !== null ? `, ${m.size} bytes` : ''})`);
      for (const t of r.targets) {
        lines.push(`- ${t.platform}:${t.account}  ${t.state}${t.url ? `  ${t.url}` : t.remoteId ? `  id ${t.remoteId}` : ''}`);
        if (t.claim) lines.push(`    ${lockText(t.claim, 'being published')}`);
        if (t.reason && t.state !== 'published') lines.push(`    reason: ${t.reason}`);
        if (t.note) lines.push(`    note: ${t.note}`);
        if (t.nextAttemptAt && t.state !== 'published') lines.push(`    next attempt: ${t.nextAttemptAt}`);
        for (const a of t.attempts) lines.push(`    ${a.at}  ${a.outcome}${a.errorClass ? ` (${a.errorClass})` : ''}${a.message ? `  ${printable(a.message)}` : ''}`);
      }
      deps.io.out(lines.join('\n'));
      if (r.targets.some((t) => t.state === 'failed' || t.state === 'unconfirmed')) deps.io.info(`To send the failed targets again: socialync retry ${r.id}`);
    });
}
