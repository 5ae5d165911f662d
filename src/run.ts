/**
 * What every run shares (main.ts finds the command with commander): creating the side
 * effects, the one error-to-exit-code mapping, the attention banner, and closing what was
 * opened. Never calls process.exit.
 */
import { BUG_HINT, CliError, ExitCode, ProviderError, exitCodeForClass, localFileFailure, localFileFix } from './core/errors.js';
import { stateStoreError } from './store/store-error.js';
import { redactText } from './core/redact.js';
import { printable } from './core/printable.js';
import { originalStack } from './core/stack.js';
import { createDeps, type Deps, type DepsOverrides } from './deps.js';

export type SetExitCode = (code: number) => void;
/** Called once the command is known and its options parsed (before its action runs). */
export type OnAction = (commandPath: string, opts: Record<string, unknown>) => void;
export type Dispatch = (deps: Deps, setExitCode: SetExitCode, onAction: OnAction) => Promise<void>;
/** Exit code for an error only the dispatcher knows (commander's own), or undefined. */
export type ClassifyError = (e: unknown) => number | undefined;

export async function run(over: DepsOverrides | Deps, dispatch: Dispatch, classify: ClassifyError = () => undefined): Promise<number> {
  const deps = 'store' in over && typeof over.store === 'function' && 'providerDeps' in over ? (over as Deps) : createDeps(over as DepsOverrides);
  const { io } = deps;
  let code: number = ExitCode.ok;
  let ran: { path: string; opts: Record<string, unknown> } | undefined;
  try {
    await dispatch(deps, (c) => (code = c), (path, opts) => (ran = { path, opts }));
  } catch (e) {
    code = classify(e) ?? report(e, deps);
  }
  // Before the banner, so it follows the results even on a slow pipe shared with stderr.
  await io.finish().catch((e: unknown) => (code = report(e, deps)));
  try {
    if (ran && code !== ExitCode.usage && wantsBanner(ran.path, ran.opts, deps)) {
      const { attentionBanner } = await import('./notify/banner.js');
      const line = await attentionBanner(deps);
      if (line) io.err(line);
    }
  } finally {
    await deps.close().catch(() => undefined);
  }
  return code;
}

/**
 * Every command ends with a stderr banner when connections need attention (each problem once
 * a day) — except where it would be noise: quiet/JSON runs, usage errors, status (it shows them), refresh
 * (cron mails any output; it reports on its own), completions, the sandbox, and token/api (their
 * output feeds scripts).
 */
function wantsBanner(path: string, opts: Record<string, unknown>, deps: Deps): boolean {
  if (deps.io.verbosity === 'quiet' || opts.json) return false;
  const first = path.split(' ')[0] ?? '';
  return !['status', 'refresh', 'completion', '__complete', 'sandbox', 'daemon', 'publish', 'doctor', 'exit-codes', 'token', 'api'].includes(first);
}

function report(e0: unknown, deps: Deps): number {
  const { io } = deps;
  const e = knownFailure(e0, deps);
  if (e instanceof CliError) {
    io.err(`error: ${printable(redactText(e.message))}`);
    if (e.hint) io.err(`  ${printable(redactText(e.hint))}`);
    if (io.verbosity === 'debug' && e.cause) io.debug(redactText(originalStack(String((e.cause as Error)?.stack ?? e.cause))));
    return e.exitCode;
  }
  if (e instanceof ProviderError) {
    io.err(`error: ${printable(redactText(e.message))}`);
    return exitCodeForClass(e.errorClass);
  }
  const err = e as Error;
  io.err(`error: ${printable(redactText(err?.message ?? String(e)))}`);
  io.err(`  ${BUG_HINT}`);
  if (io.verbosity === 'debug') io.debug(redactText(originalStack(String(err?.stack))));
  return ExitCode.failed;
}

/** A state-database or local-file error that escaped its command: told as what it is, not as a bug. */
function knownFailure(e: unknown, deps: Deps): unknown {
  if (e instanceof CliError || e instanceof ProviderError) return e;
  const store = stateStoreError(e, deps);
  if (store) return store;
  const local = localFileFailure(e);
  if (local) return new CliError(`${local.path}: ${local.text}`, { hint: localFileFix(local), cause: e });
  return e;
}
