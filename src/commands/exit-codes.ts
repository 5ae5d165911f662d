import type { Command } from 'commander';

/** The one exit-code table (src/core/errors.ts ExitCode; README "Exit codes"). */
const EXIT_CODE_TABLE = `Exit codes (the same for every command):
  0  success (also: nothing was due)
  1  failed (the message says why and what to run next)
  2  cancelled (Ctrl-C at a prompt, Deny in the browser)
  3  usage or configuration error (unknown platform, bad flag, missing app credentials)
  4  a connection needs a reconnect (now, or within the warning window for \`status\`)
  5  partly done (e.g. a permission was not granted; some platforms failed)
  6  temporary failure (network, 5xx, rate limit): try again later
\`socialync api\` maps the HTTP status onto them: 0 for 2xx, 4 when the token is refused even
after a refresh, 6 for 429 and 5xx, 1 for any other status.`;

/** `socialync help exit-codes`: a help topic (a hidden command whose help is the table). */
export function registerExitCodes(program: Command): void {
  program
    .command('exit-codes', { hidden: true })
    .description('the exit codes of every command')
    .helpOption(false)
    .configureHelp({ formatHelp: () => `${EXIT_CODE_TABLE}\n\nExamples:\n  $ socialync refresh; echo $?\n  $ socialync help exit-codes\n` })
    .action(() => program.commands.find((c) => c.name() === 'exit-codes')!.outputHelp());
}
