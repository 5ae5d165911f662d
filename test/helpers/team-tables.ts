/**
 * TeamTables in memory, with the atomicity rules of the PostgreSQL tables: a conditional entry
 * write and a re-key never interleave (each runs without an await in between, as the row lock
 * makes them in PostgreSQL). The team vault suite runs on both: memoryTeamBackend and
 * postgresTeamBackend() (a real server, test/helpers/postgres.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { CliError } from '../../src/core/errors.js';
import { openVault } from '../../src/secrets/vault.js';
import { storedKeyNames } from '../../src/secrets/names.js';
import type { TeamContext } from '../../src/secrets/team-admin.js';
import type { PostgresStore } from '../../src/store/postgres.js';
import { postgresBackend } from './stores.js';
import type { EntryRecord, KeyLinkRecord, MachineRecord, TeamRecord, TeamTables, WrapRecord } from '../../src/secrets/team-tables.js';

export interface MemoryTeamTables extends TeamTables {
  /** The raw rows, for tests that tamper with them or check that nothing secret is stored. */
  rows: { team?: TeamRecord; machines: Map<string, MachineRecord>; wraps: Map<string, WrapRecord>; entries: Map<string, EntryRecord>; links: KeyLinkRecord[] };
}

/** A deep copy that keeps Buffers Buffers (as the PostgreSQL driver returns bytea). */
function copy<T>(v: T): T {
  if (Buffer.isBuffer(v)) return Buffer.from(v) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) as T;
}

export function memoryTeamTables(): MemoryTeamTables {
  const rows: MemoryTeamTables['rows'] = { machines: new Map(), wraps: new Map(), entries: new Map(), links: [] };
  const tick = () => Promise.resolve();
  return {
    rows,
    async readTeam() {
      await tick();
      return rows.team && copy(rows.team);
    },
    async createTeam(team, first, wrap) {
      await tick();
      if (rows.team) return false;
      rows.team = copy(team);
      rows.machines.set(first.id, copy(first));
      rows.wraps.set(wrap.machineId, copy(wrap));
      return true;
    },
    async listMachines() {
      await tick();
      return [...rows.machines.values()].map(copy).sort((a, b) => a.requestedAt - b.requestedAt);
    },
    async requestJoin(m) {
      await tick();
      if (rows.machines.has(m.id) || [...rows.machines.values()].some((x) => x.name === m.name)) return false;
      rows.machines.set(m.id, copy(m));
      return true;
    },
    async approve(machineId, publicKey, wrap, approvedBy, now) {
      await tick();
      const m = rows.machines.get(machineId);
      if (!m || m.state !== 'pending' || m.publicKey !== publicKey || rows.team?.keyVersion !== wrap.keyVersion) return false;
      rows.machines.set(machineId, { ...m, state: 'member', approvedAt: now, approvedBy });
      rows.wraps.set(machineId, copy(wrap));
      return true;
    },
    async dropPending(machineId) {
      await tick();
      if (rows.machines.get(machineId)?.state !== 'pending') return false;
      rows.machines.delete(machineId);
      return true;
    },
    async readWrap(machineId) {
      await tick();
      const w = rows.wraps.get(machineId);
      return w && w.keyVersion === rows.team?.keyVersion ? copy(w) : undefined;
    },
    async readLinks(after) {
      await tick();
      return rows.links.filter((l) => l.keyVersion > after).map(copy);
    },
    async readEntry(name) {
      await tick();
      const e = rows.entries.get(name);
      return e && copy(e);
    },
    async writeEntry(e, o) {
      await tick();
      if (rows.team?.keyVersion !== e.keyVersion || (o?.ifAbsent && rows.entries.has(e.name))) return false;
      rows.entries.set(e.name, copy(e));
      return true;
    },
    async deleteEntry(name) {
      await tick();
      rows.entries.delete(name);
    },
    async entryNames() {
      await tick();
      return [...rows.entries.keys()].sort();
    },
    async rekey(compute) {
      await tick();
      if (!rows.team) throw new Error('no team');
      const r = compute(copy(rows.team), [...rows.entries.values()].map(copy), [...rows.machines.values()].map(copy));
      rows.team = { ...rows.team, keyVersion: r.keyVersion };
      for (const e of r.entries) rows.entries.set(e.name, copy(e));
      rows.wraps.clear();
      for (const w of r.wraps) rows.wraps.set(w.machineId, copy(w));
      rows.links.push(copy(r.link));
      for (const id of r.removeMachines) rows.machines.delete(id);
    },
  };
}

