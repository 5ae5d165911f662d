/**
 * Sending failed targets again (issue 5): `socialync retry` and the offer after a reconnect.
 *
 * Only `failed` and `unconfirmed` targets are picked; `published` ones never are. A failed target
 * is re-armed to `scheduled` by one conditional UPDATE (only one process wins it), then goes through
 * the same engine step as cron: atomic claim, pre-post token check, live validation, reconcile when
 * a previous attempt may have sent it, publish (publishers resume their saved checkpoint: TikTok
 * publish_id, Instagram container, YouTube upload session, uploaded X/LinkedIn media). An
 * unconfirmed target is reconciled first; it is sent again only when the platform proves it was not
 * posted, or when the user passed --assume-not-posted after checking the account by hand.
 */
import type { ErrorClass } from '../core/errors.js';
import type { PlatformId } from '../providers/types.js';
import type { Target } from '../store/posts.js';
import type { Connection } from '../store/types.js';
import { processTarget, SENT, type Engine, type TargetResult } from './engine.js';
import { resolveTargetConnection } from '../store/former.js';

/** How a target will be sent: from scratch, from a saved upload checkpoint, or reconciled first. */
export type RetryMode = 'new' | 'resume' | 'reconcile';

/** What happened to a target in a real run (null in a dry run). */
export type RetryOutcome = 'published' | 'failed' | 'retry_scheduled' | 'unconfirmed' | 'blocked' | 'skipped';

/** One target of `socialync retry --json` (public schema: add fields, never rename). */
export interface RetryEntry {
  postId: number;
  targetId: number;
  platform: PlatformId;
  /** Local connection name (`socialync status`). */
  account: string;
  /** State before the retry. */
  state: 'failed' | 'unconfirmed';
  errorClass: ErrorClass | null;
  lastError: string | null;
  /** ISO 8601 UTC of the last attempt, or null. */
  lastAttemptAt: string | null;
  mode: RetryMode;
  /** The exact command to run first when the connection needs a reconnect; such a target is not retried. */
  fix: string | null;
  outcome: RetryOutcome | null;
  remoteId: string | null;
  url: string | null;
  /** One line: why it failed again, or a note. */
  message: string | null;
  /** ISO 8601 UTC of the next automatic attempt (outcome retry_scheduled / unconfirmed). */
  nextAttemptAt: string | null;
}

export interface RetrySelection {
  postId?: number;
  platforms?: PlatformId[];
  connectionId?: string;
  /** Only targets that failed with this class (the reconnect flow: reconnect_needed). */
  errorClass?: ErrorClass;
  /** Include unconfirmed targets (default true). */
  unconfirmed?: boolean;
}

const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());

/** A saved checkpoint other than the "request sent" marker means the publisher can pick up from it. */
function modeFor(t: Pick<Target, 'state' | 'checkpoint'>): RetryMode {
  if (t.state === 'unconfirmed') return 'reconcile';
  return Object.keys(t.checkpoint).some((k) => k !== SENT) ? 'resume' : 'new';
}

function connectCommand(platform: PlatformId, conn: Pick<Connection, 'name'> | undefined): string {
  return conn ? `socialync connect ${platform} --name ${conn.name}` : `socialync connect ${platform}`;
}

