import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../core/errors.js';
import { approveMachine, initTeam, joinTeam, removeMachine, teamVaultFor, thisMachine, type TeamContext } from './team-admin.js';
import { teamStatus } from './team-status.js';
import { LOCAL_KEYS } from './team-vault.js';
import { newDataKey, newMachineKeyPair, wrapDataKey } from './team-crypto.js';
import { memoryTeamBackend, postgresTeamBackend, teamTestMachine, type TeamRaw, type TeamTablesBackend, type TeamTablesKit } from '../../test/helpers/team-tables.js';
import type { TeamTables } from './team-tables.js';

const TOKEN_A = '{"accessToken":"acc-AAAA-1111","refreshToken":"ref-AAAA-2222"}';
const CLIENT_SECRET = 'client-secret-XYZ-987';

async function rejection(p: Promise<unknown>): Promise<CliError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
}

const vaultOf = (m: TeamContext) => teamVaultFor(m, thisMachine(m)!);

/** A team of `names.length` members: the first inits with two local secrets, the others join and are approved. */
async function makeTeam(tables: TeamTables, names: string[]): Promise<ReturnType<typeof teamTestMachine>[]> {
  const machines = names.map((n) => teamTestMachine(tables, n));
  await machines[0]!.local.set('conn.a', TOKEN_A);
  await machines[0]!.local.set('app.x.client_secret', CLIENT_SECRET);
  await initTeam(machines[0]!, { name: names[0]! });
  for (const [i, m] of machines.entries()) {
    if (i === 0) continue;
    const j = await joinTeam(m, { name: names[i]! });
    await approveMachine(machines[0]!, { name: j.machine, fingerprint: j.fingerprint });
  }
  return machines;
}

