/**
 * Runs every doctor check in order. Earlier checks leave facts for later ones
 * (the secret backend report, whether the state DB is usable). A check that
 * throws becomes a `fail` line instead of stopping the others.
 */
import type { Deps } from '../deps.js';
import { ExitCode } from '../core/errors.js';
import { systemCron } from '../cron/system.js';
import { VERSION } from '../version.js';
import { checkNode } from './system.js';
import { checkSecrets } from './secrets.js';
import { checkPermissions } from './files.js';
import { checkState } from './state.js';
import { checkConfig } from './config.js';
import { checkApps, checkPorts } from './apps.js';
import { checkNetwork } from './network.js';
import { checkConnections } from './connections.js';
import { checkScheduler } from './scheduler.js';
import { checkNotify } from './notify.js';
import { checkTeam } from './team.js';
import { result, type Check, type CheckGroup, type CheckResult, type CheckStatus, type DoctorContext, type DoctorOptions, type DoctorReport } from './types.js';

const CHECKS: [CheckGroup, Check][] = [
  ['system', checkNode],
  ['config', checkConfig],
  ['files', checkPermissions],
  ['state', checkState],
  ['secrets', checkSecrets],
  ['secrets', checkTeam],
  ['apps', checkApps],
  ['ports', checkPorts],
  ['network', checkNetwork],
  ['connections', checkConnections],
  ['scheduler', checkScheduler],
  ['notify', checkNotify],
];

export async function runDoctor(deps: Deps, o: DoctorOptions = {}): Promise<DoctorReport> {
  const ctx: DoctorContext = {
    deps,
    offline: Boolean(o.offline),
    timeoutMs: o.timeoutMs ?? 5000,
    cron: o.cron ?? systemCron(deps.env),
    nodeVersion: o.nodeVersion ?? process.versions.node,
  };
  const checks: CheckResult[] = [];
  for (const [group, check] of CHECKS) {
    try {
      checks.push(...(await check(ctx)));
    } catch (e) {
      checks.push(result(group, group, 'fail', `${group} check crashed: ${(e as Error).message}`, 'run again with --debug and report it at https://github.com/socialync/socialync/issues'));
    }
  }
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  const exitCode = counts.fail ? ExitCode.failed : ExitCode.ok;
  return { exitCode, ok: exitCode === 0, offline: ctx.offline, checkedAt: new Date(deps.clock.now()).toISOString(), version: VERSION, counts, checks };
}
