import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import type { TeamStatus } from '../secrets/team-status.js';
import { fixAndHint, printJson } from '../core/json.js';

/** Public JSON schema of `team status --json` (docs/json.md): every field present, null when it does not apply. */
export interface TeamStatusJson {
  store: string;
  teamId: string | null;
  keyVersion: number | null;
  entries: number | null;
  /** This machine's name and state (null: it never joined). */
  machine: string | null;
  machineState: 'pending' | 'member' | 'unknown' | null;
  /** Whether this machine's key opens the data key (null: not a member, nothing to try). */
  unlocked: boolean | null;
  dataKeyFingerprint: string | null;
  message: string | null;
  fix: string | null;
  hint: string | null;
  machines: { machine: string; state: 'pending' | 'member'; fingerprint: string; thisMachine: boolean; requestedAt: string; approvedAt: string | null; approvedBy: string | null }[];
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function teamStatusJson(s: TeamStatus): TeamStatusJson {
  const failed = s.unlock && !s.unlock.ok ? s.unlock : undefined;
  return {
    store: s.store,
    teamId: s.team?.id ?? null,
    keyVersion: s.team?.keyVersion ?? null,
    entries: s.team?.entries ?? null,
    machine: s.thisMachine?.name ?? null,
    machineState: s.thisMachine?.state ?? null,
    unlocked: s.unlock ? s.unlock.ok : null,
    dataKeyFingerprint: s.unlock?.ok ? s.unlock.dataKeyFingerprint : null,
    message: failed?.error ?? null,
    ...(failed ? fixAndHint(failed.hint) : { fix: null, hint: null }),
    machines: s.machines.map(({ name, ...m }) => ({ machine: name, ...m, requestedAt: iso(m.requestedAt)!, approvedAt: iso(m.approvedAt) })),
  };
}

export async function runTeamStatus(deps: Deps): Promise<TeamStatus> {
  const [{ teamContext }, { teamStatus }] = await Promise.all([import('../secrets/team-open.js'), import('../secrets/team-status.js')]);
  return teamStatus(await teamContext(deps));
}

function render(deps: Deps, s: TeamStatus): void {
  if (!s.team) {
    deps.io.info(`no team in ${s.store}; on the first machine run: socialync team init`);
    return;
  }
  for (const m of s.machines) deps.io.out([m.thisMachine ? `${m.name} (this machine)` : m.name, m.state, m.fingerprint, m.approvedBy ?? '-'].join('\t'));
  deps.io.info(`store: ${s.store}; data key version ${s.team.keyVersion}; ${s.team.entries} secret(s)`);
  if (!s.thisMachine) deps.io.info('this machine is not in the team: socialync team join');
  else if (s.thisMachine.state === 'pending') deps.io.info(`this machine waits for approval: on a member run socialync team approve ${s.thisMachine.name}`);
  if (s.unlock?.ok) deps.io.info(`this machine's key opens the data key (fingerprint ${s.unlock.dataKeyFingerprint})`);
  else if (s.unlock) deps.io.err(`this machine's key does not open the data key: ${s.unlock.error}${s.unlock.hint ? `\n${s.unlock.hint}` : ''}`);
}

export function registerTeamStatus(team: Command, { deps, setExitCode }: CommandContext): void {
  team
    .command('status')
    .description('the machines of the team, which one this is, and whether its key opens the team secrets')
    .option('--json', 'print JSON (fields: docs/json.md)')
    .addHelpText('after', `
Examples:
  $ socialync team status
  $ socialync team status --json`)
    .action(async (o: { json?: boolean; jq?: string }) => {
      const s = await runTeamStatus(deps);
      if (s.unlock && !s.unlock.ok) setExitCode(1);
      if (o.json) return await printJson(deps.io, teamStatusJson(s), o.jq);
      render(deps, s);
    });
}
