import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import { concurrencyFlag, printResults } from './publish.js';

export function registerDaemon(program: Command, { deps }: CommandContext): void {
  program
    .command('daemon')
    .description('stay running: publish posts when they are due and refresh tokens hourly')
    .option('--no-refresh', 'do not run the hourly token refresh')
    .option('--concurrency <n>', 'targets published at once (default: config publish.concurrency, 64)', concurrencyFlag)
    .addHelpText('after', `
SIGTERM (or Ctrl-C) lets the step in progress finish, then exits 0.

Examples:
  $ socialync daemon
  $ systemd-run --user socialync daemon`)
    .action(async (o: { refresh?: boolean; concurrency?: number }) => {
      const { runDaemon, terminationSignal } = await import('../publish/run.js');
      const term = terminationSignal();
      try {
        await runDaemon(deps, {
          signal: term.signal,
          ...(o.concurrency ? { concurrency: o.concurrency } : {}),
          onResults: (r) => printResults(deps, r, { success: 'always' }),
          ...(o.refresh === false ? {} : { refresh: async () => (await import('./refresh.js')).runRefresh(deps, {}) }),
        });
      } finally {
        term.dispose();
      }
    });
}
