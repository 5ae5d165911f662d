import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import type { JoinResult } from '../secrets/team-admin.js';

export async function runTeamJoin(deps: Deps, o: { name?: string }): Promise<JoinResult> {
  const [{ teamContext }, { joinTeam }] = await Promise.all([import('../secrets/team-open.js'), import('../secrets/team-admin.js')]);
  return joinTeam(await teamContext(deps), { name: o.name ?? hostname() });
}

export function registerTeamJoin(team: Command, { deps }: CommandContext): void {
  team
    .command('join')
    .description("ask to join the team: registers this machine's public key, a member approves it")
    .option('--name <machine>', "this machine's name in the team (default: the host name)")
    .addHelpText('after', `
The private key stays in this machine's secret store (keychain or key file); only the public
key goes into the database. Compare the fingerprint with the one the approving member sees.

Examples:
  $ socialync team join
  $ socialync team join --name laptop-anna`)
    .action(async (o: { name?: string }) => {
      const r = await runTeamJoin(deps, o);
      deps.io.out(`${r.machine}\t${r.state}\t${r.fingerprint}`);
      if (r.state === 'pending') deps.io.info(`waiting for approval; on a member machine run: socialync team approve ${r.machine} --fingerprint ${r.fingerprint}`);
      else deps.io.info(`${r.machine} is already a member: socialync team status`);
    });
}