/** The targets a retry would touch, with their last error and mode; reads only. */
export async function planRetry(en: Pick<Engine, 'store' | 'posts'>, sel: RetrySelection): Promise<RetryEntry[]> {
  const states: Target['state'][] = sel.unconfirmed === false ? ['failed'] : ['failed', 'unconfirmed'];
  let targets = await en.posts.findTargets({
    states,
    ...(sel.postId !== undefined ? { postId: sel.postId } : {}),
    ...(sel.platforms?.length ? { platforms: sel.platforms } : {}),
    ...(sel.connectionId ? { connectionId: sel.connectionId } : {}),
  });
  if (sel.errorClass) targets = targets.filter((t) => t.errorClass === sel.errorClass);
  const all = await en.store.listConnections();
  const out: RetryEntry[] = [];
  for (const t of targets) {
    // A disconnected connection's target is published by a later connection of the same account.
    const { current: conn, former } = await resolveTargetConnection(en.store, t.connectionId, all);
    const named = conn ?? former;
    const last = (await en.posts.attempts(t.id)).at(-1);
    const blocked = !conn || conn.health === 'needs_reconnect';
    out.push({
      postId: t.postId,
      targetId: t.id,
      platform: t.platform,
      account: named?.name ?? t.connectionId,
      state: t.state as RetryEntry['state'],
      errorClass: (t.errorClass as ErrorClass | null) ?? null,
      lastError: t.reason,
      lastAttemptAt: iso(last?.at),
      mode: modeFor(t),
      fix: blocked ? connectCommand(t.platform, named) : null,
      outcome: null,
      remoteId: null,
      url: null,
      message: null,
      nextAttemptAt: null,
    });
  }
  return out;
}

function withResult(e: RetryEntry, r: TargetResult): RetryEntry {
  const reconnect = r.outcome === 'failed' && r.errorClass === 'reconnect_needed';
  return {
    ...e,
    outcome: r.outcome === 'skipped' ? 'skipped' : r.outcome,
    remoteId: r.remoteId ?? null,
    url: r.url ?? null,
    message: r.outcome === 'skipped' ? (r.message ?? 'taken by another publisher (cron, daemon or a second retry)') : (r.message ?? r.note ?? null),
    nextAttemptAt: iso(r.nextAttemptAt),
    fix: reconnect ? connectCommand(e.platform, { name: e.account }) : e.fix,
  };
}

/** Re-arms one target from `from` states to `scheduled` (conditional, so one process wins) and records why. */
async function rearm(en: Engine, t: Target, from: Target['state'][], why: string, patch: { checkpoint?: Record<string, string> } = {}): Promise<boolean> {
  const now = en.deps.clock.now();
  const ok = await en.posts.rearm(t.id, from, { state: 'scheduled', nextAttemptAt: null, attempts: 0, ...patch }, now);
  if (ok) await en.posts.addAttempt({ targetId: t.id, at: now, outcome: 'retry_requested', errorClass: null, message: why });
  return ok;
}

const skipped = (e: RetryEntry): RetryEntry => ({ ...e, outcome: 'skipped', message: 'already retried or being published by another process' });

/** Runs the plan: one engine step per target, never two processes on one target. */
export async function executeRetry(en: Engine, plan: RetryEntry[], o: { assumeNotPosted?: boolean; why?: string } = {}): Promise<RetryEntry[]> {
  const out: RetryEntry[] = [];
  for (const e of plan) {
    if (e.fix) {
      out.push({ ...e, outcome: 'blocked', message: `the ${e.platform} connection needs a reconnect first. Run: ${e.fix}` });
      continue;
    }
    const t = await en.posts.getTarget(e.targetId);
    if (!t || (t.state !== 'failed' && t.state !== 'unconfirmed')) {
      out.push(skipped(e));
      continue;
    }
    if (t.state === 'failed' && !(await rearm(en, t, ['failed'], o.why ?? 'retry requested (socialync retry)'))) {
      out.push(skipped(e));
      continue;
    }
    // Claims it (scheduled or unconfirmed -> publishing); an unconfirmed one is reconciled first.
    let r = await processTarget(en, (await en.posts.getTarget(t.id))!);
    if (r.outcome === 'unconfirmed' && o.assumeNotPosted) {
      // Still unknown after reconcile, and the user checked the account: send it again from scratch
      // (ids saved by the lost attempt, e.g. an Instagram container that may have been used, are dropped).
      const u = (await en.posts.getTarget(t.id))!;
      if (await rearm(en, u, ['unconfirmed'], 'retry requested with --assume-not-posted', { checkpoint: {} })) r = await processTarget(en, (await en.posts.getTarget(t.id))!);
    }
    out.push(withResult(e, r));
  }
  return out;
}
