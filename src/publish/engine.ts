/**
 * One publishing step per due target: claim -> pre-post token check ->
 * live validation -> reconcile (when a previous run may have sent it) ->
 * publish -> record. Never re-sends blindly: a target whose outcome is unknown
 * becomes `unconfirmed` and is reconciled before anything else happens to it.
 */
import type { Deps } from '../deps.js';
import type { ErrorClass } from '../core/errors.js';
import { classify, failureText } from './failure-class.js';
import { WaitUntilError, type PlatformId, type Publisher, type PublishContext, type PublishResult, type TokenSet, type TokenSource } from '../providers/types.js';
import type { PostStore, Target, TargetPatch, TargetState } from '../store/posts.js';
import { ownerState } from '../auth/owner.js';
import type { Connection, FormerConnection, Store } from '../store/types.js';
import { draftFor } from './draft.js';
import { firstMediaChange } from './media.js';
import { rateLimitScope, retryDelayMs } from './backoff.js';
import { Pauses, poolLimits, runPool, type Pause, type PoolLimits } from './pool.js';
import { resolveTargetConnection } from '../store/former.js';
import { StoreWatch } from './store-down.js';
import { tickReads } from './tick-reads.js';
import { abortableDeps, ClaimLostError, Hold, slotLost } from './hold.js';
import { acquireAccountSlot, DEFAULT_ACCOUNT_LEASE_MS, giveBack } from './account-lease.js';

export interface EngineOptions {
  owner: string;
  claimTtlMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  accountLeaseMs?: number; // an account's upload slot (./account-lease.ts): TTL, renewed every third of it
}

export interface Engine {
  deps: Deps;
  store: Store;
  posts: PostStore;
  opts: EngineOptions;
  loadPublisher(p: PlatformId): Promise<Publisher>;
  /** ensureFreshToken (src/auth/refresh.ts); `force` is the one extra refresh after a rejected token. */
  freshToken(connectionId: string, o?: { force?: boolean }): Promise<TokenSet>;
  /** The pool's limits and the rate-limit pauses seen so far (made on the first tick). */
  pool?: { limits: PoolLimits; pauses: Pauses };
}

export type Outcome = 'published' | 'failed' | 'retry_scheduled' | 'unconfirmed' | 'skipped';

export interface TargetResult {
  postId: number;
  targetId: number;
  platform: PlatformId;
  account: string;
  outcome: Outcome;
  remoteId?: string;
  url?: string;
  note?: string;
  errorClass?: ErrorClass;
  message?: string;
  nextAttemptAt?: number;
  /** A rate limit: the account (or platform) waits until then (./pool.ts); not part of any JSON. */
  pause?: Pause;
}

/** A checkpoint key publishers set right before the request that creates the post. */
export const SENT = 'sent';

export function engineOptions(deps: Deps): EngineOptions {
  const c = (k: string, def: number) => {
    const v = Number(deps.config.get<number>(`publish.${k}`) ?? def);
    return Number.isFinite(v) && v >= 0 ? v : def;
  };
  const claimTtlMs = Math.max(200, c('claimTtlMs', 10 * 60_000));
  return {
    owner: deps.processId,
    claimTtlMs,
    maxAttempts: c('maxAttempts', 5),
    backoffBaseMs: c('backoffBaseMs', 60_000),
    backoffMaxMs: c('backoffMaxMs', 3_600_000),
    // Never longer than the claim: a dead machine's account slot must not outlive its claims, or the
    // target taken over when the claim ends would wait for the slot (a 60 s slot behind a 5 s claim).
    accountLeaseMs: Math.min(claimTtlMs, Math.max(300, c('accountLeaseMs', DEFAULT_ACCOUNT_LEASE_MS))),
  };
}

export { classify } from './failure-class.js';

/** Processes every due target once (one tick of `socialync publish`), then notifies posts that failed. */
export async function runTick(en: Engine, o: { signal?: AbortSignal; limit?: number; concurrency?: number } = {}): Promise<TargetResult[]> {
  const watch = new StoreWatch();
  const out = await tickTargets(en, o, watch);
  watch.throwIfDown(out);
  if (out.length) await (await import('../notify/post-failure.js')).notifyFailedPosts(en.deps, en.posts, out);
  return out;
}

