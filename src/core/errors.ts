/**
 * Typed errors and the one documented exit-code table (README "Exit codes").
 * Only src/main.ts maps errors to exit codes.
 */

export const ExitCode = {
  ok: 0,
  failed: 1,
  cancelled: 2,
  usage: 3,
  reconnectNeeded: 4,
  partial: 5,
  transient: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The small stable set every failure is classified into (STYLE.md §3). Platforms answer with the
 * first five; `local_file` is a file on this machine (media deleted, disk full, no permission) and
 * `bug` is socialync's own mistake (TypeError and the like): neither is retried by itself.
 */
export type ErrorClass = 'reconnect_needed' | 'transient' | 'rate_limited' | 'permission' | 'invalid_request' | 'local_file' | 'bug';

/** Human reasons a connection needs a manual reconnect (docs/platforms/README.md#reconnect-reasons). */
export type ReconnectReason =
  | 'refresh_token_expired'
  | 'token_expired'
  | 'password_changed'
  | 'app_removed'
  | 'platform_revoked'
  | 'inactive'
  | 'scope_missing'
  | 'secret_missing'
  /** A refresh of a single-use token was cut short (kill -9, a full disk): the platform may have rotated it. */
  | 'refresh_interrupted'
  | 'unknown';

export const reconnectReasonText: Record<ReconnectReason, string> = {
  refresh_token_expired: 'refresh token expired',
  token_expired: 'token expired',
  password_changed: 'password changed',
  app_removed: 'app removed by the user',
  platform_revoked: 'platform revoked the token',
  inactive: 'inactive too long',
  scope_missing: 'a needed permission was not granted',
  secret_missing: 'secret missing',
  refresh_interrupted: 'refresh interrupted: the platform may have rotated the token',
  unknown: 'token no longer valid',
};

/** An error meant for the user: one line, plus the command that fixes it. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.exitCode = opts.exitCode ?? ExitCode.failed;
    this.hint = opts.hint;
  }
}

export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, ...(hint ? { hint } : {}) });
    this.name = 'UsageError';
  }
}

export class CancelledError extends CliError {
  constructor(message = 'cancelled', opts: { hint?: string } = {}) {
    super(message, { exitCode: ExitCode.cancelled, ...opts });
    this.name = 'CancelledError';
  }
}

/** A platform call failed; `errorClass` is what callers branch on, never the message text. */
export class ProviderError extends Error {
  readonly errorClass: ErrorClass;
  readonly reason: ReconnectReason | undefined;
  readonly status: number | undefined;
  readonly platformCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    opts: {
      errorClass: ErrorClass;
      reason?: ReconnectReason;
      status?: number;
      platformCode?: string;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ProviderError';
    this.errorClass = opts.errorClass;
    this.reason = opts.reason ?? (opts.errorClass === 'reconnect_needed' ? 'unknown' : undefined);
    this.status = opts.status;
    this.platformCode = opts.platformCode;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export function exitCodeForClass(c: ErrorClass): ExitCode {
  switch (c) {
    case 'reconnect_needed':
      return ExitCode.reconnectNeeded;
    case 'transient':
    case 'rate_limited':
      return ExitCode.transient;
    // local_file and bug: failed (1), with their own message and fix.
    default:
      return ExitCode.failed;
  }
}

export const BUG_HINT = 'this is a bug in socialync; run again with --debug and report it at https://github.com/socialync/socialync/issues';

/** errno codes of a local file failure, with the words users read. */
const LOCAL_FILE_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EMFILE: 'too many open files',
  EIO: 'input/output error (a disk problem)',
};

export interface LocalFileFailure {
  code: string;
  path: string;
  /** "no space left on the disk (ENOSPC)". */
  text: string;
}

/** A local file that is not as it should be, found by socialync itself (e.g. media changed since scheduling). */
export class LocalFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LocalFileError';
  }
}

/**
 * A file-system error on a local path (Node's errors carry `path`; network errors never do): the
 * file is the user's to fix, so it is never "temporary" and never "unconfirmed".
 */
export function localFileFailure(e: unknown): LocalFileFailure | undefined {
  if (e instanceof LocalFileError) return { code: e.code, path: e.path, text: e.message };
  const x = e as { code?: unknown; path?: unknown; syscall?: unknown } | null;
  if (!x || typeof x.code !== 'string' || typeof x.path !== 'string' || !(x.code in LOCAL_FILE_CODES)) return undefined;
  return { code: x.code, path: x.path, text: `${LOCAL_FILE_CODES[x.code]} (${x.code})` };
}

/** What fixes a local file failure. */
export function localFileFix(f: LocalFileFailure): string {
  switch (f.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `free some space on the disk that holds ${f.path} (see: df -h), then run the command again`;
    case 'EROFS':
      return `${f.path} is on a read-only file system: make it writable (see: findmnt -T ${f.path}), then run the command again`;
    case 'EACCES':
    case 'EPERM':
      return `give your user access to ${f.path} (see: ls -ld ${f.path}), then run the command again`;
    case 'ENOENT':
      return `check that ${f.path} exists (it may have been moved or deleted)`;
    default:
      return `check ${f.path}, then run the command again`;
  }
}

const NETWORK_CODES = /^(UND_ERR_|ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

/** Network trouble: undici's errors, a dropped socket, a timeout. The only unknown errors that retry. */
export function isNetworkError(e: unknown): boolean {
  const x = e as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!x || typeof x !== 'object') return false;
  if (x.name === 'AbortError' || x.name === 'TimeoutError') return true;
  if (typeof x.code === 'string' && NETWORK_CODES.test(x.code) && typeof (x as { path?: unknown }).path !== 'string') return true;
  // undici's fetch() rejects with TypeError('fetch failed') and the socket error as its cause.
  if (x.name === 'TypeError' && x.message === 'fetch failed') return true;
  return x.cause !== undefined && x.cause !== e && isNetworkError(x.cause);
}

/** socialync's own mistake: a JavaScript error that no platform, file or network caused. */
export function isBug(e: unknown): boolean {
  if (isNetworkError(e)) return false;
  const x = e as { name?: unknown; code?: unknown } | null;
  if (x && (x.code === 'ERR_ASSERTION' || x.name === 'AssertionError')) return true;
  return e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError || e instanceof EvalError || e instanceof URIError;
}
