/**
 * createProgram(deps): a fresh commander program with a flat list of
 * register* calls. Command files stay light; heavy modules load on use.
 */
import { Command, Option } from 'commander';
import type { Deps } from './deps.js';
import { registerConnect } from './commands/connect.js';
import { registerDisconnect } from './commands/disconnect.js';
import { registerStatus } from './commands/status.js';
import { registerApp } from './commands/app.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSecrets } from './commands/secrets.js';
import { registerRefresh } from './commands/refresh.js';
import { registerNotify } from './commands/notify.js';
import { registerCron } from './commands/cron.js';
import { registerDoctor } from './commands/doctor.js';
import { registerCompletion } from './commands/completion.js';
import { registerExitCodes } from './commands/exit-codes.js';
import { registerSchedule } from './commands/schedule.js';
import { registerPublish } from './commands/publish.js';
import { registerDaemon } from './commands/daemon.js';
import { registerRetry } from './commands/retry.js';
import { VERSION } from './version.js';

export type SetExitCode = (code: number) => void;

export function createProgram(deps: Deps, setExitCode: SetExitCode, onAction?: (commandPath: string, opts: Record<string, unknown>) => void): Command {
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
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
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
  const ctx = { deps, setExitCode };
  registerApp(program, ctx);
  registerConnect(program, ctx);
  registerDisconnect(program, ctx);
  registerStatus(program, ctx);
  registerSandbox(program, ctx);
  registerSecrets(program, ctx);
  registerRefresh(program, ctx);
  registerNotify(program, ctx);
  registerCron(program, ctx);
  registerDoctor(program, ctx);
  registerCompletion(program, ctx);
  registerExitCodes(program);
  registerSchedule(program, ctx);
  registerPublish(program, ctx);
  registerDaemon(program, ctx);
  registerRetry(program, ctx);
  return program;
}

export interface CommandContext {
  deps: Deps;
  setExitCode: SetExitCode;
}
