/**
 * Errors of the PostgreSQL store, told apart by cause (login refused, no such database, server
 * out of reach), naming the server by its redacted URL only and saying what to run next. No
 * node-postgres import: run.ts maps errors that escape a command without loading it.
 */
import { CliError, ExitCode } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { DATABASE_URL_ENV, redactDatabaseUrl } from './database-url.js';

const FROM_STORE = Symbol.for('socialync.postgresStore');

/** Marks an error thrown by the PostgreSQL store's pool (postgres-pool.ts), so a dropped socket of the state store is told from one of a platform. */
export function markStoreError(e: unknown): unknown {
  if (e && typeof e === 'object' && !Object.isFrozen(e)) Object.defineProperty(e, FROM_STORE, { value: true, enumerable: false, configurable: true });
  return e;
}

const fromStore = (e: unknown) => Boolean(e && typeof e === 'object' && (e as Record<symbol, unknown>)[FROM_STORE]);

const SOCKET_CODES = /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET|EPIPE|EAI_AGAIN)$/;
/** SQLSTATE class 08 (connection exception), 57P01-57P03 (server shut down, crashed, starting up), 53300 (too many connections). */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_TEXT = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down|in recovery))/i;

/**
 * The state store out of reach for now (server stopped, restarting, network gone): a temporary
 * failure of our own store, never a platform's nor a bug. A socket error counts only when the
 * store's pool threw it (markStoreError); a platform's refused connection is not the database.
 */
export function isStoreUnavailable(e: unknown): boolean {
  const x = e as { code?: unknown; message?: unknown } | null;
  if (!x || typeof x !== 'object') return false;
  const code = typeof x.code === 'string' ? x.code : '';
  if (UNAVAILABLE_SQLSTATE.test(code)) return true;
  return fromStore(e) && (SOCKET_CODES.test(code) || UNAVAILABLE_TEXT.test(String(x.message ?? '')));
}

/** A node-postgres or server error: a SQLSTATE code (5 characters) or a socket failure. */
export function isPostgresError(e: unknown): boolean {
  if (fromStore(e)) return true;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return true;
  return /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(String((e as Error)?.message ?? ''));
}

/** The error shown when the PostgreSQL store cannot be reached or used. */
export function postgresError(url: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const shown = redactDatabaseUrl(url);
  const code = String((e as { code?: unknown })?.code ?? '');
  const detail = redactText(String((e as Error)?.message ?? e).split('\n')[0]!);
  const o = { exitCode: ExitCode.failed, cause: e };
  if (code === '28P01' || code === '28000') {
    return new CliError(`PostgreSQL ${shown} refused the login: ${detail}`, { ...o, hint: `check the user and password in ${DATABASE_URL_ENV} (or config database.url), then run: socialync db status` });
  }
  if (code === '3D000') {
    return new CliError(`PostgreSQL ${shown}: ${detail}`, { ...o, hint: 'create it first (createdb <name>, or CREATE DATABASE), then run: socialync db migrate' });
  }
  if (SOCKET_CODES.test(code) || isStoreUnavailable(e) || /timeout|terminated/i.test(detail)) {
    return new CliError(`cannot reach PostgreSQL ${shown}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`, {
      ...o,
      exitCode: ExitCode.transient,
      hint: 'a temporary failure of the state store: what was not recorded is taken up again by the next run, and nothing is sent twice. Check that the server runs and this machine can reach it (pg_isready -d "<url>"), then run: socialync db status',
    });
  }
  return new CliError(`PostgreSQL ${shown}: ${detail}${code ? ` (SQLSTATE ${code})` : ''}`, { ...o, hint: 'run: socialync doctor' });
}
