/**
 * Refreshing one connection without ever burning a rotating refresh token
 * (shared/platforms.md §4 items 8–12).
 *
 * - Serialized across processes by a lease lock in the state store (cron + publish + an
 *   interactive command may all try at once). X and TikTok refresh tokens are single-use:
 *   spending one twice kills the connection (X reportedly the whole token family).
 * - After taking the lock the connection and tokens are read again: another process may
 *   have refreshed meanwhile (tokenGeneration changed), then we use its result.
 * - The new tokens go to the secret store (saveTokens) before anything uses them, and an
 *   empty refresh token never replaces a held one (mergeTokens; RFC 6749 §6, Google).
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
import { loadTokens, mergeTokens, saveTokens } from './tokens.js';
import { refreshDue, type DueDecision } from './due.js';
import { acquireLease } from './lease.js';
import { notifyReconnectNeeded } from '../notify/index.js';

export type RefreshStatus =
  | 'refreshed'
  | 'already_refreshed'
  | 'not_due'
  | 'reconnect_soon'
  | 'would_refresh'
  | 'reconnect_needed'
  | 'transient'
  | 'failed';

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
}

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

export function lockTtlMs(deps: Deps): number {
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
  const lease = await acquireLease(store, deps.clock, deps.random, `refresh:${connectionId}`, { ttlMs: ttl, waitMs: 2 * ttl, owner: `${deps.processId}:${deps.random.uuid()}` });
  if (!lease) return result(conn0, 'transient', 'another process has been refreshing this connection for too long; try again later', { errorClass: 'transient' });
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
    return await refreshLocked(deps, provider, conn, tokens, { ...opts, checkOnly, why: d.why }, base, result, () => lease.lost);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

const OUTCOME_EVENTS = new Set(['refresh.started', 'refresh.skipped', 'refresh.transient', 'refresh.failed', 'refresh.reconnect_needed']);

/**
 * The last refresh of this connection started (under the lock) but recorded no outcome:
 * neither a newer lastRefreshAt (success) nor a failure event.
 */
async function interrupted(deps: Deps, c: Connection): Promise<boolean> {
  const since = (c.lastRefreshAt ?? deps.clock.now()) - 2 * MINUTE;
  const events = await (await deps.store()).listEvents({ connectionId: c.id, since });
  const last = events.reverse().find((e) => OUTCOME_EVENTS.has(e.kind));
  return last?.kind === 'refresh.started' && (c.lastRefreshAt === null || last.at > c.lastRefreshAt);
}

// One resolution (config + client secret from the secret store) per platform per process,
// not one per connection: a cron run over 1,000 connections would read the secret 1,000 times.
const pdCache = new WeakMap<Deps, Map<string, Promise<ProviderDeps>>>();
function cachedProviderDeps(deps: Deps, platform: Connection['platform']): Promise<ProviderDeps> {
  let m = pdCache.get(deps);
  if (!m) pdCache.set(deps, (m = new Map()));
  let p = m.get(platform);
  if (!p) {
    p = deps.providerDeps(platform);
    m.set(platform, p);
    p.catch(() => m!.delete(platform));
  }
  return p;
}

type ResultFn = (c: Connection, status: RefreshStatus, detail: string, extra?: Partial<RefreshOutcome>) => RefreshOutcome;

