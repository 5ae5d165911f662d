/**
 * Every top-level command, in help order, loaded on demand: a run of
 * `socialync status` imports only the status command's module (start-up
 * time is a benchmark target). Add new commands here.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';

export type Registrar = (program: Command, ctx: CommandContext) => void;

/** `argv` lets a command group import only the verb that runs (see schedule.ts). */
export const commandLoaders: [name: string, load: (argv?: string[]) => Promise<Registrar>][] = [
  ['app', async () => (await import('./app.js')).registerApp],
  ['connect', async () => (await import('./connect.js')).registerConnect],
  ['disconnect', async () => (await import('./disconnect.js')).registerDisconnect],
  ['status', async () => (await import('./status.js')).registerStatus],
  ['sandbox', async () => (await import('./sandbox.js')).registerSandbox],
  ['secrets', async () => (await import('./secrets.js')).registerSecrets],
  ['refresh', async () => (await import('./refresh.js')).registerRefresh],
  ['token', async () => (await import('./token.js')).registerToken],
  ['api', async () => (await import('./api.js')).registerApi],
  ['notify', async () => (await import('./notify.js')).registerNotify],
  ['cron', async () => (await import('./cron.js')).registerCron],
  ['doctor', async () => (await import('./doctor.js')).registerDoctor],
  ['config', async () => (await import('./config.js')).registerConfig],
  ['completion', async () => (await import('./completion.js')).registerCompletion],
  ['__complete', async () => (await import('./completion.js')).registerCompletion],
  ['exit-codes', async () => (await import('./exit-codes.js')).registerExitCodes],
  ['schedule', async (argv) => (await import('./schedule.js')).scheduleRegistrar(argv)],
  ['publish', async () => (await import('./publish.js')).registerPublish],
  ['daemon', async () => (await import('./daemon.js')).registerDaemon],
  ['retry', async () => (await import('./retry.js')).registerRetry],
  ['db', async () => (await import('./db.js')).registerDb],
  ['team', async (argv) => (await import('./team.js')).teamRegistrar(argv)],
];

/** The registrars a run needs: just the invoked command's, or all of them (help, unknown, none). */
export async function loadRegistrars(argv?: string[]): Promise<Registrar[]> {
  const first = argv?.find((a) => !a.startsWith('-'));
  // `help` and `completion` describe the whole command tree.
  const chosen = first === 'help' || first === 'completion' ? commandLoaders : pick(commandLoaders, first);
  const unique = [...new Set(await Promise.all(chosen.map(([, load]) => load(argv))))];
  return unique;
}

/** The loaders named `name`, or all of them when none is (help, suggestions for a typo). */
export function pick<T extends [string, unknown]>(loaders: T[], name: string | undefined): T[] {
  const hit = loaders.filter(([n]) => n === name);
  return hit.length ? hit : loaders;
}
