import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import type { TeamStatus } from '../secrets/team-status.js';

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
    .addHelpText('after', `
Examples:
  $ socialync team status`)
    .action(async () => {
      const s = await runTeamStatus(deps);
      if (s.unlock && !s.unlock.ok) setExitCode(1);
      render(deps, s);
    });
}