async function refreshLocked(
  deps: Deps,
  provider: Provider,
  conn: Connection,
  tokens: TokenSet,
  opts: RefreshOptions & { checkOnly?: boolean; why?: string },
  base: { attempts: number },
  result: ResultFn,
  leaseLost: () => boolean,
): Promise<RefreshOutcome> {
  const store = await deps.store();
  const maxAttempts = opts.maxAttempts ?? 3;
  const backoff = opts.backoffMs ?? 1000;
  const maxWait = opts.maxRetryWaitMs ?? 30_000;
  let pd;
  try {
    pd = await cachedProviderDeps(deps, conn.platform);
  } catch (e) {
    return failed(e, conn, result);
  }
  let retriedWithNewer = false;
  // Written under the lock before the token is spent; an outcome event follows. A process
  // killed in between leaves this as the last word, and the next run re-checks the token.
  if (!opts.checkOnly) await event(deps, conn, 'refresh.started', `refresh started (generation ${conn.tokenGeneration})`, true);
  for (;;) {
    // Stalled past the lease TTL (e.g. a suspended laptop): another process may hold the lock now.
    if (leaseLost()) return result(conn, 'transient', 'lost the refresh lock while waiting; the next run retries', { errorClass: 'transient' });
    base.attempts++;
    try {
      const next = await provider.refresh(tokens, pd);
      if (next === tokens) {
        // The provider checked the token and had nothing to refresh.
        if (!opts.checkOnly) await event(deps, conn, 'refresh.skipped', 'the platform had nothing to refresh');
        return result(conn, opts.checkOnly ? 'reconnect_soon' : 'not_due', opts.checkOnly ? (opts.why ?? 'no refresh token') : 'nothing to refresh yet');
      }
      const merged = mergeTokens(tokens, next);
      const now = deps.clock.now();
      // Persist first: nothing may use the new access token before the rotated refresh token is safe.
      await saveTokens(deps, conn, merged, { lastRefreshAt: now, health: 'healthy', reason: null, reasonDetail: null });
      // Success is recorded by lastRefreshAt (newer than the refresh.started event): one write less per refresh.
      // A 'check' provider (Facebook Login) keeps its token: say what happened instead of "refreshed".
      const detail = provider.descriptor.refresh.kind === 'check' ? 'checked: the token is valid; the deadlines the platform reports are recorded' : 'refreshed';
      return { ...result(conn, 'refreshed', detail), accessExpiresAt: merged.expiresAt ?? null };
    } catch (e) {
      const cls = classOf(e);
      if (cls === 'reconnect_needed') {
        // Another writer (e.g. `connect`, or a process whose lease we outlived) may have stored
        // newer tokens: a rotated-away refresh token is rejected, so retry once with the newer one.
        const fresh = (await store.getConnection(conn.id)) ?? conn;
        const freshTokens = await loadTokens(deps, fresh).catch(() => undefined);
        if (!retriedWithNewer && freshTokens && (fresh.tokenGeneration !== conn.tokenGeneration || freshTokens.refreshToken !== tokens.refreshToken || freshTokens.accessToken !== tokens.accessToken)) {
          retriedWithNewer = true;
          await event(deps, conn, 'refresh.retry_newer', 'refresh rejected; stored tokens changed meanwhile, retrying with the newer ones');
          conn = fresh;
          tokens = freshTokens;
          continue;
        }
        return markReconnect(deps, fresh, e as ProviderError, result);
      }
      if ((cls === 'transient' || cls === 'rate_limited') && base.attempts < maxAttempts) {
        const ra = e instanceof ProviderError ? e.retryAfterMs : undefined;
        if (ra === undefined || ra <= maxWait) {
          const jitter = deps.random.bytes(1)[0]! / 255;
          await deps.clock.sleep(ra ?? Math.round(backoff * 2 ** (base.attempts - 1) * (0.75 + jitter / 2)));
          continue;
        }
      }
      if (cls === 'transient' || cls === 'rate_limited') {
        const msg = `temporary failure, will retry on the next run: ${message(e)}`;
        await event(deps, conn, 'refresh.transient', msg);
        return result(conn, 'transient', msg, { errorClass: cls });
      }
      return failed(e, conn, result, deps);
    }
  }
}

function classOf(e: unknown): ErrorClass | 'cli' {
  if (e instanceof ProviderError) return e.errorClass;
  if (e instanceof CliError) return 'cli';
  // Network errors, timeouts, aborted sockets: undici throws TypeError/AbortError/DOMException.
  return 'transient';
}

function message(e: unknown): string {
  return redactText(String((e as Error)?.message ?? e));
}

async function failed(e: unknown, conn: Connection, result: ResultFn, deps?: Deps): Promise<RefreshOutcome> {
  const hint = e instanceof CliError ? e.hint : undefined;
  const cls = e instanceof ProviderError ? e.errorClass : undefined;
  if (deps) await event(deps, conn, 'refresh.failed', message(e));
  return result(conn, 'failed', message(e), { ...(cls ? { errorClass: cls } : {}), ...(hint ? { hint } : {}) });
}

async function markReconnect(deps: Deps, conn: Connection, e: ProviderError, result: ResultFn): Promise<RefreshOutcome> {
  const reason = e.reason ?? 'unknown';
  const detail = message(e);
  const store = await deps.store();
  await store.updateConnection(conn.id, { health: 'needs_reconnect', reason, reasonDetail: detail }, deps.clock.now());
  await event(deps, conn, 'refresh.reconnect_needed', `${reconnectReasonText[reason]}: ${detail}`);
  await notifyReconnectNeeded(deps, conn, reason, detail);
  return result(conn, 'reconnect_needed', `${reconnectReasonText[reason]} (${detail})`, { reason, errorClass: 'reconnect_needed', hint: connectHint(conn) });
}

export function connectHint(conn: Pick<Connection, 'platform' | 'name'>): string {
  return `run: socialync connect ${conn.platform} --name ${conn.name}`;
}

/** `plain`: a fixed message of ours, nothing to redact (saves a scan of every known secret). */
async function event(deps: Deps, conn: Connection, kind: string, msg: string, plain = false): Promise<void> {
  await (await deps.store()).addEvent({ at: deps.clock.now(), connectionId: conn.id, kind, message: plain ? msg : redactText(msg) });
}

/**
 * For the publisher (platforms.md §1.1 "Before every post"): returns usable tokens,
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
