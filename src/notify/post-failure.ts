/**
 * One notification per failed post (issue 5 item 4): which platforms failed and why, which
 * published, and the command that fixes it and retries. Sent once the post has settled (no target
 * still scheduled or publishing), through the configured channels (webhook, email).
 * Deduplicated with a once-marker keyed on the failed targets and their latest attempt, so
 * concurrent publishers send it once, and a retry that fails again sends a new one.
 */
import type { Deps } from '../deps.js';
import { redactText } from '../core/redact.js';
import type { PostStore, Target } from '../store/posts.js';
import type { Connection } from '../store/types.js';
import { sendToChannels } from './index.js';
import { targetAccounts } from '../store/former.js';

export interface PostFailure {
  postId: number;
  text: string;
  failed: { platform: string; account: string; errorClass: string | null; reason: string | null }[];
  published: { platform: string; account: string; url: string | null }[];
  /** Targets whose outcome is unknown (check the account, then retry with --assume-not-posted). */
  unconfirmed: { platform: string; account: string }[];
  /** The commands that fix it and retry, in order. */
  fix: string[];
}

const short = (s: string, n = 40) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

/** The fix-and-retry commands for a post's failed targets. */
export function fixCommands(postId: number, failed: (Pick<Target, 'platform' | 'errorClass'> & { conn?: Pick<Connection, 'name'> | undefined })[]): string[] {
  const out: string[] = [];
  const reconnect = failed.filter((f) => f.errorClass === 'reconnect_needed');
  for (const f of reconnect) {
    const cmd = `socialync connect ${f.platform}${f.conn ? ` --name ${f.conn.name}` : ''} --retry-failed`;
    if (!out.includes(cmd)) out.push(cmd);
  }
  const rest = failed.filter((f) => f.errorClass !== 'reconnect_needed');
  if (rest.some((f) => f.errorClass === 'invalid_request')) out.push(`socialync schedule edit ${postId}`);
  if (rest.length) out.push(`socialync retry ${postId}`);
  return out;
}

export function describeFailure(f: PostFailure): { text: string; body: string; subject: string } {
  const who = (x: { platform: string; account: string }) => `${x.platform}/${x.account}`;
  const failed = f.failed.map((x) => `${who(x)} (${x.reason ?? x.errorClass ?? 'failed'})`).join(', ');
  const parts = [`socialync: post ${f.postId} "${short(f.text)}" failed on ${failed}`];
  if (f.published.length) parts.push(`published on ${f.published.map(who).join(', ')}`);
  if (f.unconfirmed.length) parts.push(`unconfirmed on ${f.unconfirmed.map(who).join(', ')}`);
  const text = `${parts.join('; ')}. Fix: ${f.fix.join(' then ')}`;
  const lines = [
    `Post ${f.postId}: "${short(f.text, 200)}"`,
    '',
    ...f.failed.map((x) => `FAILED    ${who(x)}: ${x.reason ?? x.errorClass ?? 'failed'}`),
    ...f.published.map((x) => `PUBLISHED ${who(x)}${x.url ? ` ${x.url}` : ''}`),
    ...f.unconfirmed.map((x) => `UNCONFIRMED ${who(x)}: check the account before retrying`),
    '',
    'To fix it and retry:',
    ...f.fix.map((c) => `  ${c}`),
    '',
  ];
  return { text: redactText(text), body: redactText(lines.join('\n')), subject: `socialync: post ${f.postId} failed on ${f.failed.map((x) => x.platform).join(', ')}` };
}

/** The failure summary of a settled post with failed targets, or undefined. */
async function postFailure(deps: Deps, posts: PostStore, postId: number): Promise<{ failure: PostFailure; key: string } | undefined> {
  const targets = await posts.targets(postId);
  if (targets.some((t) => t.state === 'scheduled' || t.state === 'publishing')) return undefined;
  const failed = targets.filter((t) => t.state === 'failed');
  if (!failed.length) return undefined;
  const post = await posts.getPost(postId);
  if (!post) return undefined;
  const names = await targetAccounts(await deps.store(), targets.map((t) => t.connectionId));
  const acct = (t: Target) => names.get(t.connectionId) ?? t.connectionId;
  const lastIds = await Promise.all(failed.map(async (t) => (await posts.attempts(t.id)).at(-1)?.id ?? 0));
  const failure: PostFailure = {
    postId,
    text: post.text,
    failed: failed.map((t) => ({ platform: t.platform, account: acct(t), errorClass: t.errorClass, reason: t.reason })),
    published: targets.filter((t) => t.state === 'published').map((t) => ({ platform: t.platform, account: acct(t), url: t.url })),
    unconfirmed: targets.filter((t) => t.state === 'unconfirmed').map((t) => ({ platform: t.platform, account: acct(t) })),
    fix: fixCommands(postId, failed.map((t) => ({ platform: t.platform, errorClass: t.errorClass, conn: names.has(t.connectionId) ? { name: acct(t) } : undefined }))),
  };
  return { failure, key: `notify.post-failed:${postId}:${failed.map((t, i) => `${t.id}@${lastIds[i]}`).join(',')}` };
}

/** After a publishing run: one message per post that settled with failed targets. Never throws. */
export async function notifyFailedPosts(deps: Deps, posts: PostStore, results: { postId: number; outcome: string }[]): Promise<PostFailure[]> {
  const sent: PostFailure[] = [];
  for (const postId of new Set(results.filter((r) => r.outcome !== 'skipped').map((r) => r.postId))) {
    try {
      const f = await postFailure(deps, posts, postId);
      if (!f) continue;
      const store = await deps.store();
      if (!(await store.markOnce(f.key, deps.clock.now()))) continue;
      const m = describeFailure(f.failure);
      await store.addEvent({ at: deps.clock.now(), connectionId: null, kind: 'notify.post_failed', message: m.text });
      await sendToChannels(deps, { kind: 'post_failed', ...m, at: deps.clock.now(), post: f.failure });
      sent.push(f.failure);
    } catch (e) {
      deps.io.err(`warning: could not send the failure notification for post ${postId}: ${redactText(String((e as Error)?.message ?? e))}`);
    }
  }
  return sent;
}
