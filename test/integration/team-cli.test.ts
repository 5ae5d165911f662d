/**
 * Team commands in-process: two "machines" (separate homes, each with its own file vault)
 * sharing one set of team tables, as two machines share one PostgreSQL database.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { makeTestDeps, type TestDeps } from '../helpers/deps.js';
import { memoryTeamTables, type MemoryTeamTables } from '../helpers/team-tables.js';

function machine(tables: MemoryTeamTables): TestDeps {
  const home = mkdtempSync(join(tmpdir(), 'socialync-team-cli-'));
  return makeTestDeps({ home, over: { store: async () => Object.assign(openSqliteStore(join(home, 'state.db')), { teamTables: () => tables }) } });
}

async function run(t: TestDeps, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = t.stdout().length;
  const e = t.stderr().length;
  const code = await t.run(argv);
  return { code, out: t.stdout().slice(o), err: t.stderr().slice(e) };
}

async function doctorTeam(t: TestDeps): Promise<{ status: string; title: string; fix: string | null; hint: string | null }> {
  const r = await run(t, ['doctor', '--offline', '--json']);
  return (JSON.parse(r.out) as { checks: { id: string; status: string; title: string; fix: string | null; hint: string | null }[] }).checks.find((c) => c.id === 'secrets.team')!;
}

describe('team commands', () => {
  it('init moves the secrets in, join waits, approve needs the fingerprint, remove locks the machine out', async () => {
    const tables = memoryTeamTables();
    const a = machine(tables);
    const b = machine(tables);
    await (await a.deps.secrets()).set('app.x.client_secret', 'cs-secret-123');

    const init = await run(a, ['team', 'init', '--name', 'alpha']);
    expect(init.code, init.err).toBe(0);
    expect(init.err).toContain('1 secret(s) moved into the database');
    expect(init.err).toContain('socialync team join');
    expect(await a.run(['secrets', 'where'])).toBe(0);
    // Every later process of this profile reads its secrets from the team vault.
    const fresh = makeTestDeps({ home: a.home, env: { SOCIALYNC_VAULT_KEY: a.env.SOCIALYNC_VAULT_KEY! }, over: { store: async () => Object.assign(openSqliteStore(join(a.home, 'state.db')), { teamTables: () => tables }) } });
    const aSecrets = await fresh.deps.secrets();
    expect(aSecrets.describe().backend).toBe('team');
    expect(await aSecrets.get('app.x.client_secret')).toBe('cs-secret-123');
    expect(JSON.stringify([...tables.rows.entries.values()].map((e) => e.data.toString('latin1')))).not.toContain('cs-secret-123');

    const joined = await run(b, ['team', 'join', '--name', 'beta']);
    expect(joined.code, joined.err).toBe(0);
    const fingerprint = joined.out.trim().split('\t')[2]!;
    expect(joined.err).toContain(`socialync team approve beta --fingerprint ${fingerprint}`);
    expect(await doctorTeam(b)).toMatchObject({ status: 'warn', title: 'team: beta waits for approval' });
    const pendingDoctor = JSON.parse((await run(b, ['doctor', '--offline', '--json'])).out) as { checks: { id: string; fix: string | null; hint: string | null }[] };
    const backend = pendingDoctor.checks.find((c) => c.id === 'secrets.backend')!;
    expect(`${backend.fix} ${backend.hint}`).toContain('socialync team approve beta');
    const locked = await run(b, ['secrets', 'where']);
    expect(locked.code).toBe(0); // describes without unlocking

    const noFp = await run(a, ['team', 'approve', 'beta']);
    expect(noFp.code).toBe(3);
    expect(noFp.err).toContain('socialync team approve beta --fingerprint');
    const badFp = await run(a, ['team', 'approve', 'beta', '--fingerprint', '0000-1111-2222-3333-4444']);
    expect(badFp.code).toBe(3);
    expect((await run(a, ['team', 'approve', 'beta', '--fingerprint', fingerprint])).code).toBe(0);

    expect(await doctorTeam(b)).toMatchObject({ status: 'ok' });
    const status = await run(b, ['team', 'status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain('beta (this machine)\tmember');
    expect(status.out).toContain('alpha\tmember');
    expect(status.err).toMatch(/key opens the data key \(fingerprint [0-9a-f-]+\)/);

    const removed = await run(a, ['team', 'remove', 'beta', '--yes']);
    expect(removed.code, removed.err).toBe(0);
    expect(removed.err).toContain('data key version 2');
    const out = await doctorTeam(b);
    expect(out.status).toBe('fail');
    expect(`${out.fix} ${out.hint}`).toContain('socialync team join');
    const leaveLast = await run(a, ['team', 'leave', '--yes']);
    expect(leaveLast.code).toBe(3);
    expect(leaveLast.err).toContain('last member');
  });

  it('names the setting to make when the store is the local SQLite one', async () => {
    const t = makeTestDeps();
    const r = await run(t, ['team', 'init']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('SOCIALYNC_DATABASE_URL');
    expect(r.err).toContain('socialync db migrate');
  });
});
