/**
 * What a publishing failure is (the small stable set of error classes) and the one line a target
 * records for it: the file's name for a local failure, the database for our own store, the bug
 * hint for our own bug (README "Errors").
 */
import { BUG_HINT, CliError, ExitCode, ProviderError, isNetworkError, localFileFailure, type ErrorClass } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { originalStack } from '../core/stack.js';
import { isSqliteError } from '../store/failure.js';
import { isStoreUnavailable } from '../store/postgres-errors.js';
import { storeChoice } from '../store/database-url.js';
import type { Engine } from './engine.js';

export function classify(e: unknown): ErrorClass {
  if (e instanceof ProviderError) return e.errorClass;
  if (e instanceof CliError) return e.exitCode === ExitCode.reconnectNeeded ? 'reconnect_needed' : 'invalid_request';
  if (localFileFailure(e)) return 'local_file';
  // The state database busy for longer than its timeout: try again; its other failures are local.
  if (isSqliteError(e)) return /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code)) ? 'transient' : 'local_file';
  // The PostgreSQL state store out of reach for now: our own store, temporarily (./store-down.ts).
  if (isStoreUnavailable(e)) return 'transient';
  // Only network trouble (undici errors, dropped sockets, timeouts) retries; anything else is our bug.
  return isNetworkError(e) ? 'transient' : 'bug';
}

const msgOf = (e: unknown) => redactText(String((e as Error)?.message ?? e)).split('\n')[0]!;

/** One line for the target: the file's name for a local failure, the bug hint for a bug. */
export function failureText(en: Engine, e: unknown, cls: ErrorClass): string {
  const local = localFileFailure(e);
  if (local) return redactText(`${local.path}: ${local.text}`);
  if (cls === 'local_file' && isSqliteError(e)) return `state database ${en.deps.paths.stateDb}: ${msgOf(e)}`;
  if (isStoreUnavailable(e)) {
    const c = storeChoice(en.deps.env, en.deps.config, en.deps.paths.stateDb);
    return `state database ${c.kind === 'postgres' ? c.shown : c.file} out of reach: ${msgOf(e)}`;
  }
  if (cls !== 'bug') return msgOf(e);
  en.deps.io.debug(redactText(originalStack(String((e as Error)?.stack ?? e))));
  return `${(e as Error)?.name ?? 'Error'}: ${msgOf(e)} (${BUG_HINT})`;
}
