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

/** The small stable set every platform failure is classified into (STYLE.md §3). */
export type ErrorClass = 'reconnect_needed' | 'transient' | 'rate_limited' | 'permission' | 'invalid_request';

/** Human reasons a connection needs a manual reconnect (platforms.md §1.3). */
export type ReconnectReason =
  | 'refresh_token_expired'
  | 'token_expired'
  | 'password_changed'
  | 'app_removed'
  | 'platform_revoked'
  | 'inactive'
  | 'scope_missing'
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
  constructor(message = 'cancelled') {
    super(message, { exitCode: ExitCode.cancelled });
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
    default:
      return ExitCode.failed;
  }
}
