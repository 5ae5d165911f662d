import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import { registerScheduleAdd } from './schedule-add.js';
import { registerScheduleList } from './schedule-list.js';
import { registerScheduleShow } from './schedule-show.js';
import { registerScheduleEdit } from './schedule-edit.js';
import { registerScheduleCancel } from './schedule-cancel.js';

/** `socialync schedule add|list|show|edit|cancel` (one file per verb). */
export function registerSchedule(program: Command, ctx: CommandContext): void {
  const schedule = program
    .command('schedule')
    .description('schedule posts and see their per-platform state')
    .addHelpText('after', `
Examples:
  $ socialync schedule add --to x,linkedin --at "2026-12-01 09:00" --tz Europe/Berlin --text "Hello"
  $ socialync schedule list --status failed
  $ socialync schedule show 12`);
  registerScheduleAdd(schedule, ctx);
  registerScheduleList(schedule, ctx);
  registerScheduleShow(schedule, ctx);
  registerScheduleEdit(schedule, ctx);
  registerScheduleCancel(schedule, ctx);
}