/** Every due target once, through the pool (./pool.ts): concurrent within the limits, claims as before. */
async function tickTargets(en: Engine, o: { signal?: AbortSignal; limit?: number; concurrency?: number }, watch: StoreWatch): Promise<TargetResult[]> {
  en.pool ??= { limits: poolLimits(en.deps.config), pauses: new Pauses() };
  const limits = o.concurrency ? { ...en.pool.limits, concurrency: o.concurrency } : en.pool.limits;
  const reads = tickReads(en.posts, en.deps.clock, { concurrency: limits.concurrency, claimTtlMs: en.opts.claimTtlMs, watch });
  const results = await runPool({
    limits,
    pauses: en.pool.pauses,
    now: () => en.deps.clock.now(),
    sleep: (ms) => en.deps.clock.sleep(ms, o.signal).catch(() => undefined),
    stopped: () => Boolean(o.signal?.aborted) || watch.down,
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    fetch: reads.fetch,
    takeovers: reads.takeovers,
    // A result the store could not record: the target keeps its claim; the next run takes it over.
    run: (t) => reads.track(t.id, () => watch.guard(() => processTarget(en, t, o.signal), (): TargetResult => ({ postId: t.postId, targetId: t.id, platform: t.platform, account: t.connectionId, outcome: 'skipped' }))),
  });
  return results.filter((r) => r.outcome !== 'skipped');
}

/** Claim, validated token, send or reconcile, record (STYLE.md habit 13). */
export async function processTarget(en: Engine, t0: Target, signal?: AbortSignal): Promise<TargetResult> {
  const c = await claim(en, t0);
  const skipped = { postId: t0.postId, targetId: t0.id, platform: t0.platform, account: t0.connectionId, outcome: 'skipped' } as const;
  if (!c) return skipped;
  const slot = c.conn ? await accountSlot(c, c.conn, signal) : undefined;
  if (slot) c.hold.watch(Math.max(50, (en.opts.accountLeaseMs ?? DEFAULT_ACCOUNT_LEASE_MS) / 3), () => (slot.lost ? slotLost(`${c.t.platform}:${c.res.account}`) : undefined));
  if (c.conn && !slot) {
    c.release();
    await giveBack(en.posts, c.t, c.prev, en.opts.owner, en.deps.clock.now());
    if (!signal?.aborted) en.deps.io.info(`${c.t.platform}:${c.conn.name}: another process kept this account busy for ${Math.round(en.opts.claimTtlMs / 1000)} s (publish.claimTtlMs); post ${c.t.postId} is left for the next run`);
    return skipped;
  }
  try {
    const ready = await readyToSend(c);
    if (!('draft' in ready)) return ready;
    const token = await validatedToken(c, ready);
    if (!token) return await fail(c, 'reconnect_needed', reconnectText(ready.conn));
    return await sendOrReconcile(c, ready, token);
  } catch (e) {
    return await recordFailure(c, e);
  } finally {
    c.release();
    await slot?.release().catch(() => undefined);
  }
}

/** One of the account's upload slots over every process (./account-lease.ts); undefined: stopped, or busy for a whole claim lease. */
function accountSlot(c: Claimed, conn: Connection, signal?: AbortSignal) {
  const { deps, opts, pool } = c.en;
  const slots = pool?.limits.perAccount[conn.platform] ?? 1;
  return acquireAccountSlot({ store: c.en.store, clock: deps.clock, random: deps.random, connectionId: conn.id, slots, owner: `${opts.owner}/t${c.t.id}`, ttlMs: opts.accountLeaseMs ?? DEFAULT_ACCOUNT_LEASE_MS, signal, maxWaitMs: opts.claimTtlMs });
}

/** A target this process holds: its connection, its checkpoint (kept current) and what results report. */
interface Claimed {
  en: Engine;
  t: Target;
  /** The state before the claim: anything but `scheduled` may have been sent already. */
  prev: TargetState;
  conn?: Connection;
  former?: FormerConnection;
  /** The name of the connection that already publishes this post to the same account. */
  duplicateOf?: string;
  res: Omit<TargetResult, 'outcome'>;
  checkpoint: Record<string, string>;
  /** The claim and the account slot while held; its signal stops the upload's platform calls when either is lost (./hold.ts). */
  hold: Hold;
  release(): void;
}

