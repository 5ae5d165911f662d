/**
 * The team vault: a SecretStore whose entries live in the shared database, encrypted with
 * the team's data key (team-crypto.ts), which this machine unwraps with its own private key
 * kept in its local secret store (OS keychain or key-file vault). See docs/team.md.
 *
 * Why nothing is cached but the data key: a refresh re-reads the tokens after taking the
 * connection's lease lock, because another machine may have rotated them meanwhile
 * (src/auth/refresh.ts). A cached token would send a spent refresh token again. Every get()
 * reads the database; every set() is in the database when it returns, so a rotated token is
 * durable before the refresh lock is released.
 *
 * Why writes are conditional on the key version: a re-key (`team remove`) re-encrypts every
 * entry under a new data key in one transaction. A write under the old key that raced it
 * either lands before (and is re-encrypted) or is refused, and is retried here with the new
 * key; it is never overwritten by the re-key's copy of the older value.
 */
import { CliError } from '../core/errors.js';
import { rememberSecret } from '../core/redact.js';
import { secretStored, type SecretBackendInfo, type SecretStore } from './types.js';
import type { TeamTables } from './team-tables.js';
import { dataKeyFingerprint, decryptEntry, encryptEntry, openChainLink, unwrapDataKey } from './team-crypto.js';

/** Names in the machine's own secret store (never moved into the database). */
export const LOCAL_KEYS = {
  machineKey: 'team.machine-key',
  /** {"version":n,"fingerprint":"…"}: the last data key this machine accepted (team-crypto.ts). */
  pin: 'team.key-pin',
  asidePrefix: 'team.aside.',
};

export interface TeamMachineRef {
  id: string;
  name: string;
}

export interface TeamVaultOptions {
  tables: TeamTables;
  /** This machine's own secret store: its private key, its pin, copies set aside. */
  local: SecretStore;
  machine: TeamMachineRef;
  /** Where the database is, without credentials (for describe()). */
  where: string;
  clock: { now(): number };
}

export interface UnlockedKey {
  teamId: string;
  version: number;
  key: Buffer;
}

export interface TeamVault extends SecretStore {
  /** Unwraps the current data key (re-reading the database); throws a CliError naming the fix. */
  unlock(): Promise<UnlockedKey>;
  /**
   * Moves a secret from this machine's own store into the database: stored only when the
   * database has no value under that name (one stored meanwhile is newer), read back and
   * compared, and only then removed from the local store.
   */
  adopt(name: string, value: string): Promise<'stored' | 'database_newer'>;
}

function notMember(name: string, pending: boolean): CliError {
  return pending
    ? new CliError(`this machine (${name}) is waiting for approval to join the team`, { hint: `on a member machine run: socialync team approve ${name}` })
    : new CliError(`this machine (${name}) is not a member of the team in the database`, { hint: `run: socialync team join, then on a member machine: socialync team approve <name>` });
}

interface Pin {
  version: number;
  fingerprint: string;
}

function parsePin(text: string | undefined): Pin | undefined {
  if (!text) return undefined;
  const p = JSON.parse(text) as Partial<Pin>;
  return typeof p.version === 'number' && typeof p.fingerprint === 'string' ? { version: p.version, fingerprint: p.fingerprint } : undefined;
}

function substituted(detail: string): CliError {
  return new CliError(`the team's data key in the database does not follow from the one this machine used before (${detail}); refusing to use it`, {
    hint: 'someone with write access to the database may have replaced it: nothing was read or written. Compare `socialync team status` on every machine, then run: socialync doctor',
  });
}

