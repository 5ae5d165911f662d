import type { Command } from 'commander';
import type { CommandContext } from '../program.js';
import type { Deps } from '../deps.js';
import { CancelledError, UsageError } from '../core/errors.js';

export async function runTeamApprove(deps: Deps, name: string, o: { fingerprint?: string }): Promise<{ machine: string; already: boolean }> {
  const [{ teamContext }, { approveMachine }, { teamStatus }] = await Promise.all([
    import('../secrets/team-open.js'),
    import('../secrets/team-admin.js'),
    import('../secrets/team-status.js'),
  ]);
  const ctx = await teamContext(deps);
  let fingerprint = o.fingerprint;
  if (!fingerprint) {
    const shown = (await teamStatus(ctx)).machines.find((m) => m.name === name);
    if (!shown || !deps.io.canPrompt) {
      throw new UsageError(`approving ${name} needs the fingerprint \`socialync team join\` printed there`, `run: socialync team approve ${name} --fingerprint <fp>`);
    }
    if (!(await deps.prompts.confirm(`Does ${name} show the fingerprint ${shown.fingerprint}?`, false))) {
      throw new CancelledError('not approved', { hint: `if ${name} shows another fingerprint, someone else registered that name: socialync team remove ${name}` });
    }
    fingerprint = shown.fingerprint;
  }
  return approveMachine(ctx, { name, fingerprint });
}

export function registerTeamApprove(team: Command, { deps }: CommandContext): void {
  team
    .command('approve')
    .description('let a machine that ran `team join` read the team secrets (wraps the data key for its public key)')
    .argument('<machine>', 'the name the machine joined with')
    .option('--fingerprint <fp>', 'the fingerprint `team join` printed on that machine (asked for on a terminal)')
    .addHelpText('after', `
Examples:
  $ socialync team approve laptop-anna
  $ socialync team approve laptop-anna --fingerprint 3f2a-91c0-77de-0b14-c5e8`)
    .action(async (name: string, o: { fingerprint?: string }) => {
      const r = await runTeamApprove(deps, name, o);
      deps.io.info(r.already ? `${r.machine} is already a member` : `✓ ${r.machine} approved: it can now read and write the team's secrets`);
    });
}
