/**
 * `secrets where` in team mode: the secrets live in the team vault of the shared PostgreSQL
 * store, not in this machine's own backend, which keeps only this machine's private key. Says
 * which store, which team, and this machine's name and public-key fingerprint (what `team
 * status` shows to compare machines). Reads public facts only: nothing is unlocked.
 */
import type { Deps } from '../deps.js';
import { databaseLabel } from './team-open.js';
import { CONFIG_KEYS } from './team-admin.js';
import { describeSecretBackend } from './open.js';
import { machineFingerprint } from './team-crypto.js';

/** Public JSON schema of `secrets where --json` (docs/json.md): the team fields are null outside team mode. */
export interface SecretsWhereJson {
  backend: 'keychain' | 'file' | 'team';
  location: string;
  detail: string | null;
  /** The shared store holding the team vault (URL without password). */
  teamStore: string | null;
  teamId: string | null;
  /** This machine's name in the team, and its public key's fingerprint (null: not in the team). */
  machine: string | null;
  machineFingerprint: string | null;
  /** Where this machine's own private key is kept (its keychain or key-file vault). */
  machineKey: string | null;
}

const NO_TEAM = { teamStore: null, teamId: null, machine: null, machineFingerprint: null, machineKey: null };

export async function secretsWhere(deps: Deps): Promise<SecretsWhereJson> {
  const local = describeSecretBackend({ paths: deps.paths, env: deps.env, config: deps.config });
  const machineId = deps.config.get<string>(CONFIG_KEYS.machineId);
  if (!machineId) return { backend: local.backend, location: local.location, detail: local.detail ?? null, ...NO_TEAM };
  const store = databaseLabel(deps);
  const tables = (await deps.store()).teamTables?.();
  const [team, machines] = tables ? await Promise.all([tables.readTeam(), tables.listMachines()]) : [undefined, []];
  const me = machines.find((m) => m.id === machineId);
  const name = me?.name ?? deps.config.get<string>(CONFIG_KEYS.machineName) ?? machineId;
  const fingerprint = me ? machineFingerprint(me.publicKey) : null;
  const machineKey = `${local.location}${local.detail ? ` (${local.detail})` : ''}`;
  return {
    backend: 'team',
    location: `team vault in the shared store ${store}`,
    detail: `team ${team?.id ?? '(none: run socialync team init)'}; this machine ${name}${fingerprint ? `, fingerprint ${fingerprint}` : ' (not in the team: run socialync team join)'}; its private key: ${machineKey}`,
    teamStore: store,
    teamId: team?.id ?? null,
    machine: name,
    machineFingerprint: fingerprint,
    machineKey,
  };
}
