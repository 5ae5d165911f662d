/**
 * How a refresh ends: the outcome record, the events it leaves, and the connection marked
 * needs_reconnect with its reason (src/auth/refresh.ts runs the steps).
 */
import type { Deps } from '../deps.js';
import { CliError, ProviderError, reconnectReasonText, type ErrorClass } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import type { Connection } from '../store/types.js';
import { notifyReconnectNeeded } from '../notify/index.js';
import type { RefreshOutcome, RefreshStatus } from './refresh.js';

export type ResultFn = (c: Connection, status: RefreshStatus, detail: string, extra?: Partial<RefreshOutcome>) => RefreshOutcome;

export function classOf(e: unknown): ErrorClass | 'cli' {
  if (e instanceof ProviderError) return e.errorClass;
  if (e instanceof CliError) return 'cli';
  // Network errors, timeouts, aborted sockets: undici throws TypeError/AbortError/DOMException.
  return 'transient';
}

export function message(e: unknown): string {
  return redactText(String((e as Error)?.message ?? e));
}

export async function failed(e: unknown, conn: Connection, result: ResultFn, deps?: Deps): Promise<RefreshOutcome> {
  const hint = e instanceof CliError ? e.hint : undefined;
  const cls = e instanceof ProviderError ? e.errorClass : undefined;
  if (deps) await event(deps, conn, 'refresh.failed', message(e));
  return result(conn, 'failed', message(e), { ...(cls ? { errorClass: cls } : {}), ...(hint ? { hint } : {}) });
}

export async function markReconnect(deps: Deps, conn: Connection, e: ProviderError, result: ResultFn): Promise<RefreshOutcome> {
  const reason = e.reason ?? 'unknown';
  const detail = message(e);
  const store = await deps.store();
  await store.updateConnection(conn.id, { health: 'needs_reconnect', reason, reasonDetail: detail }, deps.clock.now());
  await event(deps, conn, 'refresh.reconnect_needed', `${reconnectReasonText[reason]}: ${detail}`);
  await notifyReconnectNeeded(deps, conn, reason, detail);
  const text = detail.startsWith(reconnectReasonText[reason]) ? detail : `${reconnectReasonText[reason]} (${detail})`;
  return result(conn, 'reconnect_needed', text, { reason, errorClass: 'reconnect_needed', hint: connectHint(conn) });
}

export function connectHint(conn: Pick<Connection, 'platform' | 'name'>): string {
  return `run: socialync connect ${conn.platform} --name ${conn.name}`;
}

/** `plain`: a fixed message of ours, nothing to redact (saves a scan of every known secret). */
export async function event(deps: Deps, conn: Connection, kind: string, msg: string, plain = false): Promise<void> {
  await (await deps.store()).addEvent({ at: deps.clock.now(), connectionId: conn.id, kind, message: plain ? msg : redactText(msg) });
}

export async function transientOutcome(deps: Deps, conn: Connection, e: unknown, result: ResultFn): Promise<RefreshOutcome> {
  const msg = `temporary failure, will retry on the next run: ${message(e)}`;
  await event(deps, conn, 'refresh.transient', msg);
  return result(conn, 'transient', msg, { errorClass: classOf(e) === 'rate_limited' ? 'rate_limited' : 'transient' });
}

