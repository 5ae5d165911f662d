/**
 * Entry point: builds the program, runs it, and maps every error to the one
 * documented exit-code table. Never calls process.exit.
 */
import { CommanderError } from 'commander';
import { CliError, ExitCode, ProviderError, exitCodeForClass } from './core/errors.js';
import { redactText } from './core/redact.js';
import { originalStack } from './core/stack.js';
import { createDeps, type Deps, type DepsOverrides } from './deps.js';
import { loadProgram } from './program.js';
import { commandLoaders } from './commands/index.js';

export async function main(argv: string[], over: DepsOverrides | Deps = {}): Promise<number> {
  const deps = 'store' in over && typeof over.store === 'function' && 'providerDeps' in over ? (over as Deps) : createDeps(over as DepsOverrides);
  const { io } = deps;
  let code: number = ExitCode.ok;
  let ran: { path: string; opts: Record<string, unknown> } | undefined;
  try {
    const program = await loadProgram(deps, (c) => (code = c), argv, (path, opts) => (ran = { path, opts }));
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    code = report(e, deps);
  }
  try {
    if (ran && wantsBanner(ran.path, ran.opts, deps)) {
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
 * Every command ends with a one-line stderr banner when connections need attention —
 * except where it would be noise: quiet/JSON runs, status (it shows them), refresh
 * (cron mails any output; it reports on its own), completions and the sandbox.
 */
function wantsBanner(path: string, opts: Record<string, unknown>, deps: Deps): boolean {
  if (deps.io.verbosity === 'quiet' || opts.json) return false;
  const first = path.split(' ')[0] ?? '';
  return !['status', 'refresh', 'completion', '__complete', 'sandbox', 'daemon', 'publish', 'doctor', 'exit-codes'].includes(first);
}

function report(e: unknown, deps: Deps): number {
  const { io } = deps;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    // commander already printed its message through configureOutput
    return ExitCode.usage;
  }
  if (e instanceof CliError) {
    io.err(`error: ${redactText(e.message)}`);
    if (e.hint) io.err(`  ${redactText(e.hint)}`);
    if (io.verbosity === 'debug' && e.cause) io.debug(redactText(originalStack(String((e.cause as Error)?.stack ?? e.cause))));
    return e.exitCode;
  }
  if (e instanceof ProviderError) {
    io.err(`error: ${redactText(e.message)}`);
    return exitCodeForClass(e.errorClass);
  }
  const err = e as Error;
  io.err(`error: ${redactText(err?.message ?? String(e))}`);
  io.err('  this is a bug in socialync; run again with --debug and report it at https://github.com/socialync/socialync/issues');
  if (io.verbosity === 'debug') io.debug(redactText(originalStack(String(err?.stack))));
  return ExitCode.failed;
}

/** Names the shim may key its per-command code cache by (bin/socialync.cjs). */
export const commandNames: readonly string[] = [...commandLoaders.map(([name]) => name), 'help'];
