import { printJson } from '../core/json.js';
import type { Command } from 'commander';
import type { CommandContext, SetExitCode } from '../program.js';
import type { Deps } from '../deps.js';
import { DAY } from '../core/clock.js';
import { ExitCode, reconnectReasonText } from '../core/errors.js';
import { iso } from '../core/format.js';
import { printable } from '../core/printable.js';
import { width as columnsOf } from '../core/text-width.js';
import { parsePlatform } from '../providers/registry.js';
import { deadlineSoon, reconnectDeadline } from '../auth/deadlines.js';
import type { Connection, LockHolder } from '../store/types.js';
import { secretKeys } from '../secrets/types.js';
import { missingKeys } from '../secrets/names.js';
import { describeOwner, ownerState } from '../auth/owner.js';
import { describeStore, storeChoice } from '../store/database-url.js';

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
  /** The full lifetime in days of what runs out at reconnectBy (`status` draws the days left against it); null when unknown. */
  lifetimeDays: number | null;
  lastRefreshAt: string | null;
  /** The exact command that fixes this connection, when one is needed. */
  fix: string | null;
  /** A refresh lease held on this connection right now: by whom, until when, and whether that process is gone. */
  refreshLock: LockInfo | null;
}

/** Who holds a lease or a publish claim (`status`, `schedule show`). */
export interface LockInfo {
  /** "pid 1234 on this machine (host)" or "pid 1234 on otherhost". */
  holder: string;
  until: string | null;
  /** The holder was a process of this machine that no longer exists: the next run takes over at once. */
  ownerGone: boolean;
}

export function lockInfo(owner: string | null, until: number | null): LockInfo {
  return { holder: describeOwner(owner), until: iso(until), ownerGone: ownerState(owner) === 'dead' };
}

/** One line for a held lease or claim: who, until when, and what happens next. */
export function lockText(l: LockInfo, what: string): string {
  return l.ownerGone
    ? `${what} by ${l.holder}, which no longer runs; the next run takes it over at once`
    : `${what} by ${l.holder}${l.until ? ` until ${l.until}` : ''}`;
}

export function registerStatus(program: Command, { deps, setExitCode }: CommandContext): void {
  program
    .command('status')
    .description('show the health of every connection and the command that fixes it')
    .argument('[platform]', 'only this platform')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
On a terminal the table fits the window: a short reason in HEALTH, the platform's message and
the fix under each row that needs attention; -v shows every detail in full. Piped: one
tab-separated line per connection (platform, name, health, access expiry, days, reconnect by,
last refresh, reason, fix).

Examples:
  $ socialync status
  $ socialync status -v
  $ socialync status tiktok --json
  $ socialync status --jq '.[] | select(.health != "healthy") | .fix'
Exit code 4 when any connection needs a reconnect now or within the warning window.`)
    .action((platform: string | undefined, o: { json?: boolean; jq?: string }) => runStatusAction(deps, setExitCode, platform, o));
}

/** The action of `status`. */
export async function runStatusAction(deps: Deps, setExitCode: SetExitCode, platform: string | undefined, o: { json?: boolean; jq?: string }): Promise<void> {
  const entries = await runStatus(deps, platform ? { platform: parsePlatform(platform) } : {});
  if (o.json) await printJson(deps.io, entries, o.jq);
  else await renderStatus(deps, entries);
  if (entries.some((e) => e.health !== 'healthy')) setExitCode(ExitCode.reconnectNeeded);
}

/** `secretMissing`: the connection's tokens are not in the vault (it cannot work whatever its row says). */
export function statusEntry(c: Connection, now: number, warnDays: number, secretMissing = false, lock?: LockHolder): StatusEntry {
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
  } else if (deadlineSoon(dl, now, warnDays)) health = 'expiring';
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
    lifetimeDays: dl.lifetimeMs === null ? null : Math.round(dl.lifetimeMs / DAY),
    lastRefreshAt: iso(c.lastRefreshAt),
    fix,
    refreshLock: lock ? lockInfo(lock.owner, lock.expiresAt) : null,
  };
}

export async function runStatus(deps: Deps, filter: { platform?: Connection['platform'] }): Promise<StatusEntry[]> {
  const store = await deps.store();
  const now = deps.clock.now();
  const warnDays = deps.config.get<number>('warnDays') ?? 14;
  const conns = await store.listConnections(filter);
  const missing = missingConnectionSecrets(deps, conns);
  const locks = new Map((await store.listLocks('refresh:', now)).map((l) => [l.name.slice('refresh:'.length), l]));
  return conns.map((c) => statusEntry(c, now, warnDays, missing.has(c.id), locks.get(c.id)));
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
  const choice = storeChoice(deps.env, deps.config, deps.paths.stateDb);
  // Team mode is said even when piped (on stderr, so the TSV keeps its columns).
  if (choice.kind === 'postgres' && (!entries.length || !io.stdoutIsTTY)) io.info(`state: ${describeStore(choice)}`);
  if (!entries.length) {
    io.info('No connections yet. Run: socialync connect <platform>   (or try: socialync sandbox demo)');
    return;
  }
  // On stderr, so the piped TSV keeps its columns.
  for (const e of entries) if (e.refreshLock) io.info(`${e.platform}/${e.account}: ${lockText(e.refreshLock, 'being refreshed')}`);
  if (!io.stdoutIsTTY) {
    for (const e of entries) {
      io.out([e.platform, e.account, e.health, e.accessExpiresAt ?? '', e.daysUntilReconnect ?? '', e.reconnectBy ?? '', e.lastRefreshAt ?? '', e.reasonText ?? '', e.fix ?? ''].join('\t'));
    }
    return;
  }
  const store = await deps.store();
  const conns = new Map((await store.listConnections()).map((c) => [`${c.platform}/${c.name}`, c]));
  const [{ Chalk }, { statusTable }] = await Promise.all([import('chalk'), import('./status-view.js')]);
  const chalk = new Chalk({ level: io.color ? 1 : 0 });
  const verbose = io.verbosity === 'verbose' || io.verbosity === 'debug';
  io.out(statusTable(entries, { now: deps.clock.now(), width: io.columns, verbose, chalk, connection: (e) => conns.get(`${e.platform}/${e.account}`) }).join('\n'));
  const { describeSecretBackend } = await import('../secrets/open.js');
  const where = describeSecretBackend({ paths: deps.paths, env: deps.env, config: deps.config });
  const team = deps.config.get<string>('team.machineName');
  const secrets = team ? `team vault in the database, this machine ${team} (socialync team status)` : `${where.backend === 'file' ? 'file backend' : 'OS keychain'} (${where.location})`;
  const notes = [`state: ${describeStore(choice)}`, `secrets: ${secrets}`];
  if (entries.some((e) => e.reconnectByEstimated)) notes.push('~ = estimated');
  if (!verbose && entries.some((e) => e.health !== 'healthy')) notes.push('details: socialync status -v');
  io.info(fitNotes(notes, io.columns));
}

/** The footer notes joined by " · " while they fit the width, else one per line. */
function fitNotes(notes: string[], width: number): string {
  const one = notes.join(' · ');
  return columnsOf(one) <= width ? one : notes.join('\n');
}