/** What sending needs, read once the target is claimed. */
interface Ready {
  conn: Connection;
  post: NonNullable<Awaited<ReturnType<PostStore['getPost']>>>;
  draft: ReturnType<typeof draftFor>;
  publisher: Publisher;
  provider: Awaited<ReturnType<Deps['provider']>>;
  pd: Awaited<ReturnType<Deps['providerDeps']>>;
}

const reconnectText = (conn: Connection) => `token expired — run socialync connect ${conn.platform} --name ${conn.name}`;

/** Claims the target (heartbeat while held) and finds the connection that publishes it. */
async function claim(en: Engine, t0: Target): Promise<Claimed | undefined> {
  const { deps, posts, opts } = en;
  const now = () => deps.clock.now();
  const prev = await claimTarget(posts, t0, opts, now());
  if (!prev) return undefined;
  const hold = new Hold();
  // A heartbeat the store refuses (another process holds the claim now) ends the hold; one that errs (store unreachable) does not.
  hold.watch(Math.max(100, opts.claimTtlMs / 3), async () => ((await posts.heartbeat(t0.id, opts.owner, opts.claimTtlMs, now()).catch(() => true)) ? undefined : new ClaimLostError(`lost the claim on target ${t0.id}`)));
  const t = (await posts.getTarget(t0.id))!;
  const { current, former } = await resolveTargetConnection(en.store, t.connectionId);
  let conn = former ? undefined : current;
  let duplicateOf: string | undefined;
  if (former && current) {
    // Its connection was disconnected: a later connection of the same account (or Page) publishes
    // it, unless the post already has a target there (then this one is never sent a second time).
    const moved = await posts.updateTarget(t.id, opts.owner, { connectionId: current.id }, now()).catch(() => false);
    if (moved) conn = current;
    else duplicateOf = current.name;
  }
  const account = conn?.name ?? former?.name ?? t.connectionId;
  const res = { postId: t0.postId, targetId: t0.id, platform: t0.platform, account };
  return { en, t, prev, conn, former, duplicateOf, res, checkpoint: { ...t.checkpoint }, hold, release: () => hold.release() };
}

/** Records an outcome and its attempt; `fenced`: only while this process still holds the claim. */
async function finish(c: Claimed, outcome: Outcome, patch: TargetPatch, extra: Partial<TargetResult> = {}, fenced = true): Promise<TargetResult> {
  const { posts, opts, deps } = c.en;
  const ok = await posts.updateTarget(c.t.id, fenced ? opts.owner : null, { claimedBy: null, claimExpiresAt: null, ...patch }, deps.clock.now());
  const r: TargetResult = { ...c.res, ...extra, outcome: ok || !fenced ? outcome : 'skipped' };
  await posts.addAttempt({ targetId: c.t.id, at: deps.clock.now(), outcome: r.outcome, errorClass: extra.errorClass ?? null, message: extra.message ?? extra.url ?? extra.remoteId ?? null });
  return r;
}

function published(c: Claimed, p: PublishResult): Promise<TargetResult> {
  return finish(
    c,
    'published',
    { state: 'published', remoteId: p.remoteId, url: p.url ?? null, note: p.note ?? null, publishedAt: c.en.deps.clock.now(), errorClass: null, reason: null, nextAttemptAt: null, checkpoint: c.checkpoint },
    { remoteId: p.remoteId, ...(p.url ? { url: p.url } : {}), ...(p.note ? { note: p.note } : {}) },
    false, // the platform confirmed it: record it even if our claim lapsed meanwhile
  );
}

function fail(c: Claimed, cls: ErrorClass, message: string): Promise<TargetResult> {
  return finish(c, 'failed', { state: 'failed', errorClass: cls, reason: message, nextAttemptAt: null, checkpoint: c.checkpoint }, { errorClass: cls, message });
}

/**
 * The post, its draft and the platform's code; or the failure that stops it before any platform
 * call: no post, a duplicate, a disconnected account, a file changed or gone since scheduling (a
 * local error: the fix is on this machine). A target that may have been sent is reconciled first.
 */
