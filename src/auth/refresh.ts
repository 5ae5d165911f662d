/**
 * Refreshing one connection without ever burning a rotating refresh token
 * (docs/platforms/README.md#thresholds, #merge).
 *
 * - Serialized across processes by a lease lock in the state store (cron + publish + an
 *   interactive command may all try at once). X and TikTok refresh tokens are single-use:
 *   spending one twice kills the connection (X reportedly the whole token family).
 * - After taking the lock the connection and tokens are read again: another process may
 *   have refreshed meanwhile (tokenGeneration changed), then we use its result.
 * - Every refresh that sends a refresh token is journaled first (src/auth/journal.ts); a
 *   refresh found cut short is reported as `refresh_interrupted`, and for a single-use token
 *   the stored token is tried once (it still works when the platform never answered).
 * - The new tokens go to durable storage before anything else happens, and once the platform
 *   has answered nothing sends the old token again: a vault that cannot be written gets
 *   retries, then a copy set aside elsewhere (src/auth/refresh-keep.ts). An empty refresh
 *   token never replaces a held one (mergeTokens; RFC 6749 §6, Google).
 * - A rejected rotating refresh is retried once with the newer token when the stored
 *   tokens changed under us; only then is the connection marked needs_reconnect.
 * - Transient failures (network, 5xx, 429) are retried with backoff honouring
 *   Retry-After / x-rate-limit-reset (the provider puts it in ProviderError.retryAfterMs);
 *   the connection stays healthy.
 */
import type { Deps } from '../deps.js';
import { CliError, ProviderError, reconnectReasonText, type ErrorClass, type ReconnectReason } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { MINUTE } from '../core/clock.js';
import { thresholdMinutes } from '../providers/registry.js';
import type { Provider, ProviderDeps, TokenSet } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import { loadTokens, mergeTokens } from './tokens.js';
import { clearJournal, readJournal } from './journal.js';
import { classOf, connectHint, event, failed, markReconnect, transientOutcome, type ResultFn } from './refresh-outcome.js';
import { interruptedError, journalDoubt, journalSend, journalSpent, platformAnswered, refuseSpent, storeRefreshed } from './refresh-keep.js';
import { refreshDue, type DueDecision } from './due.js';
import { acquireLease } from './lease.js';
import { describeHolder } from './owner.js';
import { backoffDelay } from '../core/backoff.js';

export type RefreshStatus =
  | 'refreshed'
  | 'already_refreshed'
  | 'not_due'
  | 'reconnect_soon'
  | 'would_refresh'
  | 'reconnect_needed'
  | 'transient'
  | 'failed'
  /** Not started: the run was interrupted (Ctrl-C) before this connection's turn. */
  | 'cancelled';

export interface RefreshOutcome {
  connectionId: string;
  platform: Connection['platform'];
  name: string;
  status: RefreshStatus;
  /** One line for humans, already redacted. */
  detail: string;
  reason?: ReconnectReason;
  errorClass?: ErrorClass;
  /** Provider calls made (retries included). */
  attempts: number;
  accessExpiresAt: number | null;
  hint?: string;
  /** Where the new tokens were set aside when the vault could not take them (they are usable). */
  storedAside?: string;
}

export { connectHint };

export interface RefreshOptions {
  /** The connection as just read by the caller (saves a read; re-read under the lock anyway). */
  connection?: Connection;
  force?: boolean;
  dryRun?: boolean;
  /** Attempts for transient failures (default 3). */
  maxAttempts?: number;
  /** First backoff step (default 1 s; doubled each time, with jitter). */
  backoffMs?: number;
  /** Longest Retry-After we wait for inside one run (default 30 s); longer ones end the run as transient. */
  maxRetryWaitMs?: number;
}

function lockTtlMs(deps: Deps): number {
  const v = Number(deps.env.SOCIALYNC_REFRESH_LOCK_TTL_MS || deps.config.get<number>('refreshLockTtlMs') || 60_000);
  return Number.isFinite(v) && v >= 200 ? v : 60_000;
}

