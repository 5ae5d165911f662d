/**
 * What the team vault needs from the shared database (docs/team.md#tables). The PostgreSQL
 * store implements it over four tables (team, team_machines, team_wraps, team_entries, plus
 * team_key_links); tests use the in-memory version in test/helpers/team-tables.ts, which
 * keeps the same atomicity rules. Only ciphertext, public keys and names pass through here.
 */

export interface TeamRecord {
  id: string;
  /** Version of the data key every entry is encrypted with; bumped by each re-key. */
  keyVersion: number;
  createdAt: number;
}

export type MachineState = 'pending' | 'member';

export interface MachineRecord {
  id: string;
  /** Unique, chosen at join (default: the host name); what `team approve|remove` take. */
  name: string;
  /** X25519 public key, raw 32 bytes base64url. */
  publicKey: string;
  state: MachineState;
  requestedAt: number;
  approvedAt: number | null;
  /** Name of the machine that approved it (null for the first machine). */
  approvedBy: string | null;
}

export interface WrapRecord {
  machineId: string;
  keyVersion: number;
  wrapped: Buffer;
}

export interface EntryRecord {
  name: string;
  keyVersion: number;
  data: Buffer;
  updatedAt: number;
}

/** The previous data key sealed under the key of `keyVersion` (team-crypto.ts sealChainLink). */
export interface KeyLinkRecord {
  keyVersion: number;
  sealedPrevious: Buffer;
}

/** What a re-key writes, computed from the entries as they are at that moment. */
export interface Rekeyed {
  keyVersion: number;
  entries: EntryRecord[];
  /** Wrappings of the new key; every older wrapping is dropped. */
  wraps: WrapRecord[];
  link: KeyLinkRecord;
  /** Machines removed in the same transaction. */
  removeMachines: string[];
}

export interface TeamTables {
  readTeam(): Promise<TeamRecord | undefined>;
  /** Creates the team with its first member and wrapping; false when a team exists already. */
  createTeam(team: TeamRecord, first: MachineRecord, wrap: WrapRecord): Promise<boolean>;
  listMachines(): Promise<MachineRecord[]>;
  /** Adds a pending machine; false when the name or id is taken. */
  requestJoin(m: MachineRecord): Promise<boolean>;
  /**
   * Makes a pending machine a member with its wrapping, only while `wrap.keyVersion` is still the
   * team's key version and the machine still has `publicKey`; false otherwise (retry after re-reading).
   */
  approve(machineId: string, publicKey: string, wrap: WrapRecord, approvedBy: string, now: number): Promise<boolean>;
  /** Removes a machine that holds no wrapping (a pending request); false when it is a member. */
  dropPending(machineId: string): Promise<boolean>;
  /** This machine's wrapping of the current data key, if any. */
  readWrap(machineId: string): Promise<WrapRecord | undefined>;
  /** Chain links with keyVersion > `after`, oldest first. */
  readLinks(after: number): Promise<KeyLinkRecord[]>;
  readEntry(name: string): Promise<EntryRecord | undefined>;
  /**
   * Writes an entry only while `e.keyVersion` is the team's key version, serialised against
   * rekey (a re-key either sees this write or makes it fail): false means "re-read the key".
   * With `ifAbsent`, also false when the entry exists (moving a local secret never replaces a
   * newer value another process stored meanwhile).
   */
  writeEntry(e: EntryRecord, o?: { ifAbsent?: boolean }): Promise<boolean>;
  deleteEntry(name: string): Promise<void>;
  entryNames(): Promise<string[]>;
  /**
   * Re-keys in one transaction: locks the team row (so no entry is written meanwhile), reads
   * every entry, calls `compute` (pure, no I/O) and writes its result: all or nothing.
   * `compute` may throw to abort; the tables are then unchanged.
   */
  rekey(compute: (team: TeamRecord, entries: EntryRecord[], machines: MachineRecord[]) => Rekeyed): Promise<void>;
}