async function readyToSend(c: Claimed): Promise<Ready | TargetResult> {
  const { en, t, conn, former } = c;
  const post = await en.posts.getPost(t.postId);
  if (!post) return await fail(c, 'invalid_request', 'the post no longer exists');
  if (c.duplicateOf) return await fail(c, 'invalid_request', `the post already goes to ${t.platform}/${c.duplicateOf} (the same account, connected again) through another target`);
  if (!conn) return await fail(c, 'reconnect_needed', `the ${t.platform} account was disconnected — run socialync connect ${t.platform}${former ? ` --name ${former.name}` : ''}`);
  const publisher = await en.loadPublisher(t.platform);
  const provider = await en.deps.provider(t.platform);
  const pd = abortableDeps(await en.deps.providerDeps(t.platform, conn), c.hold.signal);
  const draft = draftFor(post, t.platform);
  const changed = mayBeSent(c) ? undefined : await firstMediaChange(draft.media, post.id);
  if (changed) return await fail(c, 'local_file', changed);
  return { conn, post, draft, publisher, provider, pd };
}

const mayBeSent = (c: Claimed) => c.prev !== 'scheduled' || Boolean(c.checkpoint[SENT]);

/** Pre-post check, with one more refresh if the platform rejects the token; undefined: reconnect needed. */
async function validatedToken(c: Claimed, r: Ready): Promise<TokenSet | undefined> {
  try {
    let token = await c.en.freshToken(r.conn.id);
    try {
      await r.provider.whoami(token, r.pd);
    } catch (e) {
      if (classify(e) !== 'reconnect_needed') throw e;
      token = await c.en.freshToken(r.conn.id, { force: true });
      await r.provider.whoami(token, r.pd);
    }
    return token;
  } catch (e) {
    if (classify(e) === 'reconnect_needed') return undefined;
    throw e;
  }
}

/** A previous run may have sent it (crash, timeout, unconfirmed): find out before anything else; then publish. */
async function sendOrReconcile(c: Claimed, r: Ready, token: TokenSet): Promise<TargetResult> {
  const ctx = await publishContext(c, r);
  if (mayBeSent(c)) {
    const settled = await reconcileFirst(c, r, token, ctx);
    if (settled) return settled;
  }
  return await published(c, await r.publisher.publish(r.draft, token, r.pd, ctx));
}

/** What the publisher gets: the checkpoint (saved only while the claim holds), the account, newer tokens, progress. */
async function publishContext(c: Claimed, r: Ready): Promise<PublishContext> {
  const { deps, posts, opts } = c.en;
  const ctx: PublishContext = {
    checkpoint: c.checkpoint,
    saveCheckpoint: async (cp) => {
      if (c.hold.lost) throw c.hold.lost;
      c.checkpoint = { ...cp };
      ctx.checkpoint = c.checkpoint;
      const ok = await posts.updateTarget(c.t.id, opts.owner, { checkpoint: c.checkpoint, claimExpiresAt: deps.clock.now() + opts.claimTtlMs }, deps.clock.now());
      if (!ok) throw new ClaimLostError(`lost the claim on target ${c.t.id}`);
    },
    account: { id: r.conn.accountId, meta: r.conn.meta },
    tokens: tokenSource(c.en, r.conn.id),
  };
  if (deps.io.progress) ctx.onProgress = (await import('./progress.js')).uploadProgress(deps, `${c.t.platform}:${r.conn.name}`);
  return ctx;
}

/**
 * Asks the platform whether the earlier attempt posted it: published (recorded), unknown (left
 * unconfirmed for a person), or not posted (undefined: the caller sends it, from a checkpoint
 * without the "sent" marker, once the file is checked again).
 */
async function reconcileFirst(c: Claimed, r: Ready, token: TokenSet, ctx: PublishContext): Promise<TargetResult | undefined> {
  const rec = await r.publisher.reconcile(r.draft, token, r.pd, ctx);
  if (rec.status === 'published') return await published(c, rec.result);
  if (rec.status === 'unknown') {
    return await finish(
      c,
      'unconfirmed',
      { state: 'unconfirmed', errorClass: 'transient', reason: rec.reason ?? 'the platform may have received this post; it cannot be checked automatically', nextAttemptAt: null, checkpoint: c.checkpoint },
      { message: `outcome unknown${rec.reason ? ` (${rec.reason})` : ''}: check the account, then run socialync retry with --assume-not-posted if it is missing` },
    );
  }
  const { [SENT]: _sent, ...rest } = c.checkpoint;
  void _sent;
  await ctx.saveCheckpoint(rest);
  const changedSince = await firstMediaChange(r.draft.media, r.post.id);
  return changedSince ? await fail(c, 'local_file', changedSince) : undefined;
}

