/**
 * Entry point of the full CLI (dist/cli.cjs): builds the commander program for the command
 * that runs, and runs it; run.ts maps every error to the one documented exit-code table.
 * src/entries/ run the same program with one command's registrar only (bin/socialync.cjs).
 */
import { CommanderError } from 'commander';
import { ExitCode } from './core/errors.js';
import type { Deps, DepsOverrides } from './deps.js';
import { createProgram } from './program.js';
import { loadRegistrars, type Registrar } from './commands/index.js';
import { run } from './run.js';

export async function main(argv: string[], over: DepsOverrides | Deps = {}): Promise<number> {
  return runProgram(argv, over, loadRegistrars);
}

/** Runs argv through commander with the commands `registrars` gives for it. */
export async function runProgram(argv: string[], over: DepsOverrides | Deps, registrars: (argv: string[]) => Promise<Registrar[]>): Promise<number> {
  return run(
    over,
    async (deps, setExitCode, onAction) => {
      const program = createProgram(deps, setExitCode, await registrars(argv), onAction);
      await program.parseAsync(argv, { from: 'user' });
    },
    commanderExitCode,
  );
}

function commanderExitCode(e: unknown): number | undefined {
  if (!(e instanceof CommanderError)) return undefined;
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
  // commander already printed its message through configureOutput
  return ExitCode.usage;
}
