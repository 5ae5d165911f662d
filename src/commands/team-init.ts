import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import type { InitResult } from '../secrets/team-admin.js';

export async function runTeamInit(deps: Deps, o: { name?: string }): Promise<InitResult> {
  const [{ teamContext }, { initTeam }] = await Promise.all([import('../secrets/team-open.js'), import('../secrets/team-admin.js')]);
  return initTeam(await teamContext(deps), { name: o.name ?? hostname() });
}

export function registerTeamInit(team: Command, { deps }: CommandContext): void {
  team
    .command('init')
    .description("create the team on the first machine and move this profile's secrets into the database, encrypted")
    .option('--name <machine>', 'this machine\'s name in the team (default: the host name)')
    .addHelpText('after', `
Each secret is copied, read back and compared before its local copy is removed; a run cut
short is resumed by running it again.

Examples:
  $ socialync team init
  $ socialync team init --name office-server`)
    .action(async (o: { name?: string }) => {
      const r = await runTeamInit(deps, o);
      deps.io.info(`✓ team ${r.resumed ? 'resumed' : 'created'} with ${r.machine} as member; ${r.moved.length} secret(s) moved into the database${r.databaseNewer.length ? `, ${r.databaseNewer.length} local copies dropped (the database held newer values)` : ''}`);
      deps.io.info(`data key fingerprint ${r.dataKeyFingerprint} (every member shows the same one in: socialync team status)`);
      deps.io.info('next, on another machine: socialync team join');
    });
}
