/**
 * Team mode (docs/team.md): this machine is a member and its own key (in its keychain or key
 * file) unwraps the team's data key. Nothing to check when the profile is not in a team.
 */
import { CliError } from '../core/errors.js';
import { result, type Check } from './types.js';

export const checkTeam: Check = async (ctx) => {
  const { deps } = ctx;
  const { inTeam, teamContext } = await import('../secrets/team-open.js');
  if (!inTeam(deps.config)) return [];
  try {
    const { teamStatus } = await import('../secrets/team-status.js');
    const s = await teamStatus(await teamContext(deps));
    const name = s.thisMachine?.name ?? '<this machine>';
    if (!s.team) return [result('secrets', 'secrets.team', 'fail', `no team in ${s.store}, though this machine was set up for one`, 'on the first machine run: socialync team init')];
    if (s.thisMachine?.state === 'pending') return [result('secrets', 'secrets.team', 'warn', `team: ${name} waits for approval`, `on a member machine run: socialync team approve ${name}`)];
    if (s.thisMachine?.state !== 'member') return [result('secrets', 'secrets.team', 'fail', `team: ${name} is not a member of the team in ${s.store}`, 'run: socialync team join')];
    if (s.unlock?.ok) {
      return [result('secrets', 'secrets.team', 'ok', `team: ${name}'s key opens the data key (version ${s.team.keyVersion}, fingerprint ${s.unlock.dataKeyFingerprint})`, undefined, [`store: ${s.store}`])];
    }
    return [result('secrets', 'secrets.team', 'fail', `team: ${name}'s key does not open the data key: ${s.unlock?.error ?? 'not checked'}`, s.unlock && !s.unlock.ok ? s.unlock.hint : undefined)];
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return [result('secrets', 'secrets.team', 'fail', `team: ${e.message}`, e.hint)];
  }
};
