/**
 * Errors of the PostgreSQL store, told apart by cause (login refused, no such database, server
 * out of reach), naming the server by its redacted URL only and saying what to run next. No
 * node-postgres import: run.ts maps errors that escape a command without loading it.
 */
import { CliError, ExitCode } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { DATABASE_URL_ENV, redactDatabaseUrl } from './database-url.js';

/** A node-postgres or server error: a SQLSTATE code (5 characters) or a socket failure. */
export function isPostgresError(e: unknown): boolean {
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
  if (/^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(code) || /timeout|terminated/i.test(detail)) {
    return new CliError(`cannot reach PostgreSQL ${shown}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}`, {
      ...o,
      exitCode: ExitCode.transient,
      hint: 'nothing was changed. Check that the server runs and this machine can reach it (pg_isready -d "<url>"), then run: socialync db status',
    });
  }
  return new CliError(`PostgreSQL ${shown}: ${detail}${code ? ` (SQLSTATE ${code})` : ''}`, { ...o, hint: 'run: socialync doctor' });
}
