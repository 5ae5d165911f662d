/**
 * Team membership (docs/team.md): the first machine creates the data key, a new machine asks
 * to join with its public key, a member approves it by wrapping the data key for that key,
 * and removing a machine re-keys: a new data key, every entry re-encrypted, wrapped again for
 * the remaining members only, all in one transaction. The data key never travels in plain text.
 */
import { CliError } from '../core/errors.js';
import type { SecretStore } from './types.js';
import type { MachineRecord, TeamTables } from './team-tables.js';
import { dataKeyFingerprint, decryptEntry, encryptEntry, machineFingerprint, newDataKey, newMachineKeyPair, publicKeyOf, sealChainLink, wrapDataKey } from './team-crypto.js';
import { LOCAL_KEYS, openTeamVault, type TeamMachineRef, type TeamVault } from './team-vault.js';

/** Where this machine's team identity is kept (config: not secret). */
export const CONFIG_KEYS = { machineId: 'team.machineId', machineName: 'team.machineName' };

export interface TeamContext {
  tables: TeamTables;
  /** This machine's own secret store (keychain or key-file vault). */
  local: SecretStore;
  /** Names held in the local store (read from the vault without its key). */
  localNames(): string[];
  config: { get<T>(path: string): T | undefined; set(path: string, v: unknown): Promise<void>; delete(path: string): Promise<void> };
  clock: { now(): number };
  uuid(): string;
  /** The database, without credentials, for messages. */
  where: string;
}

export function thisMachine(ctx: Pick<TeamContext, 'config'>): TeamMachineRef | undefined {
  const id = ctx.config.get<string>(CONFIG_KEYS.machineId);
  const name = ctx.config.get<string>(CONFIG_KEYS.machineName);
  return id && name ? { id, name } : undefined;
}

export function teamVaultFor(ctx: TeamContext, machine: TeamMachineRef): TeamVault {
  return openTeamVault({ tables: ctx.tables, local: ctx.local, machine, where: ctx.where, clock: ctx.clock });
}

/** This machine's key pair: the one in its secret store, or a new one kept there (read back first). */
async function machinePublicKey(local: SecretStore): Promise<string> {
  const held = await local.get(LOCAL_KEYS.machineKey);
  if (held) return publicKeyOf(held);
  const pair = newMachineKeyPair();
  await local.set(LOCAL_KEYS.machineKey, pair.privateKey);
  if ((await local.get(LOCAL_KEYS.machineKey)) !== pair.privateKey) {
    throw new CliError(`this machine's secret store (${local.describe().location}) did not keep the new team key`, { hint: 'run: socialync doctor' });
  }
  return pair.publicKey;
}

export interface InitResult {
  machine: string;
  resumed: boolean;
  moved: string[];
  databaseNewer: string[];
  dataKeyFingerprint: string;
}

/** `team init`: creates the team with this machine as its first member, then moves this profile's secrets in. */
export async function initTeam(ctx: TeamContext, o: { name: string }): Promise<InitResult> {
  const mine = thisMachine(ctx);
  const team = await ctx.tables.readTeam();
  let resumed = false;
  if (team) {
    if (!mine || !(await ctx.tables.readWrap(mine.id))) {
      throw new CliError(`a team already exists in ${ctx.where}`, { hint: 'to add this machine run: socialync team join' });
    }
    resumed = true;
  }
  const machine = mine ?? { id: ctx.uuid(), name: o.name };
  if (!resumed) {
    const publicKey = await machinePublicKey(ctx.local);
    const dataKey = newDataKey();
    const now = ctx.clock.now();
    const t = { id: ctx.uuid(), keyVersion: 1, createdAt: now };
    const first: MachineRecord = { id: machine.id, name: machine.name, publicKey, state: 'member', requestedAt: now, approvedAt: now, approvedBy: null };
    // Config first: a run cut short after createTeam is then resumed, not orphaned.
    await rememberMachine(ctx, machine);
    const wrapped = wrapDataKey(dataKey, { teamId: t.id, machineId: machine.id, version: 1, publicKey });
    if (!(await ctx.tables.createTeam(t, first, { machineId: machine.id, keyVersion: 1, wrapped }))) {
      await forgetMachine(ctx);
      throw new CliError(`another machine created a team in ${ctx.where} just now`, { hint: 'to add this machine run: socialync team join' });
    }
  }
  const vault = teamVaultFor(ctx, machine);
  const key = await vault.unlock();
  const { moved, databaseNewer } = await moveLocalSecrets(ctx, vault);
  return { machine: machine.name, resumed, moved, databaseNewer, dataKeyFingerprint: dataKeyFingerprint(key.key) };
}