describe.each([memoryTeamBackend, postgresTeamBackend()] as TeamTablesBackend[])('team vault on $kind tables', (backend) => {
  let skip: string | undefined;
  let kit: TeamTablesKit | undefined;
  beforeAll(async () => {
    skip = await backend.setup();
  }, 120_000);
  afterAll(async () => backend.teardown(), 60_000);
  afterEach(async () => {
    await kit?.cleanup();
    kit = undefined;
  });
  /** Fresh tables and a team on them; `raw` reaches the rows directly. */
  async function team(...names: string[]): Promise<{ tables: TeamTables; raw: TeamRaw; machines: ReturnType<typeof teamTestMachine>[] }> {
    kit = await backend.kit();
    return { tables: kit.tables, raw: kit.raw, machines: await makeTeam(kit.tables, names) };
  }
  beforeEach((ctx) => {
    if (skip) ctx.skip(skip);
  });

  it('team init moves this profile\'s secrets into the database, encrypted, and removes the local copies', async () => {
    const { tables, raw, machines } = await team('alpha');
    const [a] = machines;
    expect(a!.localNames().filter((n) => !n.startsWith('team.'))).toEqual([]);
    expect(await tables.entryNames()).toEqual(['app.x.client_secret', 'conn.a']);
    const dump = await raw.dump();
    expect(dump).toContain('conn.a');
    expect(dump).not.toContain('ref-AAAA-2222');
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toContain(await a!.local.get(LOCAL_KEYS.machineKey));
    const vault = vaultOf(a!);
    expect(await vault.get('conn.a')).toBe(TOKEN_A);
    expect(vault.describe()).toMatchObject({ backend: 'team' });
    // Running init again resumes (nothing left to move) instead of creating a second team.
    expect(await initTeam(a!, { name: 'alpha' })).toMatchObject({ resumed: true, moved: [] });
  });

  it('a joining machine waits for approval, approval checks the fingerprint, then it reads and writes every secret', async () => {
    const { machines } = await team('alpha');
    const [a] = machines;
    const b = teamTestMachine(a!.tables, 'beta');
    const j = await joinTeam(b, { name: 'beta' });
    expect(j).toMatchObject({ machine: 'beta', state: 'pending' });
    const waiting = await rejection(vaultOf(b).get('conn.a'));
    expect(waiting.message).toContain('waiting for approval');
    expect(waiting.hint).toContain('socialync team approve beta');

    const wrong = await rejection(approveMachine(a!, { name: 'beta', fingerprint: '0000-0000-0000-0000-0000' }));
    expect(wrong.exitCode).toBe(3);
    expect(wrong.message).toContain(j.fingerprint);
    expect((await teamStatus(a!)).machines.find((m) => m.name === 'beta')?.state).toBe('pending');

    expect(await approveMachine(a!, { name: 'beta', fingerprint: j.fingerprint })).toEqual({ machine: 'beta', already: false });
    expect(await vaultOf(b).get('conn.a')).toBe(TOKEN_A);
    await vaultOf(b).set('conn.a', '{"refreshToken":"rotated-by-beta"}');
    expect(await vaultOf(a!).get('conn.a')).toBe('{"refreshToken":"rotated-by-beta"}');
    const s = await teamStatus(b);
    expect(s.thisMachine).toEqual({ name: 'beta', state: 'member' });
    expect(s.unlock).toMatchObject({ ok: true });
    expect(s.unlock).toEqual(((await teamStatus(a!)).unlock));
  });

  it('a wrong machine key fails cleanly, naming what to run', async () => {
    const { machines } = await team('alpha', 'beta');
    const b = machines[1]!;
    await b.local.set(LOCAL_KEYS.machineKey, newMachineKeyPair().privateKey);
    const e = await rejection(vaultOf(b).get('conn.a'));
    expect(e.message).toContain('does not open the team');
    expect(e.hint).toContain('socialync team remove beta');
    expect(`${e.message} ${e.hint}`).not.toContain('ref-AAAA');
    await b.local.delete(LOCAL_KEYS.machineKey);
    expect((await rejection(vaultOf(b).get('conn.a'))).message).toContain('team key is missing');
  });

  it('a tampered entry fails to decrypt, names the secret and leaves the others readable', async () => {
    const { raw, machines } = await team('alpha');
    const row = (await raw.entry('conn.a'))!;
    row.data[row.data.length - 3] ^= 1;
    await raw.putEntry(row);
    const e = await rejection(vaultOf(machines[0]!).get('conn.a'));
    expect(e.message).toContain('"conn.a"');
    expect(e.hint).toContain('socialync');
    expect(await vaultOf(machines[0]!).get('app.x.client_secret')).toBe(CLIENT_SECRET);
    // An entry copied onto another name does not decrypt either.
    await raw.putEntry({ ...(await raw.entry('app.x.client_secret'))!, name: 'conn.b' });
    await rejection(vaultOf(machines[0]!).get('conn.b'));
  });

  it('removing a machine re-keys: it can no longer unwrap, the others still read every secret', async () => {
    const { tables, raw, machines } = await team('alpha', 'beta', 'gamma');
    const [a, b, c] = machines;
    const betaId = (await tables.listMachines()).find((m) => m.name === 'beta')!.id;
    const bVault = vaultOf(b!);
    const oldKey = (await bVault.unlock()).key;
    const r = await removeMachine(a!, { name: 'beta' });
    expect(r).toEqual({ machine: 'beta', rekeyedTo: 2, entries: 2 });
    expect((await rejection(vaultOf(b!).get('conn.a'))).message).toContain('not a member');
    // Even with the old data key in memory, the re-encrypted rows stay closed to it.
    const { decryptEntry } = await import('./team-crypto.js');
    const row = (await raw.entry('conn.a'))!;
    expect(row.keyVersion).toBe(2);
    expect(decryptEntry(oldKey, (await tables.readTeam())!.id, 2, 'conn.a', row.data)).toBeUndefined();
    expect(await raw.hasWrap(betaId)).toBe(false);
    for (const m of [a!, c!]) {
      expect(await vaultOf(m).get('conn.a')).toBe(TOKEN_A);
      expect(await vaultOf(m).get('app.x.client_secret')).toBe(CLIENT_SECRET);
    }
    expect((await teamStatus(c!)).machines.map((m) => m.name)).toEqual(['alpha', 'gamma']);
  });

  it('team leave on a member forgets this machine; the last member cannot leave', async () => {
    const { machines } = await team('alpha', 'beta');
    const [a, b] = machines;
    await removeMachine(b!, { name: 'beta' });
    expect(thisMachine(b!)).toBeUndefined();
    expect(await b!.local.get(LOCAL_KEYS.machineKey)).toBeUndefined();
    expect(await vaultOf(a!).get('conn.a')).toBe(TOKEN_A);
    // A machine still waiting for approval can withdraw its request.
    const c = teamTestMachine(a!.tables, 'gamma');
    await joinTeam(c, { name: 'gamma' });
    expect(await removeMachine(c, { name: 'gamma' })).toEqual({ machine: 'gamma' });
    expect(thisMachine(c)).toBeUndefined();
    expect((await a!.tables.listMachines()).map((m) => m.name)).toEqual(['alpha']);
    const last = await rejection(removeMachine(a!, { name: 'alpha' }));
    expect(last.exitCode).toBe(3);
    expect(last.hint).toContain('socialync team join');
    expect(await vaultOf(a!).get('conn.a')).toBe(TOKEN_A);
  });

  it('writes that race a re-key are never lost', async () => {
    const { machines } = await team('alpha', 'beta', 'gamma');
    const [a, b] = machines;
    // One writer per secret (as the refresh lock makes it), six secrets at once, a re-key among them.
    const writer = async (n: number) => {
      const vault = vaultOf(b!);
      for (let i = 0; i < 8; i++) await vault.set(`conn.n${n}`, `value-${n}-${i}`);
    };
    await Promise.all([...[0, 1, 2, 3, 4, 5].map(writer), removeMachine(a!, { name: 'gamma' })]);
    expect((await a!.tables.readTeam())!.keyVersion).toBe(2);
    for (let n = 0; n < 6; n++) expect(await vaultOf(a!).get(`conn.n${n}`)).toBe(`value-${n}-7`);
  });

  it('refuses a data key slipped in by someone who can write to the database but holds no key', async () => {
    const { tables, raw, machines } = await team('alpha', 'beta');
    const [a, b] = machines;
    expect(await vaultOf(b!).get('conn.a')).toBe(TOKEN_A); // beta pins the current key
    const teamId = (await tables.readTeam())!.id;
    const bRow = (await tables.listMachines()).find((m) => m.name === 'beta')!;
    const forged = newDataKey();
    // Same version, another key.
    await raw.forgeWrap({ machineId: bRow.id, keyVersion: 1, wrapped: wrapDataKey(forged, { teamId, machineId: bRow.id, version: 1, publicKey: bRow.publicKey }) });
    const same = await rejection(vaultOf(b!).set('conn.a', 'new-token'));
    expect(same.message).toContain('refusing to use it');
    // A newer version without a chain link back to the pinned key.
    await raw.forgeWrap({ machineId: bRow.id, keyVersion: 2, wrapped: wrapDataKey(forged, { teamId, machineId: bRow.id, version: 2, publicKey: bRow.publicKey }) });
    expect((await rejection(vaultOf(b!).set('conn.a', 'new-token'))).message).toContain('no key chain');
    expect(a).toBeDefined();
  });

  it('a secret left in the local store after init is moved on first read; a newer database value wins', async () => {
    const { machines } = await team('alpha');
    const a = machines[0]!;
    await a.local.set('conn.late', 'late-token');
    expect(await vaultOf(a).get('conn.late')).toBe('late-token');
    expect(a.localNames()).not.toContain('conn.late');
    await vaultOf(a).set('conn.a', 'newest');
    await a.local.set('conn.a', 'stale-local');
    expect(await initTeam(a, { name: 'alpha' })).toMatchObject({ resumed: true, moved: [], databaseNewer: ['conn.a'] });
    expect(await vaultOf(a).get('conn.a')).toBe('newest');
    expect(a.localNames()).not.toContain('conn.a');
  });

  it('team init keeps every local copy when the database does not give back what was written, and resumes later', async () => {
    kit = await backend.kit();
    const real = kit.tables;
    let corrupt = true;
    // A database that damages what it stores (a broken proxy, a bad disk): read-back must catch it.
    const damaging: TeamTables = {
      ...real,
      writeEntry: (e, o) => real.writeEntry(corrupt ? { ...e, data: Buffer.concat([e.data.subarray(0, -1), Buffer.from([e.data.at(-1)! ^ 1])]) } : e, o),
    };
    const a = teamTestMachine(damaging, 'alpha');
    await a.local.set('conn.a', TOKEN_A);
    const e = await rejection(initTeam(a, { name: 'alpha' }));
    expect(e.message).toBe('team secret "conn.a" did not read back as written; the copy in this machine\'s secret store is kept');
    expect(e.hint).toContain('it resumes');
    expect(await a.local.get('conn.a')).toBe(TOKEN_A);
    // The damaged row is not taken for a newer value: the resumed run replaces it.
    corrupt = false;
    expect(await initTeam(a, { name: 'alpha' })).toMatchObject({ resumed: true, moved: ['conn.a'] });
    expect(a.localNames()).not.toContain('conn.a');
    expect(await vaultOf(a).get('conn.a')).toBe(TOKEN_A);
  });

  it('a second team init on another machine is refused and points to team join', async () => {
    const { tables } = await team('alpha');
    const other = teamTestMachine(tables, 'beta');
    const e = await rejection(initTeam(other, { name: 'beta' }));
    expect(e.hint).toContain('socialync team join');
    expect(thisMachine(other)).toBeUndefined();
  });
});
