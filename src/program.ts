/**
 * createProgram(deps): a fresh commander program with a flat list of
 * register* calls. Command files stay light; heavy modules load on use.
 */
import { Command, Option } from 'commander';
import type { Deps } from './deps.js';
import { loadRegistrars, type Registrar } from './commands/index.js';
import { VERSION } from './version.js';
import { addJqOptions } from './core/json.js';
import { configureHelpLayout, fitHelp, registerHelp, withSuggestion } from './commands/help.js';

import type { OnAction, SetExitCode } from './run.js';

export type { OnAction, SetExitCode };

/**
 * The program with the commands `argv` needs (all of them without argv): only the invoked
 * command's module is imported, which keeps start-up fast.
 */
export async function loadProgram(deps: Deps, setExitCode: SetExitCode, argv?: string[], onAction?: OnAction): Promise<Command> {
  return createProgram(deps, setExitCode, await loadRegistrars(argv), onAction);
}

export function createProgram(deps: Deps, setExitCode: SetExitCode, registrars: Registrar[], onAction?: OnAction): Command {
  const { io } = deps;
  const program = new Command('socialync')
    .description('Keep social media connections alive and publish scheduled posts, from the terminal and cron.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('-q, --quiet', 'print only results and errors'))
    .addOption(new Option('-v, --verbose', 'print more detail on stderr'))
    .addOption(new Option('--debug', 'log HTTP requests on stderr (tokens and secrets redacted)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(fitHelp(s.replace(/\n$/, ''))),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
      outputError: (s, write) => write(withSuggestion(program, s)),
    })
    .hook('preAction', (cmd, action) => {
      const o = cmd.optsWithGlobals() as { quiet?: boolean; verbose?: boolean; debug?: boolean };
      io.verbosity = o.debug ? 'debug' : o.verbose ? 'verbose' : o.quiet ? 'quiet' : 'normal';
      const path: string[] = [];
      for (let c: Command | null = action; c && c !== program; c = c.parent) path.unshift(c.name());
      onAction?.(path.join(' '), action.opts());
    });
  program.addHelpText(
    'after',
    `
Examples:
  $ socialync sandbox demo           try everything against the built-in sandbox
  $ socialync app set tiktok         store your TikTok app's client key and secret
  $ socialync connect tiktok         log in through the browser
  $ socialync status                 health of every connection

Exit codes: 0 ok, 1 failed, 2 cancelled, 3 usage or configuration, 4 reconnect needed,
5 partly done, 6 temporary failure (try again later). See: socialync help exit-codes`,
  );
  configureHelpLayout(program);
  const ctx = { deps, setExitCode };
  for (const register of registrars) register(program, ctx);
  registerHelp(program, io);
  addJqOptions(program);
  return program;
}

export interface CommandContext {
  deps: Deps;
  setExitCode: SetExitCode;
}
