import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { UsageError } from '../core/errors.js';
import type { CronSystem } from '../cron/system.js';
import type { CheckGroup, DoctorReport } from '../doctor/types.js';

export type { DoctorReport, CheckResult } from '../doctor/types.js';

const GROUP_TITLE: Record<CheckGroup, string> = {
  system: 'System',
  config: 'Config',
  files: 'Files',
  state: 'State database',
  secrets: 'Secrets',
  apps: 'Apps',
  ports: 'Redirect ports',
  network: 'Network',
  clock: 'Clock',
  connections: 'Connections',
  scheduler: 'Scheduled refresh',
  notify: 'Notifications',
};

async function renderDoctor(deps: Deps, r: DoctorReport): Promise<void> {
  const { io } = deps;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: io.color ? 1 : 0 });
  const label = { ok: c.green('ok  '), warn: c.yellow('warn'), fail: c.red('fail'), skip: c.dim('skip') };
  const quiet = io.verbosity === 'quiet';
  const lines: string[] = [];
  let group: CheckGroup | undefined;
  for (const x of r.checks) {
    if (quiet && (x.status === 'ok' || x.status === 'skip')) continue;
    if (x.group !== group) {
      group = x.group;
      if (!quiet) lines.push(c.bold(GROUP_TITLE[x.group]));
    }
    lines.push(`  ${label[x.status]}  ${x.title}`);
    if (x.fix || x.hint) lines.push(`        fix: ${x.hint ?? `run: ${x.fix}`}`);
    if (x.detail.length && (io.verbosity === 'verbose' || io.verbosity === 'debug')) for (const d of x.detail) lines.push(c.dim(`        ${d}`));
  }
  const n = r.counts;
  const summary = `${n.fail} failed, ${n.warn} warning${n.warn === 1 ? '' : 's'}, ${n.ok} ok${n.skip ? `, ${n.skip} skipped` : ''}`;
  if (lines.length) io.out(lines.join('\n'));
  if (!quiet || n.fail) io.out(n.fail ? c.red(summary) : summary);
}

export function registerDoctor(program: Command, { deps, setExitCode }: CommandContext, o: { cron?: CronSystem } = {}): void {
  program
    .command('doctor')
    .description('check the setup (Node, secrets, files, database, config, apps, ports, clock, network, connections, cron) and print the fix for each problem')
    .option('--offline', 'skip the checks that use the network (reachability, clock, live who-am-I)')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .option('--timeout <seconds>', 'timeout of each network check', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got "${v}"`);
      return n;
    })
    .addHelpText('after', `
Each check prints ok, warn or fail; every warn and fail comes with the exact fix.
Exit code 1 when any check fails, 0 otherwise (warnings do not fail).

Examples:
  $ socialync doctor
  $ socialync doctor --offline          no network: local checks only
  $ socialync doctor --jq '.checks[] | select(.status == "fail") | .title'`)
    .action(async (opts: { offline?: boolean; json?: boolean; jq?: string; timeout?: number }) => {
      const { runDoctor } = await import('../doctor/run.js');
      const r = await runDoctor(deps, { offline: Boolean(opts.offline), ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}), ...(o.cron ? { cron: o.cron } : {}) });
      if (opts.json) await printJson(deps.io, r, opts.jq);
      else await renderDoctor(deps, r);
      setExitCode(r.exitCode);
    });
}
