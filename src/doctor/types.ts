/**
 * `socialync doctor` result types. `DoctorReport` is the public schema of
 * `doctor --json` (docs/doctor.md): add fields, never rename them.
 */
import type { Deps } from '../deps.js';
import { fixAndHint } from '../core/json.js';
import type { CronSystem } from '../cron/system.js';
import type { SecretBackendReport } from '../secrets/verify.js';
import type { Connection } from '../store/types.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export type CheckGroup = 'system' | 'secrets' | 'files' | 'state' | 'config' | 'apps' | 'ports' | 'clock' | 'network' | 'connections' | 'scheduler' | 'notify';

export interface CheckResult {
  /** Stable id, e.g. "node", "secrets.backend", "ports.x", "clock.tiktok", "whoami.tiktok/alice". */
  id: string;
  group: CheckGroup;
  status: CheckStatus;
  /** One line: what was checked and what was found. */
  title: string;
  /** The socialync command that fixes a warn/fail, runnable as is; null when the fix is not one command. */
  fix: string | null;
  /** What to do, in words (null when `fix` says it all, and for ok/skip). */
  hint: string | null;
  /** Extra lines (shown with --verbose); empty when there are none. */
  detail: string[];
}

export interface DoctorReport {
  /** Same as the exit code: 0 when no check failed, 1 otherwise. */
  exitCode: number;
  ok: boolean;
  offline: boolean;
  /** ISO 8601 UTC. */
  checkedAt: string;
  version: string;
  counts: Record<CheckStatus, number>;
  checks: CheckResult[];
}

export interface DoctorOptions {
  offline?: boolean;
  /** Per network request; default 5000. */
  timeoutMs?: number;
  /** Injected for tests; default the real crontab/systemd. */
  cron?: CronSystem;
  /** Injected for tests; default process.versions.node. */
  nodeVersion?: string;
}

/** What the checks share: deps, options, and facts found by earlier checks. */
export interface DoctorContext {
  deps: Deps;
  offline: boolean;
  timeoutMs: number;
  cron: CronSystem;
  nodeVersion: string;
  /** Set by the secrets check. */
  secrets?: SecretBackendReport;
  /** Set by the state check: false when the state DB cannot be used. */
  stateUsable?: boolean;
  /** Loaded once by loadConnections(). */
  connections?: Connection[];
}

export type Check = (ctx: DoctorContext) => Promise<CheckResult[]>;

/** `advice`: "run: socialync …" or words; split into `fix` and `hint` (docs/json.md). */
export function result(group: CheckGroup, id: string, status: CheckStatus, title: string, advice?: string, detail?: string[]): CheckResult {
  return { id, group, status, title, ...fixAndHint(status === 'ok' ? null : advice), detail: detail ?? [] };
}

/** The connections, when the state DB exists and is usable (never creates it). */
export async function loadConnections(ctx: DoctorContext): Promise<Connection[]> {
  if (ctx.connections) return ctx.connections;
  const { existsSync } = await import('node:fs');
  const { storeChoice } = await import('../store/database-url.js');
  const shared = storeChoice(ctx.deps.env, ctx.deps.config, ctx.deps.paths.stateDb).kind === 'postgres';
  if (ctx.stateUsable === false || (!shared && !existsSync(ctx.deps.paths.stateDb))) return (ctx.connections = []);
  try {
    ctx.connections = await (await ctx.deps.store()).listConnections();
  } catch {
    ctx.connections = [];
  }
  return ctx.connections;
}
