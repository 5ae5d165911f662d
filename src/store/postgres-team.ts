/**
 * Team mode's tables on PostgreSQL (src/secrets/team-tables.ts; schema: team-migration.ts).
 *
 * The one rule that keeps rotated tokens safe through a re-key: the `team` row is the lock.
 * An entry write takes it FOR SHARE and checks the key version; a re-key takes it FOR UPDATE,
 * then reads and rewrites every entry. In READ COMMITTED a FOR SHARE that waited on the re-key
 * sees the new version once the re-key commits, so a write under the old key is refused (the
 * vault retries with the new key) instead of being overwritten by the re-key's older copy.
 * Lock order is always team row, then entry/machine rows: no deadlock between the two.
 */
import type { EntryRecord, KeyLinkRecord, MachineRecord, Rekeyed, TeamRecord, TeamTables, WrapRecord } from '../secrets/team-tables.js';
import { inTransaction, type Pool, type PoolClient } from './postgres-pool.js';

type Row = Record<string, unknown>;

const machineOf = (r: Row): MachineRecord => ({
  id: r.id as string,
  name: r.name as string,
  publicKey: r.public_key as string,
  state: r.state as MachineRecord['state'],
  requestedAt: Number(r.requested_at),
  approvedAt: r.approved_at === null ? null : Number(r.approved_at),
  approvedBy: (r.approved_by as string | null) ?? null,
});

const entryOf = (r: Row): EntryRecord => ({ name: r.name as string, keyVersion: Number(r.key_version), data: r.data as Buffer, updatedAt: Number(r.updated_at) });

/** The team's key version under a share lock (waits for a re-key in progress); undefined without a team. */
async function sharedKeyVersion(c: PoolClient): Promise<number | undefined> {
  const [r] = (await c.query('SELECT key_version FROM team FOR SHARE')).rows as Row[];
  return r ? Number(r.key_version) : undefined;
}

async function insertWrap(c: PoolClient, w: WrapRecord): Promise<void> {
  await c.query(
    `INSERT INTO team_wraps (machine_id, key_version, wrapped) VALUES ($1, $2, $3)
     ON CONFLICT (machine_id) DO UPDATE SET key_version = excluded.key_version, wrapped = excluded.wrapped`,
    [w.machineId, w.keyVersion, w.wrapped],
  );
}

async function writeRekeyed(c: PoolClient, r: Rekeyed): Promise<void> {
  await c.query('UPDATE team SET key_version = $1', [r.keyVersion]);
  for (const e of r.entries) await c.query('UPDATE team_entries SET key_version = $1, data = $2 WHERE name = $3', [e.keyVersion, e.data, e.name]);
  await c.query('DELETE FROM team_wraps');
  if (r.removeMachines.length) await c.query('DELETE FROM team_machines WHERE id = ANY($1)', [r.removeMachines]);
  for (const w of r.wraps) await insertWrap(c, w);
  await c.query('INSERT INTO team_key_links (key_version, sealed_previous) VALUES ($1, $2)', [r.link.keyVersion, r.link.sealedPrevious]);
}