export async function refreshConnection(deps: Deps, connectionId: string, opts: RefreshOptions = {}): Promise<RefreshOutcome> {
  const store = await deps.store();
  const conn0 = opts.connection?.id === connectionId ? opts.connection : await store.getConnection(connectionId);
  if (!conn0) throw new CliError(`connection ${connectionId} not found`, { hint: 'run: socialync status' });
  const base = { connectionId, platform: conn0.platform, name: conn0.name, attempts: 0 };
  const result = (c: Connection, status: RefreshStatus, detail: string, extra: Partial<RefreshOutcome> = {}): RefreshOutcome => ({
    ...base,
    status,
    detail: status === 'refreshed' || status === 'not_due' ? detail : redactText(detail),
    accessExpiresAt: c.accessExpiresAt,
    ...extra,
  });
  if (conn0.health === 'needs_reconnect' && !opts.force) {
    return result(conn0, 'reconnect_needed', reconnectReasonText[conn0.reason ?? 'unknown'], { reason: conn0.reason ?? 'unknown', hint: connectHint(conn0) });
  }
  const provider = await deps.provider(conn0.platform);
  const thresholdMs = thresholdMinutes(provider.descriptor, deps.config) * MINUTE;
  const decide = async (c: Connection, tokens?: TokenSet) => {
    const input = { conn: c, descriptor: provider.descriptor, thresholdMs, now: deps.clock.now(), ...(opts.force ? { force: true } : {}), ...(tokens ? { hasRefreshToken: Boolean(tokens.refreshToken) } : {}) };
    const first = refreshDue(input);
    // A refresh that died half-way (kill -9, power loss) may have spent a rotating token:
    // do not trust the "refreshed recently" shortcut, find out now rather than in an hour.
    if (!first.due && first.kind === 'recent' && (await interrupted(deps, c))) return refreshDue({ ...input, ignoreRecent: true });
    return first;
  };
  const notDue = (c: Connection, d: Exclude<DueDecision, { due: true }>) => result(c, d.kind === 'reconnect_soon' ? 'reconnect_soon' : 'not_due', d.why);

  // Time first (no secret read); whether a refresh token exists is checked under the lock.
  let d = await decide(conn0);
  if (!d.due) return notDue(conn0, d);
  if (opts.dryRun) {
    d = await decide(conn0, await loadTokens(deps, conn0));
    return d.due ? result(conn0, 'would_refresh', d.why) : notDue(conn0, d);
  }

  const ttl = lockTtlMs(deps);
  const lockName = `refresh:${connectionId}`;
  const lease = await acquireLease(store, deps.clock, deps.random, lockName, {
    ttlMs: ttl,
    waitMs: 2 * ttl,
    owner: `${deps.processId}:${deps.random.uuid()}`,
    onWait: (h) => deps.io.info(`${conn0.platform}/${conn0.name}: waiting for the refresh lock, held by ${describeHolder(h.owner, h.expiresAt)}`),
  });
  if (!lease) {
    const h = await store.lockHolder(lockName);
    const who = h ? `${describeHolder(h.owner, h.expiresAt)}` : 'another process';
    return result(conn0, 'transient', `the refresh lock is held by ${who}; try again later`, { errorClass: 'transient' });
  }
  try {
    const conn = (await store.getConnection(connectionId)) ?? conn0;
    if (conn.tokenGeneration !== conn0.tokenGeneration) {
      return result(conn, 'already_refreshed', 'refreshed by another process');
    }
    const tokens = await loadTokens(deps, conn);
    d = await decide(conn, tokens);
    // No refresh token (LinkedIn without programmatic refresh): the provider can still check the
    // token (who-am-I) and report an expired or revoked one; it hands the same object back when it did nothing.
    const checkOnly = !d.due && d.kind === 'reconnect_soon';
    if (!d.due && !checkOnly) return notDue(conn, d);
    return await refreshLocked({ deps, provider, opts: { ...opts, checkOnly, why: d.why }, base, result, leaseLost: () => lease.lost }, conn, tokens);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/** A refresh of this connection went out and its answer was never recorded (src/auth/journal.ts). */
async function interrupted(deps: Deps, c: Connection): Promise<boolean> {
  return (await readJournal(deps.paths, c.id)) !== undefined;
}

// One resolution (config + client secret from the secret store) per platform per process,
// not one per connection: a cron run over 1,000 connections would read the secret 1,000 times.
const pdCache = new WeakMap<Deps, Map<string, Promise<ProviderDeps>>>();
function cachedProviderDeps(deps: Deps, conn: Connection): Promise<ProviderDeps> {
  let m = pdCache.get(deps);
  if (!m) pdCache.set(deps, (m = new Map()));
  // Per server where the platform has many (Mastodon: meta.instance).
  const key = `${conn.platform} ${conn.meta.instance ?? ''}`;
  let p = m.get(key);
  if (!p) {
    p = deps.providerDeps(conn.platform, conn);
    m.set(key, p);
    p.catch(() => m!.delete(key));
  }
  return p;
}

/** What refreshLocked needs besides the connection and its tokens. */
interface LockedCtx {
  deps: Deps;
  provider: Provider;
  opts: RefreshOptions & { checkOnly?: boolean; why?: string };
  base: { attempts: number };
  result: ResultFn;
  leaseLost: () => boolean;
}

async function refreshLocked(x: LockedCtx, conn: Connection, tokens: TokenSet): Promise<RefreshOutcome> {
  const { deps, provider, opts, result } = x;
  let pd;
  try {
    pd = await cachedProviderDeps(deps, conn);
  } catch (e) {
    return failed(e, conn, result);
  }
  // Only a refresh that sends a refresh token is journaled (Meta and Instagram re-exchange the
  // access token; a check-only call spends nothing).
  const journaled = !opts.checkOnly && Boolean(tokens.refreshToken);
  const doubt = journaled ? await journalDoubt(deps, provider, conn, tokens) : undefined;
  if (typeof doubt === 'object') return refuseSpent(deps, conn, doubt.spent, result);
  // After an interrupted refresh the old token may still work (the platform never answered):
  // try it once, no retries; a refusal then means the platform rotated it.
  const sent = await sendRefresh(x, pd, conn, tokens, { inDoubt: doubt === 'interrupted', journaled });
  if ('outcome' in sent) return sent.outcome;
  if (sent.next === sent.tokens) {
    // The provider checked the token and had nothing to refresh.
    if (opts.checkOnly) return result(sent.conn, 'reconnect_soon', opts.why ?? 'no refresh token');
    if (journaled) await clearJournal(deps.paths, sent.conn.id);
    await event(deps, sent.conn, 'refresh.skipped', 'the platform had nothing to refresh');
    return result(sent.conn, 'not_due', 'nothing to refresh yet');
  }
  // A 'check' provider (Facebook Login) keeps its token: say what happened instead of "refreshed".
  const detail = provider.descriptor.refresh.kind === 'check' ? 'checked: the token is valid; the deadlines the platform reports are recorded' : 'refreshed';
  return storeRefreshed(deps, sent.conn, mergeTokens(sent.tokens, sent.next), result, detail);
}

type Sent = { next: TokenSet; tokens: TokenSet; conn: Connection } | { outcome: RefreshOutcome };

/**
 * The refresh request, journaled, with retries of failures that leave the token unspent.
 * Returns the platform's new tokens (with the connection and tokens they answer), or the outcome.
 */
async function sendRefresh(x: LockedCtx, pd: ProviderDeps, conn: Connection, tokens: TokenSet, o: { inDoubt: boolean; journaled: boolean }): Promise<Sent> {
  let inDoubt = o.inDoubt;
  const { deps, provider, opts, base, result } = x;
  const store = await deps.store();
  const maxAttempts = inDoubt ? 1 : (opts.maxAttempts ?? 3);
  const backoff = opts.backoffMs ?? 1000;
  const maxWait = opts.maxRetryWaitMs ?? 30_000;
  let retriedWithNewer = false;
  for (;;) {
    // Stalled past the lease TTL (e.g. a suspended laptop): another process may hold the lock now.
    if (x.leaseLost()) return { outcome: result(conn, 'transient', 'lost the refresh lock while waiting; the next run retries', { errorClass: 'transient' }) };
    const unsent = o.journaled ? await journalSend(deps, conn, tokens) : undefined;
    if (unsent) return { outcome: unsent(result) };
    base.attempts++;
    try {
      return { next: await provider.refresh(tokens, pd), tokens, conn };
    } catch (e) {
      const cls = classOf(e);
      // A refusal or an error page: the platform did not rotate the token (a refusal in doubt is
      // journaled as spent below, before the entry could go). No answer: it may have rotated it.
      if (!platformAnswered(e)) inDoubt ||= o.journaled && provider.descriptor.refresh.rotates;
      else if (o.journaled && !(inDoubt && cls === 'reconnect_needed')) await clearJournal(deps.paths, conn.id);
      if (cls === 'reconnect_needed') {
        // Another writer (e.g. `connect`, or a process whose lease we outlived) may have stored
        // newer tokens: a rotated-away refresh token is rejected, so retry once with the newer one.
        const fresh = (await store.getConnection(conn.id)) ?? conn;
        const freshTokens = await loadTokens(deps, fresh).catch(() => undefined);
        if (!retriedWithNewer && freshTokens && (fresh.tokenGeneration !== conn.tokenGeneration || freshTokens.refreshToken !== tokens.refreshToken || freshTokens.accessToken !== tokens.accessToken)) {
          retriedWithNewer = true;
          inDoubt = false;
          await clearJournal(deps.paths, conn.id);
          await event(deps, conn, 'refresh.retry_newer', 'refresh rejected; stored tokens changed meanwhile, retrying with the newer ones');
          conn = fresh;
          tokens = freshTokens;
          continue;
        }
        // Refused after a request that got no answer: that token is spent, never send it again.
        if (inDoubt) await journalSpent(deps, fresh, tokens, 'the platform refused it after a refresh that got no answer');
        return { outcome: await markReconnect(deps, fresh, inDoubt ? interruptedError(e as ProviderError) : (e as ProviderError), result) };
      }
      if ((cls === 'transient' || cls === 'rate_limited') && base.attempts < maxAttempts) {
        const ra = e instanceof ProviderError ? e.retryAfterMs : undefined;
        if (ra === undefined || ra <= maxWait) {
          await deps.clock.sleep(ra ?? backoffDelay(base.attempts, { baseMs: backoff, jitter: deps.random.bytes(1)[0]! / 255 }));
          continue;
        }
      }
      if (cls === 'transient' || cls === 'rate_limited') return { outcome: await transientOutcome(deps, conn, e, result) };
      return { outcome: await failed(e, conn, result, deps) };
    }
  }
}

/**
 * For the publisher (docs/platforms/README.md#before-every-post): returns usable tokens,
 * refreshing first when the access token is within the threshold or already expired.
 * `force` is the one extra refresh after the platform rejected a token.
 * Throws ProviderError (errorClass reconnect_needed / transient / ...) when no usable token exists.
 */
export async function ensureFreshToken(deps: Deps, connectionId: string, opts: { force?: boolean } = {}): Promise<TokenSet> {
  const out = await refreshConnection(deps, connectionId, { ...(opts.force ? { force: true } : {}), maxAttempts: 2 });
  const store = await deps.store();
  const conn = await store.getConnection(connectionId);
  if (!conn) throw new CliError(`connection ${connectionId} not found`, { hint: 'run: socialync status' });
  switch (out.status) {
    case 'refreshed':
    case 'already_refreshed':
    case 'not_due':
      return loadTokens(deps, conn);
    case 'failed':
      // Refreshed, with the tokens set aside because the vault folder is full: they work.
      if (out.storedAside) return loadTokens(deps, conn);
      throw new ProviderError(`${conn.platform}/${conn.name}: ${out.detail}`, { errorClass: out.errorClass ?? 'transient' });
    case 'reconnect_soon': {
      const t = await loadTokens(deps, conn);
      if (t.expiresAt === undefined || t.expiresAt > deps.clock.now()) return t;
      throw new ProviderError(`${conn.platform}/${conn.name}: the token expired and cannot be refreshed`, { errorClass: 'reconnect_needed', reason: 'token_expired' });
    }
    case 'reconnect_needed':
      throw new ProviderError(`${conn.platform}/${conn.name}: ${out.detail}`, { errorClass: 'reconnect_needed', reason: out.reason ?? 'unknown' });
    default:
      throw new ProviderError(`${conn.platform}/${conn.name}: ${out.detail}`, { errorClass: out.errorClass ?? 'transient' });
  }
}
