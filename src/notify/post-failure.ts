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
import { redeliverPending } from './pending.js';
import { targetAccounts } from '../store/former.js';
import type { PostFailureSummary } from './types.js';

/** `unconfirmed`: targets whose outcome is unknown (check the account, then retry with --assume-not-posted); `fix`: the commands that fix it and retry, in order. */
export type PostFailure = PostFailureSummary;

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

/** An error class in plain words, for a failure stored without a reason. */
const CLASS_WORDS: Record<string, string> = {
  reconnect_needed: 'the connection needs a reconnect',
  permission: 'the account is not allowed to post this',
  invalid_request: 'the platform refused the post as it is',
  rate_limited: 'the platform asked us to slow down',
  transient: 'the platform or the network failed for a while',
};
const why = (x: PostFailure['failed'][number]) => x.reason ?? (x.errorClass ? CLASS_WORDS[x.errorClass] ?? x.errorClass : 'failed');

export function describeFailure(f: PostFailure): { text: string; body: string; subject: string } {
  const who = (x: { platform: string; account: string }) => `${x.platform}/${x.account}`;
  const failed = f.failed.map((x) => `${who(x)} (${why(x)})`).join(', ');
  const parts = [`socialync: post ${f.postId} "${short(f.text)}" failed on ${failed}`];
  if (f.published.length) parts.push(`published on ${f.published.map(who).join(', ')}`);
  if (f.unconfirmed.length) parts.push(`unconfirmed on ${f.unconfirmed.map(who).join(', ')}`);
  const text = `${parts.join('; ')}. Fix: ${f.fix.join(' then ')}`;
  const lines = [
    `Post ${f.postId}: "${short(f.text, 200)}"`,
    '',
    ...f.failed.map((x) => `FAILED    ${who(x)}: ${why(x)}`),
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
async function postFailure(deps: Deps, posts: PostStore, postId: number, targets: Target[]): Promise<{ failure: PostFailure; key: string } | undefined> {
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Several failed posts of one run as ONE notice (docs/notifications.md#digest): a line each, then every fix. */
export function describeDigest(fs: PostFailure[]): { text: string; body: string; subject: string } {
  if (fs.length === 1) return describeFailure(fs[0]!);
  const one = fs.map(describeFailure);
  const platforms = [...new Set(fs.flatMap((f) => f.failed.map((x) => x.platform)))];
  const text = `socialync: ${plural(fs.length, 'post')} failed:\n${one.map((m) => `- ${m.text.replace(/^socialync: /, '')}`).join('\n')}`;
  const body = [`${plural(fs.length, 'post')} failed in this run.`, '', ...one.map((m) => m.body), ''].join('\n');
  return { text: redactText(text), body: redactText(body), subject: `socialync: ${plural(fs.length, 'post')} failed on ${platforms.join(', ')}` };
}

/** The posts of a run that settled with failed targets and whose notice this process claimed. */
async function claimFailures(deps: Deps, posts: PostStore, byPost: Map<number, Target[]>): Promise<PostFailure[]> {
  const store = await deps.store();
  const claimed: PostFailure[] = [];
  for (const [postId, targets] of byPost) {
    try {
      const f = await postFailure(deps, posts, postId, targets);
      if (!f || !(await store.markOnce(f.key, deps.clock.now()))) continue;
      // The event names the post first: a later "published after all" notice looks for it (recovery).
      await store.addEvent({ at: deps.clock.now(), connectionId: null, kind: 'notify.post_failed', message: `${postId} ${describeFailure(f.failure).text}` });
      claimed.push(f.failure);
    } catch (e) {
      deps.io.err(`warning: could not prepare the failure notification for post ${postId}: ${redactText(String((e as Error)?.message ?? e))}`);
    }
  }
  return claimed;
}

/** Posts of the run now published everywhere after a failure notice: one `recovered` notice each. */
async function notifyPublishedAfterAll(deps: Deps, posts: PostStore, byPost: Map<number, Target[]>): Promise<void> {
  let reported: Set<string> | undefined;
  const store = await deps.store();
  for (const [postId, targets] of byPost) {
    if (!targets.length || targets.some((t) => t.state !== 'published')) continue;
    // One read of the failure notices per run, and only when a post of the run is published everywhere.
    reported ??= new Set((await store.listEvents({ kind: 'notify.post_failed' })).map((e) => e.message.split(' ')[0]!));
    if (!reported.has(String(postId)) || !(await store.markOnce(`notify.post-recovered:${postId}`, deps.clock.now()))) continue;
    const post = await posts.getPost(postId);
    const names = await targetAccounts(store, targets.map((t) => t.connectionId));
    const published = targets.map((t) => ({ platform: t.platform, account: names.get(t.connectionId) ?? t.connectionId, url: t.url }));
    const where = published.map((x) => `${x.platform}/${x.account}`).join(', ');
    const text = redactText(`socialync: post ${postId} "${short(post?.text ?? '')}" is published after all, on ${where}; nothing to do.`);
    await store.addEvent({ at: deps.clock.now(), connectionId: null, kind: 'notify.recovered', message: text });
    const links = published.map((x) => `PUBLISHED ${x.platform}/${x.account}${x.url ? ` ${x.url}` : ''}`);
    await sendToChannels(deps, { kind: 'recovered', text, subject: `socialync: post ${postId} is published after all`, body: `${text}\n\n${links.join('\n')}\n`, at: deps.clock.now(), recovered: { what: 'post', postId, published } });
  }
}

/**
 * After a publishing run (publish, the scheduler, retry): one notice for every post that settled
 * with failed targets (a digest when there are several), one "published after all" notice per
 * post that failed before, then whatever an earlier run could not deliver. Never throws.
 */
export async function notifyFailedPosts(deps: Deps, posts: PostStore, results: { postId: number; outcome: string }[]): Promise<PostFailure[]> {
  const byPost = new Map<number, Target[]>();
  try {
    for (const r of results) if (r.outcome !== 'skipped' && !byPost.has(r.postId)) byPost.set(r.postId, await posts.targets(r.postId));
  } catch (e) {
    deps.io.err(`warning: could not read the posts to notify about: ${redactText(String((e as Error)?.message ?? e))}`);
    return [];
  }
  const failures = await claimFailures(deps, posts, byPost);
  try {
    if (failures.length) {
      const m = describeDigest(failures);
      await sendToChannels(deps, { kind: 'post_failed', ...m, at: deps.clock.now(), ...(failures.length === 1 ? { post: failures[0]! } : {}), posts: failures });
    }
    await notifyPublishedAfterAll(deps, posts, byPost);
    await redeliverPending(deps);
  } catch (e) {
    deps.io.err(`warning: could not send the post notifications: ${redactText(String((e as Error)?.message ?? e))}`);
  }
  return failures;
}