export function postgresTeamTables(pool: Pool): TeamTables {
  const rows = async (sql: string, args: unknown[] = []) => (await pool.query(sql, args)).rows as Row[];
  return {
    async readTeam(): Promise<TeamRecord | undefined> {
      const [r] = await rows('SELECT id, key_version, created_at FROM team');
      return r && { id: r.id as string, keyVersion: Number(r.key_version), createdAt: Number(r.created_at) };
    },
    createTeam: (team, first, wrap) =>
      inTransaction(pool, async (c) => {
        const made = await c.query('INSERT INTO team (id, key_version, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [team.id, team.keyVersion, team.createdAt]);
        if (made.rowCount !== 1) return false;
        await c.query(
          'INSERT INTO team_machines (id, name, public_key, state, requested_at, approved_at, approved_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [first.id, first.name, first.publicKey, first.state, first.requestedAt, first.approvedAt, first.approvedBy],
        );
        await insertWrap(c, wrap);
        return true;
      }),
    async listMachines() {
      return (await rows('SELECT * FROM team_machines ORDER BY requested_at, name')).map(machineOf);
    },
    async requestJoin(m) {
      const r = await pool.query(
        `INSERT INTO team_machines (id, name, public_key, state, requested_at, approved_at, approved_by)
         VALUES ($1, $2, $3, 'pending', $4, NULL, NULL) ON CONFLICT DO NOTHING`,
        [m.id, m.name, m.publicKey, m.requestedAt],
      );
      return r.rowCount === 1;
    },
    approve: (machineId, publicKey, wrap, approvedBy, now) =>
      inTransaction(pool, async (c) => {
        if ((await sharedKeyVersion(c)) !== wrap.keyVersion) return false;
        const u = await c.query(
          `UPDATE team_machines SET state = 'member', approved_at = $1, approved_by = $2 WHERE id = $3 AND state = 'pending' AND public_key = $4`,
          [now, approvedBy, machineId, publicKey],
        );
        if (u.rowCount !== 1) return false;
        await insertWrap(c, wrap);
        return true;
      }),
    async dropPending(machineId) {
      return (await pool.query(`DELETE FROM team_machines WHERE id = $1 AND state = 'pending'`, [machineId])).rowCount === 1;
    },
    async readWrap(machineId) {
      const [r] = await rows('SELECT w.machine_id, w.key_version, w.wrapped FROM team_wraps w JOIN team t ON t.key_version = w.key_version WHERE w.machine_id = $1', [machineId]);
      return r && { machineId: r.machine_id as string, keyVersion: Number(r.key_version), wrapped: r.wrapped as Buffer };
    },
    async readLinks(after): Promise<KeyLinkRecord[]> {
      return (await rows('SELECT key_version, sealed_previous FROM team_key_links WHERE key_version > $1 ORDER BY key_version', [after])).map((r) => ({
        keyVersion: Number(r.key_version),
        sealedPrevious: r.sealed_previous as Buffer,
      }));
    },
    async readEntry(name) {
      const [r] = await rows('SELECT name, key_version, data, updated_at FROM team_entries WHERE name = $1', [name]);
      return r && entryOf(r);
    },
    writeEntry: (e, o) =>
      inTransaction(pool, async (c) => {
        if ((await sharedKeyVersion(c)) !== e.keyVersion) return false;
        const onConflict = o?.ifAbsent ? 'DO NOTHING' : 'DO UPDATE SET key_version = excluded.key_version, data = excluded.data, updated_at = excluded.updated_at';
        const r = await c.query(`INSERT INTO team_entries (name, key_version, data, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) ${onConflict}`, [e.name, e.keyVersion, e.data, e.updatedAt]);
        return r.rowCount === 1;
      }),
    async deleteEntry(name) {
      await pool.query('DELETE FROM team_entries WHERE name = $1', [name]);
    },
    async entryNames() {
      return (await rows('SELECT name FROM team_entries ORDER BY name COLLATE "C"')).map((r) => r.name as string);
    },
    rekey: (compute) =>
      inTransaction(pool, async (c) => {
        const [t] = (await c.query('SELECT id, key_version, created_at FROM team FOR UPDATE')).rows as Row[];
        if (!t) throw new Error('no team to re-key');
        const team = { id: t.id as string, keyVersion: Number(t.key_version), createdAt: Number(t.created_at) };
        const entries = ((await c.query('SELECT name, key_version, data, updated_at FROM team_entries FOR UPDATE')).rows as Row[]).map(entryOf);
        const machines = ((await c.query('SELECT * FROM team_machines FOR UPDATE')).rows as Row[]).map(machineOf);
        await writeRekeyed(c, compute(team, entries, machines));
      }),
  };
}
