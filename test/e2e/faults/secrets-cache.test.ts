/**
 * Faults of the secrets through the built binary (issue 11 items 8 and 9): a connection whose
 * vault entry is gone says so everywhere and on every run; a refused `secrets use-file` writes
 * nothing. (Item 11, damaged compile-cache bytes: compile-cache.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../../helpers/cli.js';
import { makeProfile, snapshot, type Profile, type Snapshot } from './kit.js';

let base: Profile;
let before: Snapshot;
beforeAll(async () => {
  base = await makeProfile();
  before = await snapshot(base);
}, 120_000);

function copyProfile(): Profile {
  const home = mkdtempSync(join(tmpdir(), 'socialync-fault-'));
  cpSync(base.home, home, { recursive: true });
  return { home, env: cliEnv({ SOCIALYNC_HOME: home, XDG_CACHE_HOME: join(home, '.cache') }) };
}

describe('a connection whose secret is gone from the vault', () => {
  it('is "needs reconnect: secret missing" in status, doctor --offline and refresh, on every run; the others stay healthy', async () => {
    const p = copyProfile();
    const lost = before.connections.find((c) => c.platform === 'linkedin')!;
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(p.home, 'state.db'), { readonly: true });
    const connId = db.prepare("SELECT id FROM connections WHERE platform = 'linkedin'").pluck().get() as string;
    db.close();
    expect(before.secrets[`conn.${connId}`]).toBeTruthy();
    rmSync(join(p.home, 'vault', `conn.${connId}.sec`));

    const s = await runCli(['status', '--json'], p.env);
    expect(s.code).toBe(4);
    const entries = JSON.parse(s.stdout) as { platform: string; health: string; reason: string | null; reasonText: string | null; fix: string | null }[];
    expect(entries.find((e) => e.platform === 'linkedin')).toMatchObject({ health: 'needs_reconnect', reason: 'secret_missing', reasonText: 'secret missing', fix: `socialync connect linkedin --name ${lost.account}` });
    expect(entries.filter((e) => e.platform !== 'linkedin').map((e) => e.health)).toEqual(['healthy', 'healthy']);
    const tsv = await runCli(['status'], p.env);
    expect(tsv.stdout).toMatch(/^linkedin\talice\tneeds_reconnect\t.*\tsecret missing\tsocialync connect linkedin --name alice$/m);

    const d = await runCli(['doctor', '--offline'], p.env);
    expect(d.stdout).toMatch(/fail\s+linkedin\/alice: needs a reconnect \(secret missing\)/);
    expect(d.stdout).toMatch(/ok\s+tiktok\/alice: healthy/);

    // Not due, and run twice: reported both times (not once a day), exit 4 each time.
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['refresh', 'linkedin'], p.env);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/linkedin\/alice: needs a reconnect: secret missing: its tokens are not in the secret store .* Run: socialync connect linkedin --name alice/);
    }
    const j = JSON.parse((await runCli(['refresh', 'linkedin', '--json'], p.env)).stdout) as { results: { status: string; reason: string }[] };
    expect(j.results[0]).toMatchObject({ status: 'reconnect_needed', reason: 'secret_missing' });

    // Every other connection, post and secret is untouched.
    const after = await snapshot(p);
    expect(after.posts).toEqual(before.posts);
    const { [`conn.${connId}`]: _gone, ...rest } = before.secrets;
    void _gone;
    expect(after.secrets).toEqual(rest);
    expect(after.connections.filter((c) => c.platform !== 'linkedin')).toEqual(before.connections.filter((c) => c.platform !== 'linkedin'));
  });
});

describe('secrets use-file', () => {
  it('refuses when the vault was sealed with another key, and writes no key file first', async () => {
    const p = copyProfile();
    // The vault's key now comes from the environment; the key file that sealed it is elsewhere.
    const key = readFileSync(join(p.home, 'vault.key'), 'utf8').trim();
    rmSync(join(p.home, 'vault.key'));
    writeFileSync(join(p.home, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(p.home, 'config.json'), 'utf8')), secrets: { backend: 'keychain' } }));
    const r = await runCli(['secrets', 'use-file'], p.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/was created with a different key; the file backend cannot read it/);
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(existsSync(join(p.home, 'vault.key'))).toBe(false);
    expect(readdirSync(p.home).filter((f) => /key/.test(f))).toEqual([]);
    expect(JSON.parse(readFileSync(join(p.home, 'config.json'), 'utf8')).secrets.backend).toBe('keychain');
    // Put the key back and the profile is whole.
    writeFileSync(join(p.home, 'vault.key'), `${key}\n`, { mode: 0o600 });
    writeFileSync(join(p.home, 'config.json'), readFileSync(join(base.home, 'config.json')));
    expect(await snapshot(p)).toEqual(before);
  });
});