/** Every secret of the local store (but this machine's own team keys) into the database: copy, verify, then delete locally. */
async function moveLocalSecrets(ctx: TeamContext, vault: TeamVault): Promise<{ moved: string[]; databaseNewer: string[] }> {
  const moved: string[] = [];
  const databaseNewer: string[] = [];
  for (const name of ctx.localNames().filter((n) => !n.startsWith('team.'))) {
    const value = await ctx.local.get(name);
    if (value === undefined) continue;
    ((await vault.adopt(name, value)) === 'stored' ? moved : databaseNewer).push(name);
  }
  return { moved, databaseNewer };
}

async function rememberMachine(ctx: TeamContext, m: TeamMachineRef): Promise<void> {
  await ctx.config.set(CONFIG_KEYS.machineId, m.id);
  await ctx.config.set(CONFIG_KEYS.machineName, m.name);
}

async function forgetMachine(ctx: TeamContext): Promise<void> {
  await ctx.config.delete(CONFIG_KEYS.machineId);
  await ctx.config.delete(CONFIG_KEYS.machineName);
}

export interface JoinResult {
  machine: string;
  state: MachineRecord['state'];
  fingerprint: string;
}

/** `team join`: registers this machine's public key as a pending request (idempotent). */
export async function joinTeam(ctx: TeamContext, o: { name: string }): Promise<JoinResult> {
  if (!(await ctx.tables.readTeam())) throw new CliError(`the database ${ctx.where} holds no team yet`, { hint: 'on the first machine run: socialync team init' });
  const publicKey = await machinePublicKey(ctx.local);
  const mine = thisMachine(ctx);
  const held = mine && (await ctx.tables.listMachines()).find((m) => m.id === mine.id);
  if (held && held.publicKey === publicKey) return { machine: held.name, state: held.state, fingerprint: machineFingerprint(publicKey) };
  const now = ctx.clock.now();
  const machine = { id: ctx.uuid(), name: o.name };
  const request: MachineRecord = { ...machine, publicKey, state: 'pending', requestedAt: now, approvedAt: null, approvedBy: null };
  if (!(await ctx.tables.requestJoin(request))) {
    throw new CliError(`a machine named "${o.name}" is already in the team`, { exitCode: 3, hint: 'choose another name: socialync team join --name <name>' });
  }
  await rememberMachine(ctx, machine);
  await ctx.local.delete(LOCAL_KEYS.pin);
  return { machine: o.name, state: 'pending', fingerprint: machineFingerprint(publicKey) };
}

async function findMachine(ctx: TeamContext, name: string): Promise<MachineRecord> {
  const m = (await ctx.tables.listMachines()).find((x) => x.name === name);
  if (!m) throw new CliError(`no machine named "${name}" in the team`, { exitCode: 3, hint: 'run: socialync team status' });
  return m;
}

function memberVault(ctx: TeamContext): TeamVault {
  const mine = thisMachine(ctx);
  if (!mine) throw new CliError('this machine is not in a team', { hint: 'run: socialync team init (first machine) or socialync team join' });
  return teamVaultFor(ctx, mine);
}

