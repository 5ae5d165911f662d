/**
 * TeamTables in memory, with the atomicity rules of the PostgreSQL tables: a conditional entry
 * write and a re-key never interleave (each runs without an await in between, as the row lock
 * makes them in PostgreSQL). For unit tests of the team vault; the PostgreSQL store is tested
 * with the same suite against a real server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { CliError } from '../../src/core/errors.js';
import { openVault } from '../../src/secrets/vault.js';
import { storedKeyNames } from '../../src/secrets/names.js';
import type { TeamContext } from '../../src/secrets/team-admin.js';
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
