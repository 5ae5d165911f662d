/**
 * `team status`: the machines of the team, which one this is, and whether this machine's key
 * opens the data key (what `doctor` checks too). Shows only public facts: names, states,
 * public-key fingerprints, the key version and the data key's fingerprint (a one-way tag that
 * lets people compare machines without revealing the key).
 */
import { CliError } from '../core/errors.js';
import { dataKeyFingerprint, machineFingerprint } from './team-crypto.js';
import type { MachineState } from './team-tables.js';
import { teamVaultFor, thisMachine, type TeamContext } from './team-admin.js';

export interface TeamMachineStatus {
  name: string;
  state: MachineState;
  fingerprint: string;
  thisMachine: boolean;
  requestedAt: number;
  approvedAt: number | null;
  approvedBy: string | null;
}

export interface TeamStatus {
  store: string;
  team: { id: string; keyVersion: number; entries: number } | null;
  thisMachine: { name: string; state: MachineState | 'unknown' } | null;
  /** Whether this machine's key opens the data key, and the key's fingerprint when it does. */
  unlock: { ok: true; dataKeyFingerprint: string } | { ok: false; error: string; hint?: string } | null;
  machines: TeamMachineStatus[];
}

export async function teamStatus(ctx: TeamContext): Promise<TeamStatus> {
  const team = await ctx.tables.readTeam();
  const mine = thisMachine(ctx);
  if (!team) return { store: ctx.where, team: null, thisMachine: mine ? { name: mine.name, state: 'unknown' } : null, unlock: null, machines: [] };
  const machines = (await ctx.tables.listMachines()).map((m) => ({
    name: m.name,
    state: m.state,
    fingerprint: machineFingerprint(m.publicKey),
    thisMachine: m.id === mine?.id,
    requestedAt: m.requestedAt,
    approvedAt: m.approvedAt,
    approvedBy: m.approvedBy,
  }));
  const me = machines.find((m) => m.thisMachine);
  return {
    store: ctx.where,
    team: { id: team.id, keyVersion: team.keyVersion, entries: (await ctx.tables.entryNames()).length },
    thisMachine: mine ? { name: mine.name, state: me?.state ?? 'unknown' } : null,
    unlock: mine && me?.state === 'member' ? await tryUnlock(ctx) : null,
    machines,
  };
}

async function tryUnlock(ctx: TeamContext): Promise<NonNullable<TeamStatus['unlock']>> {
  try {
    const k = await teamVaultFor(ctx, thisMachine(ctx)!).unlock();
    return { ok: true, dataKeyFingerprint: dataKeyFingerprint(k.key) };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return { ok: false, error: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  }
}
