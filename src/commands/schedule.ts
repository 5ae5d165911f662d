import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import { pick, type Registrar } from './index.js';

type VerbRegistrar = (schedule: Command, ctx: CommandContext) => void;

/** One file per verb, each imported only when its verb runs (or for help, which lists them all). */
const verbs: [name: string, load: () => Promise<VerbRegistrar>][] = [
  ['add', async () => (await import('./schedule-add.js')).registerScheduleAdd],
  ['list', async () => (await import('./schedule-list.js')).registerScheduleList],
  ['show', async () => (await import('./schedule-show.js')).registerScheduleShow],
  ['edit', async () => (await import('./schedule-edit.js')).registerScheduleEdit],
  ['cancel', async () => (await import('./schedule-cancel.js')).registerScheduleCancel],
  ['calendar', async () => (await import('./schedule-calendar.js')).registerScheduleCalendar],
];

/**
 * The `schedule` group for a run: `schedule list ...` loads only list's module; `schedule`
 * alone, `schedule --help`, `help schedule`, an unknown verb (so commander can suggest one)
 * and completion get every verb.
 */
export async function scheduleRegistrar(argv?: string[]): Promise<Registrar> {
  const words = argv?.filter((a) => !a.startsWith('-')) ?? [];
  const verb = words[0] === 'schedule' ? words[1] : undefined;
  const loaded = await Promise.all(pick(verbs, verb).map(([, load]) => load()));
  return (program, ctx) => registerSchedule(program, ctx, loaded);
}

/** `socialync schedule add|list|show|edit|cancel|calendar` (also src/entries/schedule-list.ts, with list only). */
export function registerSchedule(program: Command, ctx: CommandContext, registrars: VerbRegistrar[]): void {
  const schedule = program
    .command('schedule')
    .description('schedule posts and see their per-platform state')
    .addHelpText('after', `
Examples:
  $ socialync schedule add --to x,linkedin --at "2026-12-01 09:00" --tz Europe/Berlin --text "Hello"
  $ socialync schedule list --status failed
  $ socialync schedule show 12
  $ socialync schedule calendar --month`);
  for (const register of registrars) register(schedule, ctx);
}
