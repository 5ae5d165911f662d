/**
 * The fault-tolerant half of a refresh: the journal around the request (src/auth/journal.ts)
 * and keeping the platform's answer (src/auth/tokens.ts keepRotatedTokens).
 *
 * Order after the platform answered with new tokens: the tokens to durable storage first
 * (nothing else happens before: no who-am-I, no SQLite write), then the journal entry goes,
 * then the bookkeeping. A process killed inside that window leaves the journal entry and the
 * new tokens; the next run sees the stored token no longer matches the entry and goes on.
 */
import type { Deps } from '../deps.js';
import { ProviderError, reconnectReasonText } from '../core/errors.js';
import type { TokenSet } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import type { Provider } from '../providers/types.js';
import { fileErrorText, keepRotatedTokens, loadTokens, saveTokenMetadata, TokensNotKeptError, type KeptTokens } from './tokens.js';
import { clearJournal, fingerprint, readJournal, writeJournal } from './journal.js';
import { connectHint, event, markReconnect, message, type ResultFn } from './refresh-outcome.js';
import type { RefreshOutcome } from './refresh.js';

/**
 * What the journal says about the refresh token we hold: spent (the platform rotated it and
 * the successor could not be stored, or it refused it after an interruption: `detail` says
 * which), interrupted (a request with it went out and its answer was never recorded), or
 * nothing. An entry about another token is stale and removed.
 */
export async function journalDoubt(deps: Deps, provider: Provider, conn: Connection, tokens: TokenSet): Promise<{ spent: string } | 'interrupted' | undefined> {
  const j = await readJournal(deps.paths, conn.id);
  if (!j) return undefined;
  if (j.fingerprint !== fingerprint(tokens.refreshToken) || !provider.descriptor.refresh.rotates) {
    await clearJournal(deps.paths, conn.id);
    return undefined;
  }
  if (j.state === 'spent') return { spent: j.detail ?? 'spent' };
  await event(deps, conn, 'refresh.interrupted', `${reconnectReasonText.refresh_interrupted}; the refresh started at ${new Date(j.at).toISOString()} recorded no answer: trying the stored token once`, true);
  return 'interrupted';
}

/** The stored refresh token is known spent: sending it again would only burn the family (X). */
export async function refuseSpent(deps: Deps, conn: Connection, why: string, result: ResultFn): Promise<RefreshOutcome> {
  const msg = `${reconnectReasonText.refresh_interrupted}; the stored refresh token is spent (${why}) and is not sent again`;
  if (conn.health === 'needs_reconnect' && conn.reason === 'refresh_interrupted') {
    return result(conn, 'reconnect_needed', msg, { reason: 'refresh_interrupted', errorClass: 'reconnect_needed', hint: connectHint(conn) });
  }
  return markReconnect(deps, conn, new ProviderError(msg, { errorClass: 'reconnect_needed', reason: 'refresh_interrupted' }), result);
}

/** Writes the journal entry before a refresh token goes out; a failure to write it stops the refresh (returns the outcome). */
export async function journalSend(deps: Deps, conn: Connection, tokens: TokenSet): Promise<((r: ResultFn) => RefreshOutcome) | undefined> {
  try {
    await writeJournal(deps.paths, { connectionId: conn.id, state: 'sent', at: deps.clock.now(), generation: conn.tokenGeneration, fingerprint: fingerprint(tokens.refreshToken), owner: deps.processId });
    return undefined;
  } catch (e) {
    const detail = `cannot record the refresh before sending it (${fileErrorText(e)}); the token was not sent`;
    return (r) => r(conn, 'failed', detail, { hint: `free space or fix permissions in ${deps.paths.dataDir}, then run: socialync refresh` });
  }
}

/**
 * True when the platform (not the network) answered: every class but `transient` comes from
 * a response, and a transient error with an HTTP error status is an error page. A network
 * failure, a timeout, or a 2xx we could not read may have come after the token was rotated.
 */
