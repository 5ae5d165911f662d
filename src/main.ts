/**
 * Entry point of the full CLI (dist/cli.cjs): builds the commander program for the command
 * that runs, and runs it; run.ts maps every error to the one documented exit-code table.
 */
import { CommanderError } from 'commander';
import { ExitCode } from './core/errors.js';
import type { Deps, DepsOverrides } from './deps.js';
import { loadProgram } from './program.js';
import { commandLoaders } from './commands/index.js';
import { run } from './run.js';

export async function main(argv: string[], over: DepsOverrides | Deps = {}): Promise<number> {
  return run(
    over,
    async (deps, setExitCode, onAction) => {
      const program = await loadProgram(deps, setExitCode, argv, onAction);
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

/** Names the shim may key its per-command code cache by (bin/socialync.cjs). */
export const commandNames: readonly string[] = [...commandLoaders.map(([name]) => name), 'help'];
