import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext, SetExitCode } from '../program.js';
import type { Deps } from '../deps.js';
import { DAY } from '../core/clock.js';
import { ExitCode, reconnectReasonText } from '../core/errors.js';
import { humanDuration, iso, relativeTime } from '../core/format.js';
import { printable } from '../core/printable.js';
import { parsePlatform } from '../providers/registry.js';
import { reconnectDeadline } from '../auth/deadlines.js';
import type { Connection } from '../store/types.js';
import { secretKeys } from '../secrets/types.js';
import { missingKeys } from '../secrets/names.js';

/** Public JSON schema of `socialync status --json` (an array of these). Stable: add fields, never rename. */
export interface StatusEntry {
  platform: string;
  /** The connection's name (`--name` of connect, `--account` elsewhere). */
  account: string;
  accountId: string;
  username: string | null;
  /** green healthy, yellow expiring (manual reconnect due within warnDays), red needs_reconnect. */
  health: 'healthy' | 'expiring' | 'needs_reconnect';
  reason: string | null;
  reasonText: string | null;
  accessExpiresAt: string | null;
  /** Date by which a manual reconnect is needed (refresh-token expiry or the platform's reconnect deadline). */
  reconnectBy: string | null;
  daysUntilReconnect: number | null;
  /** reconnectBy is an estimate (the platform does not say; e.g. Meta's 60 days from the last login). */
  reconnectByEstimated: boolean;
  reconnectWhy: string | null;
  lastRefreshAt: string | null;
  /** The exact command that fixes this connection, when one is needed. */
  fix: string | null;
}

export function registerStatus(program: Command, { deps, setExitCode }: CommandContext): void {
  program
    .command('status')
    .description('show the health of every connection and the command that fixes it')
    .argument('[platform]', 'only this platform')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync status
  $ socialync status tiktok --json
  $ socialync status --jq '.[] | select(.health != "healthy") | .fix'
Exit code 4 when any connection needs a reconnect now or within the warning window.`)
    .action((platform: string | undefined, o: { json?: boolean; jq?: string }) => runStatusAction(deps, setExitCode, platform, o));
}

/** The action of `status` (also run by fast.ts without commander). */
export async function runStatusAction(deps: Deps, setExitCode: SetExitCode, platform: string | undefined, o: { json?: boolean; jq?: string }): Promise<void> {
  const entries = await runStatus(deps, platform ? { platform: parsePlatform(platform) } : {});
  if (o.json) await printJson(deps.io, entries, o.jq);
  else await renderStatus(deps, entries);
  if (entries.some((e) => e.health !== 'healthy')) setExitCode(ExitCode.reconnectNeeded);
}

/** `secretMissing`: the connection's tokens are not in the vault (it cannot work whatever its row says). */
export function statusEntry(c: Connection, now: number, warnDays: number, secretMissing = false): StatusEntry {
  const dl = reconnectDeadline(c, now);
  let health: StatusEntry['health'] = 'healthy';
  let reason: string | null = c.reason;
  if (secretMissing) {
    health = 'needs_reconnect';
    reason = 'secret_missing';
  } else if (c.health === 'needs_reconnect') health = 'needs_reconnect';
  else if (dl.at !== null && dl.at <= now) {
    health = 'needs_reconnect';
    reason = 'token_expired';
  } else if (dl.at !== null && dl.at - now <= warnDays * DAY) health = 'expiring';
  const fix = health === 'healthy' ? null : `socialync connect ${c.platform} --name ${c.name}`;
  return {
    platform: c.platform,
    account: c.name,
    accountId: c.accountId,
    username: c.username,
    health,
    reason,
    reasonText: health === 'needs_reconnect' ? ((secretMissing || c.reasonDetail === null ? null : printable(c.reasonDetail)) ?? reconnectReasonText[(reason ?? 'unknown') as keyof typeof reconnectReasonText] ?? reason) : null,
    accessExpiresAt: iso(c.accessExpiresAt),
    reconnectBy: iso(dl.at),
    daysUntilReconnect: health === 'needs_reconnect' ? 0 : dl.at === null ? null : Math.floor((dl.at - now) / DAY),
    reconnectByEstimated: dl.estimated,
    reconnectWhy: dl.why || null,
    lastRefreshAt: iso(c.lastRefreshAt),
    fix,
  };
}

export async function runStatus(deps: Deps, filter: { platform?: Connection['platform'] }): Promise<StatusEntry[]> {
  const store = await deps.store();
  const now = deps.clock.now();
  const warnDays = deps.config.get<number>('warnDays') ?? 14;
  const conns = await store.listConnections(filter);
  const missing = missingConnectionSecrets(deps, conns);
  return conns.map((c) => statusEntry(c, now, warnDays, missing.has(c.id)));
}

/** Ids of connections whose tokens are gone from the vault (read from its file names: no unlocking). */
export function missingConnectionSecrets(deps: Pick<Deps, 'paths'>, conns: Connection[]): Set<string> {
  if (!conns.length) return new Set();
  const byKey = new Map(conns.map((c) => [secretKeys.connection(c.id), c.id]));
  const gone = missingKeys(deps.paths.vaultDir, [...byKey.keys()]);
  return new Set([...(gone ?? [])].map((k) => byKey.get(k)!));
}

export async function renderStatus(deps: Deps, entries: StatusEntry[]): Promise<void> {
  const { io } = deps;
  const now = deps.clock.now();
  if (!entries.length) {
    io.info('No connections yet. Run: socialync connect <platform>   (or try: socialync sandbox demo)');
    return;
  }
  const days = (e: StatusEntry) =>
    e.health === 'needs_reconnect' ? 'now' : e.daysUntilReconnect === null ? 'none' : `${e.reconnectByEstimated ? '~' : ''}${e.daysUntilReconnect}`;
  const access = (e: StatusEntry) => (e.accessExpiresAt ? humanDuration(Date.parse(e.accessExpiresAt) - now) : 'never');
  const last = (e: StatusEntry) => relativeTime(e.lastRefreshAt ? Date.parse(e.lastRefreshAt) : null, now);
  if (!io.stdoutIsTTY) {
    for (const e of entries) {
      io.out([e.platform, e.account, e.health, e.accessExpiresAt ?? '', e.daysUntilReconnect ?? '', e.reconnectBy ?? '', e.lastRefreshAt ?? '', e.reasonText ?? '', e.fix ?? ''].join('\t'));
    }
    return;
  }
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: io.color ? 1 : 0 });
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['PLATFORM', 'ACCOUNT', 'HEALTH', 'ACCESS EXPIRES', 'DAYS TO RECONNECT', 'LAST REFRESH', 'FIX'],
    style: { head: io.color ? ['bold'] : [], border: io.color ? ['grey'] : [], compact: true },
  });
  for (const e of entries) {
    const paint = e.health === 'healthy' ? chalk.green : e.health === 'expiring' ? chalk.yellow : chalk.red;
    const label = e.health === 'needs_reconnect' ? `needs reconnect${e.reasonText ? ` (${e.reasonText})` : ''}` : e.health;
    table.push([e.platform, e.username ? `${e.account} (@${e.username})` : e.account, paint(label), access(e), days(e), last(e), e.fix ?? '']);
  }
  io.out(table.toString());
  const { describeSecretBackend } = await import('../secrets/open.js');
  const where = describeSecretBackend({ paths: deps.paths, env: deps.env, config: deps.config });
  io.info(`secrets: ${where.backend === 'file' ? 'file backend' : 'OS keychain'} (${where.location}) · ~ = estimated`);
}
