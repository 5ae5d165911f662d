/**
 * Entry point of dist/fast.cjs: the invocations cron and scripts run most often — `status`
 * and `schedule list` in their plain spellings — run without commander, from a bundle a
 * fraction of the full CLI's size (start-up time is a benchmark target). main() returns
 * undefined, having done nothing, for any argv it does not recognise exactly; the shim then
 * runs the full CLI (dist/cli.cjs), which also handles help, errors of usage and every other
 * spelling. Both paths call the same action functions, and a test runs both over the same
 * argv and compares what users see.
 */
import type { Deps, DepsOverrides } from './deps.js';
import type { Verbosity } from './core/io.js';
import { run, type SetExitCode } from './run.js';

export interface FastPlan {
  /** Command path as the full CLI names it ('status', 'schedule list'). */
  path: string;
  /** The command's own options, as commander would give them. */
  opts: Record<string, unknown>;
  verbosity: Verbosity;
  action(deps: Deps, setExitCode: SetExitCode): Promise<void>;
}

/** Global options (program options, accepted anywhere as commander does). */
const GLOBAL = new Map<string, 'quiet' | 'verbose' | 'debug'>([
  ['-q', 'quiet'],
  ['--quiet', 'quiet'],
  ['-v', 'verbose'],
  ['--verbose', 'verbose'],
  ['--debug', 'debug'],
]);

/** Whether the words so far name the whole command, after which its own options may come. */
const commandComplete = (words: string[]) => words[0] === 'status' || (words[0] === 'schedule' && words[1] === 'list');

/** The plan for argv, or undefined when the full CLI must handle it. */
export function fastPlan(argv: string[]): FastPlan | undefined {
  const globals = new Set<string>();
  const words: string[] = [];
  const opts: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const global = GLOBAL.get(a);
    if (global) globals.add(global);
    else if (!commandComplete(words) && a.startsWith('-')) return undefined; // commander: unknown option
    else if (a === '--json' && !('json' in opts)) opts.json = true;
    else if (a === '--all' && !('all' in opts)) opts.all = true;
    else if ((a === '--status' || a.startsWith('--status=')) && !('status' in opts)) {
      const value = a === '--status' ? argv[++i] : a.slice('--status='.length);
      if (value === undefined || value === '' || value.startsWith('-')) return undefined;
      opts.status = value;
    } else if (a.startsWith('-')) return undefined;
    else words.push(a);
  }
  const verbosity: Verbosity = globals.has('debug') ? 'debug' : globals.has('verbose') ? 'verbose' : globals.has('quiet') ? 'quiet' : 'normal';
  if (words[0] === 'status' && words.length <= 2 && !('status' in opts) && !('all' in opts)) {
    const platform = words[1];
    return {
      path: 'status',
      opts,
      verbosity,
      async action(deps, setExitCode) {
        const { runStatusAction } = await import('./commands/status.js');
        await runStatusAction(deps, setExitCode, platform, opts);
      },
    };
  }
  if (words[0] === 'schedule' && words[1] === 'list' && words.length === 2) {
    return {
      path: 'schedule list',
      opts,
      verbosity,
      async action(deps) {
        const { runScheduleListAction } = await import('./commands/schedule-list.js');
        await runScheduleListAction(deps, opts);
      },
    };
  }
  return undefined;
}

export async function main(argv: string[], over: DepsOverrides | Deps = {}): Promise<number | undefined> {
  const plan = fastPlan(argv);
  if (!plan) return undefined;
  return run(over, async (deps, setExitCode, onAction) => {
    deps.io.verbosity = plan.verbosity;
    onAction(plan.path, plan.opts);
    await plan.action(deps, setExitCode);
  });
}

/** The commands this bundle may key its code cache by (bin/socialync.cjs). */
export const commandNames: readonly string[] = ['status', 'schedule'];
