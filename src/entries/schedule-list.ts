/**
 * dist/commands/schedule-list.cjs: `socialync schedule list` with commander and that verb
 * only (as dist/cli.cjs loads it: src/commands/schedule.ts), picked by bin/socialync.cjs.
 */
import type { Deps, DepsOverrides } from '../deps.js';
import { runProgram } from '../main.js';
import { registerSchedule } from '../commands/schedule.js';
import { registerScheduleList } from '../commands/schedule-list.js';

export const main = (argv: string[], over: DepsOverrides | Deps = {}) =>
  runProgram(argv, over, async () => [(program, ctx) => registerSchedule(program, ctx, [registerScheduleList])]);
