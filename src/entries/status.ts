/**
 * dist/commands/status.cjs: `socialync status` with commander and the status command only, so
 * the command cron and scripts run most compiles a fraction of the CLI (bin/socialync.cjs
 * picks it; BENCHMARKS.md shows what it buys). Same program, same output as dist/cli.cjs.
 */
import type { Deps, DepsOverrides } from '../deps.js';
import { runProgram } from '../main.js';
import { registerStatus } from '../commands/status.js';

export const main = (argv: string[], over: DepsOverrides | Deps = {}) => runProgram(argv, over, async () => [registerStatus]);