/** `team approve <machine> --fingerprint <fp>`: wraps the data key for the machine's public key. */
export async function approveMachine(ctx: TeamContext, o: { name: string; fingerprint: string }): Promise<{ machine: string; already: boolean }> {
  const vault = memberVault(ctx);
  const target = await findMachine(ctx, o.name);
  if (target.state === 'member') return { machine: target.name, already: true };
  const actual = machineFingerprint(target.publicKey);
  if (actual !== o.fingerprint.trim().toLowerCase()) {
    throw new CliError(`the fingerprint of "${o.name}" is ${actual}, not ${o.fingerprint}; nothing was approved`, {
      exitCode: 3,
      hint: `compare with what \`socialync team join\` printed on ${o.name}; if they differ, someone else registered that name: socialync team remove ${o.name}`,
    });
  }
  const me = thisMachine(ctx)!;
  for (let attempt = 0; attempt < 3; attempt++) {
    const k = await vault.unlock();
    const wrapped = wrapDataKey(k.key, { teamId: k.teamId, machineId: target.id, version: k.version, publicKey: target.publicKey });
    if (await ctx.tables.approve(target.id, target.publicKey, { machineId: target.id, keyVersion: k.version, wrapped }, me.name, ctx.clock.now())) {
      return { machine: target.name, already: false };
    }
  }
  throw new CliError(`"${o.name}" changed while it was being approved`, { hint: 'run: socialync team status, then approve again' });
}

/** `team remove <machine>` / `team leave`: drops a request, or re-keys without the machine. */
export async function removeMachine(ctx: TeamContext, o: { name: string }): Promise<{ machine: string; rekeyedTo?: number; entries?: number }> {
  const vault = memberVault(ctx);
  const target = await findMachine(ctx, o.name);
  if (target.state === 'pending') {
    if (!(await ctx.tables.dropPending(target.id))) throw new CliError(`"${o.name}" was approved meanwhile`, { hint: `run again: socialync team remove ${o.name}` });
    if (target.id === thisMachine(ctx)?.id) await forgetTeam(ctx);
    return { machine: target.name };
  }
  const k = await vault.unlock();
  let result = { machine: target.name, rekeyedTo: 0, entries: 0 };
  await ctx.tables.rekey((team, entries, machines) => {
    const remaining = machines.filter((m) => m.state === 'member' && m.id !== target.id);
    if (team.keyVersion !== k.version) throw new CliError('the team was re-keyed meanwhile; nothing was changed', { hint: `run again: socialync team remove ${o.name}` });
    if (remaining.length === 0) throw new CliError(`"${o.name}" is the team's last member`, { exitCode: 3, hint: 'a team needs one member to read its secrets; add one first: socialync team join (on another machine)' });
    const version = k.version + 1;
    const key = newDataKey();
    const reencrypted = entries.map((e) => {
      const value = e.keyVersion === k.version ? decryptEntry(k.key, k.teamId, k.version, e.name, e.data) : undefined;
      if (value === undefined) throw new CliError(`team secret "${e.name}" does not decrypt; nothing was changed`, { hint: `re-enter or delete that secret first (socialync status), then run again: socialync team remove ${o.name}` });
      return { name: e.name, keyVersion: version, data: encryptEntry(key, k.teamId, version, e.name, value), updatedAt: e.updatedAt };
    });
    const wraps = remaining.map((m) => ({ machineId: m.id, keyVersion: version, wrapped: wrapDataKey(key, { teamId: k.teamId, machineId: m.id, version, publicKey: m.publicKey }) }));
    result = { machine: target.name, rekeyedTo: version, entries: reencrypted.length };
    return { keyVersion: version, entries: reencrypted, wraps, link: { keyVersion: version, sealedPrevious: sealChainLink(key, k.key, k.teamId, version) }, removeMachines: [target.id] };
  });
  if (target.id === thisMachine(ctx)?.id) await forgetTeam(ctx);
  return result;
}

/** This machine left: its identity and key go from config and its own secret store. */
async function forgetTeam(ctx: TeamContext): Promise<void> {
  await forgetMachine(ctx);
  await ctx.local.delete(LOCAL_KEYS.pin);
  await ctx.local.delete(LOCAL_KEYS.machineKey);
}
