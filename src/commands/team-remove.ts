import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CancelledError } from '../core/errors.js';

export interface TeamRemoveResult {
  machine: string;
  /** The new data key version (absent when a pending request was dropped). */
  rekeyedTo?: number;
  entries?: number;
}

export async function runTeamRemove(deps: Deps, name: string, o: { yes?: boolean }): Promise<TeamRemoveResult> {
  const [{ teamContext }, { removeMachine }] = await Promise.all([import('../secrets/team-open.js'), import('../secrets/team-admin.js')]);
  const ctx = await teamContext(deps);
  if (!o.yes && deps.io.canPrompt && !(await deps.prompts.confirm(`Remove ${name} from the team (re-encrypts every team secret under a new key)?`, false))) {
    throw new CancelledError();
  }
  return removeMachine(ctx, { name });
}

export function describeRemoval(r: TeamRemoveResult): string {
  return r.rekeyedTo
    ? `✓ ${r.machine} removed; ${r.entries} secret(s) re-encrypted under data key version ${r.rekeyedTo}, wrapped for the remaining members only`
    : `✓ ${r.machine}'s request to join was dropped`;
}

export function registerTeamRemove(team: Command, { deps }: CommandContext): void {
  team
    .command('remove')
    .description('remove a machine: a new data key, every secret re-encrypted, the machine can no longer unwrap it')
    .argument('<machine>', 'the machine name (socialync team status)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', `
Tokens the removed machine already read stay valid at the platforms: reconnect those
accounts if the machine was lost or stolen (docs/team.md#removing-a-machine).

Examples:
  $ socialync team remove old-laptop
  $ socialync team remove old-laptop --yes`)
    .action(async (name: string, o: { yes?: boolean }) => {
      const r = await runTeamRemove(deps, name, o);
      deps.io.info(describeRemoval(r));
    });
}