/** Checks `key` (version v) against this machine's pin through the chain links, then moves the pin. */
async function checkPin(o: Pick<TeamVaultOptions, 'local' | 'tables'>, u: UnlockedKey): Promise<void> {
  const pin = parsePin(await o.local.get(LOCAL_KEYS.pin));
  if (pin && pin.version > u.version) throw substituted(`it is version ${u.version}, this machine already used version ${pin.version}`);
  if (pin && pin.version < u.version) {
    const links = new Map((await o.tables.readLinks(pin.version)).map((l) => [l.keyVersion, l.sealedPrevious]));
    let k: Buffer | undefined = u.key;
    for (let v = u.version; v > pin.version && k; v--) {
      const link = links.get(v);
      k = link && openChainLink(k, link, u.teamId, v);
    }
    if (!k || dataKeyFingerprint(k) !== pin.fingerprint) throw substituted(`no key chain from version ${pin.version} to ${u.version}`);
  } else if (pin && dataKeyFingerprint(u.key) !== pin.fingerprint) {
    throw substituted(`version ${u.version} has another fingerprint`);
  }
  if (!pin || pin.version !== u.version) await o.local.set(LOCAL_KEYS.pin, JSON.stringify({ version: u.version, fingerprint: dataKeyFingerprint(u.key) }));
}

export async function unlockDataKey(o: Omit<TeamVaultOptions, 'where' | 'clock'>): Promise<UnlockedKey> {
  const team = await o.tables.readTeam();
  if (!team) throw new CliError('the database holds no team', { hint: 'run: socialync team init  (on the first machine)' });
  const wrap = await o.tables.readWrap(o.machine.id);
  if (!wrap) {
    const me = (await o.tables.listMachines()).find((m) => m.id === o.machine.id);
    throw notMember(o.machine.name, me?.state === 'pending');
  }
  const privateKey = await o.local.get(LOCAL_KEYS.machineKey);
  const where = o.local.describe();
  if (!privateKey) {
    throw new CliError(`this machine's team key is missing from its secret store (${where.location})`, {
      hint: `restore that secret store (its key: ${where.detail ?? where.backend}); if it is lost for good, have a member run: socialync team remove ${o.machine.name}, then here: socialync team join`,
    });
  }
  const key = unwrapDataKey(wrap.wrapped, { teamId: team.id, machineId: o.machine.id, version: wrap.keyVersion, privateKey });
  if (!key) {
    throw new CliError(`this machine's team key does not open the team's data key (wrapping for ${o.machine.name}, key version ${wrap.keyVersion})`, {
      hint: `run: socialync doctor; if this machine's key was replaced, have a member run: socialync team remove ${o.machine.name}, then here: socialync team join`,
    });
  }
  const u = { teamId: team.id, version: wrap.keyVersion, key };
  await checkPin(o, u);
  return u;
}

