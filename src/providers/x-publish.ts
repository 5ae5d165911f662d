/**
 * X (API v2) publishing: media through the chunked upload (./x-media.ts), then POST /2/tweets.
 * Rules and their sources: docs/platforms/x.md. Errors are RFC 7807 problem details
 * ({title, detail, type, status}); 429 carries x-rate-limit-reset (docs/platforms/x.md#errors).
 * X has no idempotency key: the post id is recorded the moment /2/tweets answers, and a post
 * whose answer was lost is reconciled by reading the user's recent posts in the form X stores
 * them (docs/platforms/x.md#reconcile).
 */
import { hostUrl } from '../core/url.js';
import { ProviderError } from '../core/errors.js';
import { readJson } from '../core/http.js';
import type { PostDraft, ProviderDeps, PublishContext, Publisher, PublishSettings, ReconcileResult, TokenSet, ValidationIssue } from './types.js';
import { classify } from './x.js';
import { mediaIssues, uploadMedia } from './x-upload.js';
import { matchesStored, textIssues, truncatedWithoutNote, type XStoredPost } from './x-text.js';
import { httpError, notSentYet, RenewableToken, withRenewal } from './upload.js';

export function validate(p: PostDraft, settings?: PublishSettings): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (!p.text.trim() && !p.media.length) out.push({ field: 'text', message: 'X needs text or media' });
  out.push(...textIssues(p.text, settings), ...mediaIssues(p.media));
  return out;
}

/** Checked again before anything is uploaded: the limit may have changed since `schedule add`. */
function refuseInvalid(p: PostDraft, d: ProviderDeps): void {
  const issues = validate(p, d.settings);
  if (issues.length) throw new ProviderError(`x: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { errorClass: 'invalid_request' });
}

const auth = (t: TokenSet) => ({ authorization: `Bearer ${t.accessToken}` });
const postUrl = (id: string) => `https://x.com/i/web/status/${id}`;

async function createPost(p: PostDraft, mediaIds: string[], t: TokenSet, d: ProviderDeps): Promise<string> {
  const res = await d.http.fetch(hostUrl(d.hosts.api!, '/2/tweets'), {
    method: 'POST',
    headers: { ...auth(t), 'content-type': 'application/json' },
    body: JSON.stringify({ ...(p.text ? { text: p.text } : {}), ...(mediaIds.length ? { media: { media_ids: mediaIds } } : {}) }),
  });
  if (res.status !== 201 && res.status !== 200) throw await httpError('create post', res, d.clock.now(), classify);
  const id = ((await readJson(res)) as { data?: { id?: string } })?.data?.id;
  if (!id) throw new ProviderError('x: create post returned no id', { errorClass: 'transient' });
  return id;
}

/**
 * The user's posts since just before we sent, with the fields that carry the stored form
 * (docs/platforms/x.md#reconcile). The reference pages and the data dictionary call the
 * parameter tweet.fields; the newest OpenAPI description calls it post.fields: if X refuses
 * the one, ask with the other.
 */
async function recentPosts(t: TokenSet, d: ProviderDeps, ctx: PublishContext): Promise<XStoredPost[] | undefined> {
  const since = Number(ctx.checkpoint['sent']) - 60_000;
  const ask = (param: 'tweet.fields' | 'post.fields') => {
    const u = hostUrl(d.hosts.api!, `/2/users/${encodeURIComponent(ctx.account.id)}/tweets`);
    u.searchParams.set('max_results', '100');
    u.searchParams.set('start_time', new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    u.searchParams.set(param, param === 'tweet.fields' ? 'created_at,entities,note_tweet' : 'created_at,entities,note_post');
    return d.http.fetch(u, { headers: auth(t) });
  };
  let res = await ask('tweet.fields');
  if (res.status === 400 && /tweet\.fields/.test(await res.clone().text())) res = await ask('post.fields');
  if (!res.ok) return undefined;
  return ((await readJson(res)) as { data?: XStoredPost[] })?.data ?? [];
}

export const publisher: Publisher = {
  validate,
  async publish(p, t, d, ctx) {
    refuseInvalid(p, d);
    // A long upload may outlive the access token (two hours): renewed through ctx.tokens.
    const token = new RenewableToken(t, ctx.tokens);
    const mediaIds: string[] = [];
    for (const [i, m] of p.media.entries()) mediaIds.push(await uploadMedia(m, i, token, d, ctx));
    await ctx.saveCheckpoint({ ...ctx.checkpoint, sent: String(d.clock.now()) });
    // A 401 means X refused the request without creating anything: safe to send again once renewed.
    const id = await withRenewal(token, (cur) => createPost(p, mediaIds, cur, d));
    return { remoteId: id, url: postUrl(id) };
  },
  async reconcile(p, t, d, ctx): Promise<ReconcileResult> {
    const early = notSentYet(ctx);
    if (early) return early;
    const rows = await recentPosts(t, d, ctx);
    if (!rows) return { status: 'unknown' };
    const hit = rows.find((r) => matchesStored(p.text, r, p.media.length > 0));
    if (hit) return { status: 'published', result: { remoteId: hit.id, url: postUrl(hit.id) } };
    // A long post whose full text did not come back cannot be ruled out: never guess "not posted".
    return rows.some(truncatedWithoutNote) ? { status: 'unknown' } : { status: 'not_posted' };
  },
};