/** An error while the target was held: unconfirmed if it may have been sent, else a retry, a wait or a failure. */
async function recordFailure(c: Claimed, e0: unknown): Promise<TargetResult> {
  const { en, t, conn } = c;
  const e = c.hold.lost ?? e0; // the upload was stopped because the hold was lost: that is the reason, not the abort
  if (e instanceof ClaimLostError) return { ...c.res, outcome: 'skipped', message: e.message };
  const cls = classify(e);
  const message = failureText(en, e, cls);
  const retryable = cls === 'transient' || cls === 'rate_limited';
  if (c.checkpoint[SENT] && (cls === 'transient' || cls === 'bug')) {
    // The create request went out and we got no clear answer: never re-send without reconciling
    // (after a bug, only when asked: socialync retry).
    const next = cls === 'bug' ? null : en.deps.clock.now() + backoff(en, t.attempts, e);
    return await finish(c, 'unconfirmed', { state: 'unconfirmed', errorClass: cls, reason: message, nextAttemptAt: next, checkpoint: c.checkpoint }, { errorClass: cls, message });
  }
  if (c.checkpoint[SENT]) {
    // The platform answered with a definite refusal: it was not posted.
    const { [SENT]: _s, ...rest } = c.checkpoint;
    void _s;
    c.checkpoint = rest;
  }
  if (e instanceof WaitUntilError) return await waitForWindow(c, e, message);
  if (retryable && t.attempts < en.opts.maxAttempts) {
    const at = en.deps.clock.now() + backoff(en, t.attempts, e);
    const pause = cls === 'rate_limited' ? { pause: { scope: rateLimitScope(e), until: at } } : {};
    return await finish(c, 'retry_scheduled', { state: 'scheduled', errorClass: cls, reason: message, nextAttemptAt: at, checkpoint: c.checkpoint }, { errorClass: cls, message, nextAttemptAt: at, ...pause });
  }
  const why = retryable ? `gave up after ${t.attempts} attempts: ${message}` : message;
  return await fail(c, cls, cls === 'reconnect_needed' && conn ? reconnectText(conn) : why);
}

/** A window that reopens at a known time: rescheduled to it, and the wait does not use up an attempt. */
async function waitForWindow(c: Claimed, e: WaitUntilError, message: string): Promise<TargetResult> {
  const at = e.until;
  const pause = e.errorClass === 'rate_limited' ? { pause: { scope: rateLimitScope(e), until: at } } : {};
  const r = await finish(c, 'retry_scheduled', { state: 'scheduled', errorClass: e.errorClass, reason: message, nextAttemptAt: at, checkpoint: c.checkpoint }, { errorClass: e.errorClass, message, nextAttemptAt: at, ...pause });
  if (r.outcome === 'retry_scheduled') await c.en.posts.rearm(c.t.id, ['scheduled'], { attempts: Math.max(0, c.t.attempts - 1) }, c.en.deps.clock.now());
  return r;
}

/**
 * A long upload's source of newer access tokens (TokenSource in ../providers/types.ts): the stored
 * token when another process refreshed since `rejected` was handed out, else one forced refresh,
 * both through ensureFreshToken (the lock of `socialync refresh`).
 */
export function tokenSource(en: Pick<Engine, 'freshToken'>, connectionId: string): TokenSource {
  return {
    async renew(rejected) {
      const stored = await en.freshToken(connectionId);
      return stored.accessToken !== rejected.accessToken ? stored : en.freshToken(connectionId, { force: true });
    },
  };
}

/**
 * Claims a due target. One left `publishing` by a process of this machine that no longer
 * exists (kill -9, a crash) is taken over at once instead of after its claim's TTL; the
 * caller then reconciles it, since that process may have sent it (src/auth/owner.ts).
 */
async function claimTarget(posts: PostStore, t: Target, opts: EngineOptions, now: number): Promise<TargetState | undefined> {
  const prev = await posts.claim(t.id, opts.owner, opts.claimTtlMs, now);
  if (prev || t.state !== 'publishing' || ownerState(t.claimedBy) !== 'dead') return prev;
  return posts.claim(t.id, opts.owner, opts.claimTtlMs, now, { takeOverFrom: t.claimedBy! });
}

/** Bounded exponential backoff that honours Retry-After / x-rate-limit-reset and daily caps (./backoff.ts). */
export function backoff(en: Engine, attempts: number, e: unknown): number {
  return retryDelayMs(en.opts, attempts, e, en.deps.clock.now());
}

export type { Connection };
