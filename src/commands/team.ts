import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import { pick, type Registrar } from './index.js';

type VerbRegistrar = (team: Command, ctx: CommandContext) => void;

/** One file per verb, each imported only when its verb runs (as schedule.ts). */
const verbs: [name: string, load: () => Promise<VerbRegistrar>][] = [
  ['init', async () => (await import('./team-init.js')).registerTeamInit],
  ['join', async () => (await import('./team-join.js')).registerTeamJoin],
  ['approve', async () => (await import('./team-approve.js')).registerTeamApprove],
  ['remove', async () => (await import('./team-remove.js')).registerTeamRemove],
  ['leave', async () => (await import('./team-leave.js')).registerTeamLeave],
  ['status', async () => (await import('./team-status.js')).registerTeamStatus],
];

export async function teamRegistrar(argv?: string[]): Promise<Registrar> {
  const words = argv?.filter((a) => !a.startsWith('-')) ?? [];
  const verb = words[0] === 'team' ? words[1] : undefined;
  const loaded = await Promise.all(pick(verbs, verb).map(([, load]) => load()));
  return (program, ctx) => registerTeam(program, ctx, loaded);
}

/** `socialync team init|join|approve|remove|leave|status` (docs/team.md). */
export function registerTeam(program: Command, ctx: CommandContext, registrars: VerbRegistrar[]): void {
  const team = program
    .command('team')
    .description('share connections between machines through the PostgreSQL store, secrets encrypted per machine')
    .addHelpText('after', `
Setup (docs/team.md):
  first machine:   socialync team init
  another machine: socialync team join              (prints its fingerprint)
  a member:        socialync team approve <machine> --fingerprint <fp>

Examples:
  $ socialync team status
  $ socialync team remove old-laptop`);
  for (const register of registrars) register(team, ctx);
}
