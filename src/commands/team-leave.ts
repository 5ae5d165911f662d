import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CliError } from '../core/errors.js';
import { describeRemoval, runTeamRemove, type TeamRemoveResult } from './team-remove.js';

export async function runTeamLeave(deps: Deps, o: { yes?: boolean }): Promise<TeamRemoveResult> {
  const name = deps.config.get<string>('team.machineName');
  if (!name) throw new CliError('this machine is not in a team', { exitCode: 3, hint: 'run: socialync team status' });
  return runTeamRemove(deps, name, o);
}

export function registerTeamLeave(team: Command, { deps }: CommandContext): void {
  team
    .command('leave')
    .description('remove this machine from the team (as `team remove <this machine>`)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', `
Examples:
  $ socialync team leave --yes`)
    .action(async (o: { yes?: boolean }) => {
      const r = await runTeamLeave(deps, o);
      deps.io.info(describeRemoval(r));
    });
}