export function openTeamVault(o: TeamVaultOptions): TeamVault {
  let current: UnlockedKey | undefined;
  const unlock = async () => (current = await unlockDataKey(o));
  const keyFor = async () => current ?? unlock();

  const broken = (name: string) =>
    new CliError(`cannot decrypt team secret "${name}": the database row is corrupted or was modified`, {
      hint: 'the other secrets are not affected; re-enter that secret (socialync status shows what needs it, e.g. socialync connect <platform>)',
    });

  const decryptRow = async (name: string): Promise<string | undefined> => {
    const row = await o.tables.readEntry(name);
    if (!row) return undefined;
    let k = await keyFor();
    if (row.keyVersion !== k.version) k = await unlock();
    const value = row.keyVersion === k.version ? decryptEntry(k.key, k.teamId, k.version, name, row.data) : undefined;
    if (value === undefined) throw broken(name);
    return value;
  };

  const write = async (name: string, value: string): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const k = attempt === 0 ? await keyFor() : await unlock();
      const data = encryptEntry(k.key, k.teamId, k.version, name, value);
      if (await o.tables.writeEntry({ name, keyVersion: k.version, data, updatedAt: o.clock.now() })) return;
    }
    throw new CliError(`could not store team secret "${name}": the team's data key kept changing`, { hint: 'run the command again; socialync team status shows the key version' });
  };

  /** What the database holds under `name`: its value, 'absent', or 'unreadable' (damaged: not a newer value). */
  const held = async (name: string): Promise<string | 'absent' | 'unreadable'> => {
    try {
      return (await decryptRow(name)) ?? 'absent';
    } catch (e) {
      if (e instanceof CliError) return 'unreadable';
      throw e;
    }
  };

  /** Stores `value` only where the database has nothing readable under `name`; false when it holds a value. */
  const storeUnlessHeld = async (name: string, value: string): Promise<boolean> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const k = attempt === 0 ? await keyFor() : await unlock();
      const data = encryptEntry(k.key, k.teamId, k.version, name, value);
      if (await o.tables.writeEntry({ name, keyVersion: k.version, data, updatedAt: o.clock.now() }, { ifAbsent: true })) return true;
      const there = await held(name);
      if (there === 'unreadable') return (await write(name, value), true); // damaged, not newer: ours replaces it
      if (there !== 'absent') return false;
      // absent: the key version moved under us; again with the new key
    }
    throw new CliError(`could not store team secret "${name}": the team's data key kept changing`, { hint: 'run the same command again; it resumes' });
  };

  const adopt = async (name: string, value: string): Promise<'stored' | 'database_newer'> => {
    if (!(await storeUnlessHeld(name, value))) {
      // Stored meanwhile by a process already in team mode: newer than the local copy.
      await o.local.delete(name);
      return 'database_newer';
    }
    if ((await held(name)) !== value) {
      throw new CliError(`team secret "${name}" did not read back as written; the copy in this machine's secret store is kept`, {
        hint: 'run: socialync doctor, then run the same command again (it resumes)',
      });
    }
    await o.local.delete(name);
    return 'stored';
  };

  /** A secret from before team mode still in this machine's own store (a run of `team init` cut short). */
  const fromBeforeTeam = async (name: string): Promise<string | undefined> => {
    if (name.startsWith('team.') || !(await secretStored(o.local, name))) return undefined;
    const value = await o.local.get(name);
    if (value === undefined) return undefined;
    return (await adopt(name, value)) === 'stored' ? value : decryptRow(name);
  };

  /** A value kept in this machine's own store while the database could not take it, moved back when it can. */
  const takeAside = async (name: string): Promise<string | undefined> => {
    const asideKey = LOCAL_KEYS.asidePrefix + name;
    if (!(await secretStored(o.local, asideKey))) return undefined;
    const value = await o.local.get(asideKey);
    if (value === undefined) return undefined;
    try {
      await write(name, value);
      await o.local.delete(asideKey);
    } catch {
      /* the database still cannot take it: the copy stays where it is */
    }
    return value;
  };

  const info: SecretBackendInfo = {
    backend: 'team',
    location: `team vault in ${o.where} (encrypted entries)`,
    detail: `machine ${o.machine.name}; its key in ${o.local.describe().location}`,
  };

  return {
    unlock,
    adopt,
    async get(name) {
      const value = (await takeAside(name)) ?? (await decryptRow(name)) ?? (await fromBeforeTeam(name));
      rememberSecret(value);
      return value;
    },
    async set(name, value) {
      rememberSecret(value);
      await write(name, value);
      if (await secretStored(o.local, LOCAL_KEYS.asidePrefix + name)) await o.local.delete(LOCAL_KEYS.asidePrefix + name);
    },
    async delete(name) {
      await o.tables.deleteEntry(name);
      // A copy from before team mode would otherwise come back on the next read.
      if (!name.startsWith('team.')) await o.local.delete(name);
    },
    async has(name) {
      return (await o.tables.readEntry(name)) !== undefined;
    },
    async setAside(name, value) {
      rememberSecret(value);
      await o.local.set(LOCAL_KEYS.asidePrefix + name, value);
      return `this machine's secret store (${o.local.describe().location}), moved to the database on the next read`;
    },
    describe: () => info,
  };
}