/** One "machine" for team tests: its own file vault in a temp folder (its local secret store) and config. */
export function teamTestMachine(tables: TeamTables, name: string, o: { clock?: { now(): number } } = {}): TeamContext & { vaultDir: string; settings: Map<string, unknown> } {
  const vaultDir = mkdtempSync(join(tmpdir(), `socialync-team-${name}-`));
  const local = openVault({ dir: vaultDir, key: randomBytes(32), info: { backend: 'file', location: `encrypted files in ${vaultDir}` }, wrongKey: () => new CliError('wrong key') });
  const settings = new Map<string, unknown>();
  return {
    tables,
    local,
    vaultDir,
    settings,
    localNames: () => storedKeyNames(vaultDir),
    config: {
      get: <T>(p: string) => settings.get(p) as T | undefined,
      set: async (p, v) => void settings.set(p, v),
      delete: async (p) => void settings.delete(p),
    },
    clock: o.clock ?? { now: () => 1_800_000_000_000 },
    uuid: () => randomUUID(),
    where: 'postgres://db.example/socialync',
  };
}

/** Direct row access for tests that tamper with the database or look at what it holds. */
export interface TeamRaw {
  /** Every stored byte (entries, wrappings, machines, links) as latin1 text, to search for plaintext. */
  dump(): Promise<string>;
  entry(name: string): Promise<EntryRecord | undefined>;
  putEntry(e: EntryRecord): Promise<void>;
  hasWrap(machineId: string): Promise<boolean>;
  /** Replaces a wrapping and sets the team's key version, as a writer without any key could. */
  forgeWrap(w: WrapRecord): Promise<void>;
}

export interface TeamTablesKit {
  tables: TeamTables;
  raw: TeamRaw;
  cleanup(): Promise<void>;
}

export interface TeamTablesBackend {
  kind: 'memory' | 'postgres';
  /** undefined, or why it cannot run here (outside CI only). */
  setup(): Promise<string | undefined>;
  kit(): Promise<TeamTablesKit>;
  teardown(): Promise<void>;
}

export const memoryTeamBackend: TeamTablesBackend = {
  kind: 'memory',
  setup: async () => undefined,
  async kit() {
    const tables = memoryTeamTables();
    const { rows } = tables;
    return {
      tables,
      raw: {
        async dump() {
          const parts: Buffer[] = [];
          for (const e of rows.entries.values()) parts.push(Buffer.from(e.name), e.data);
          for (const w of rows.wraps.values()) parts.push(w.wrapped);
          for (const l of rows.links) parts.push(l.sealedPrevious);
          for (const m of rows.machines.values()) parts.push(Buffer.from(JSON.stringify(m)));
          return Buffer.concat(parts).toString('latin1');
        },
        entry: async (name) => rows.entries.get(name) && copy(rows.entries.get(name)!),
        putEntry: async (e) => void rows.entries.set(e.name, copy(e)),
        hasWrap: async (id) => rows.wraps.has(id),
        async forgeWrap(w) {
          rows.team!.keyVersion = w.keyVersion;
          rows.wraps.set(w.machineId, copy(w));
        },
      },
      cleanup: async () => undefined,
    };
  },
  teardown: async () => undefined,
};

export function postgresTeamBackend(): TeamTablesBackend {
  const stores = postgresBackend();
  return {
    kind: 'postgres',
    setup: () => stores.setup(),
    teardown: () => stores.teardown(),
    async kit() {
      const opened = await stores.kit();
      const store = (await opened.open()).store as PostgresStore;
      const q = async (sql: string, args: unknown[] = []) => (await store.pool.query(sql, args)).rows as Record<string, unknown>[];
      return {
        tables: store.teamTables(),
        raw: {
          async dump() {
            const parts: Buffer[] = [];
            for (const r of await q('SELECT name, data FROM team_entries')) parts.push(Buffer.from(r.name as string), r.data as Buffer);
            for (const r of await q('SELECT wrapped FROM team_wraps')) parts.push(r.wrapped as Buffer);
            for (const r of await q('SELECT sealed_previous FROM team_key_links')) parts.push(r.sealed_previous as Buffer);
            for (const r of await q('SELECT * FROM team_machines')) parts.push(Buffer.from(JSON.stringify(r)));
            return Buffer.concat(parts).toString('latin1');
          },
          entry: (name) => store.teamTables().readEntry(name),
          async putEntry(e) {
            await q('INSERT INTO team_entries (name, key_version, data, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET key_version = excluded.key_version, data = excluded.data', [e.name, e.keyVersion, e.data, e.updatedAt]);
          },
          hasWrap: async (id) => (await q('SELECT 1 FROM team_wraps WHERE machine_id = $1', [id])).length === 1,
          async forgeWrap(w) {
            await q('UPDATE team SET key_version = $1', [w.keyVersion]);
            await q('UPDATE team_wraps SET key_version = $1, wrapped = $2 WHERE machine_id = $3', [w.keyVersion, w.wrapped, w.machineId]);
          },
        },
        cleanup: () => opened.cleanup(),
      };
    },
  };
}