export function platformAnswered(e: unknown): boolean {
  if (!(e instanceof ProviderError)) return false;
  if (e.errorClass !== 'transient') return true;
  return e.status !== undefined && (e.status < 200 || e.status >= 300);
}

/** A refusal after a refresh that got no answer: the platform may have rotated the token. A precise reason stays. */
export function interruptedError(e: ProviderError): ProviderError {
  if (e.reason && e.reason !== 'unknown') return e;
  return new ProviderError(`${reconnectReasonText.refresh_interrupted}, and it now refuses the token (${e.message})`, { errorClass: 'reconnect_needed', reason: 'refresh_interrupted', ...(e.status !== undefined ? { status: e.status } : {}), cause: e });
}

/**
 * The platform has answered with new tokens; from here on nothing sends a refresh again.
 * The tokens go to durable storage before anything else (keepRotatedTokens: the vault,
 * retried, else a copy set aside), then the journal entry goes, then the SQLite bookkeeping.
 */
export async function storeRefreshed(deps: Deps, conn: Connection, merged: TokenSet, result: ResultFn, detail = 'refreshed'): Promise<RefreshOutcome> {
  let kept: KeptTokens;
  try {
    kept = await keepRotatedTokens(deps, conn, merged);
  } catch (e) {
    return tokensLost(deps, conn, e, result);
  }
  await clearJournal(deps.paths, conn.id).catch(() => undefined);
  const now = deps.clock.now();
  try {
    // Success is recorded by lastRefreshAt: one write less per refresh.
    await saveTokenMetadata(deps, conn, merged, { lastRefreshAt: now, health: 'healthy', reason: null, reasonDetail: null });
  } catch (e) {
    return result(conn, 'failed', `refreshed and the new tokens are stored, but the state database could not record it: ${message(e)}`, { hint: `fix ${deps.paths.stateDb} (free space, permissions), then run: socialync refresh` });
  }
  if (kept.where === 'aside') {
    const msg = `refreshed, but the vault folder could not take the new tokens (${kept.vaultError}); they are kept, encrypted, in ${kept.path} and move back by themselves once ${deps.paths.vaultDir} can be written`;
    await event(deps, conn, 'refresh.stored_aside', msg).catch(() => undefined);
    const hint = `free space in ${deps.paths.vaultDir} (df -h ${deps.paths.vaultDir}), then run: socialync refresh`;
    return { ...result(conn, 'failed', msg, { hint, storedAside: kept.path }), accessExpiresAt: merged.expiresAt ?? null };
  }
  return { ...result(conn, 'refreshed', detail), accessExpiresAt: merged.expiresAt ?? null };
}

/** Records the stored refresh token as spent: refuseSpent answers for it from now on, without sending it. */
export async function journalSpent(deps: Deps, conn: Connection, tokens: TokenSet, detail: string): Promise<void> {
  const entry = { connectionId: conn.id, state: 'spent' as const, at: deps.clock.now(), generation: conn.tokenGeneration, fingerprint: fingerprint(tokens.refreshToken), owner: deps.processId, detail };
  await writeJournal(deps.paths, entry).catch(() => undefined);
}

/** Nothing durable took the rotated tokens: journal the stored token as spent (never sent again) and ask for a reconnect. */
async function tokensLost(deps: Deps, conn: Connection, e: unknown, result: ResultFn): Promise<RefreshOutcome> {
  const detail = e instanceof TokensNotKeptError ? e.detail : message(e);
  const tokens = await loadTokens(deps, conn).catch(() => undefined);
  if (tokens) await journalSpent(deps, conn, tokens, `the new tokens could not be stored: ${detail}`);
  const err = new ProviderError(`${reconnectReasonText.refresh_interrupted}: it issued new tokens that could not be stored anywhere (${detail}); the old refresh token is spent`, {
    errorClass: 'reconnect_needed',
    reason: 'refresh_interrupted',
  });
  return markReconnect(deps, conn, err, result).catch(() =>
    result(conn, 'reconnect_needed', err.message, { reason: 'refresh_interrupted', errorClass: 'reconnect_needed', hint: connectHint(conn) }),
  );
}

