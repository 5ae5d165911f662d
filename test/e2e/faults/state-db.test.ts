/**
 * Faults of the state database through the built binary (issue 11 items 1 and 5): each fault gets
 * its own message and a fix that keeps the data, and afterwards every connection, post and secret
 * is intact. Read-only and full disks are real: a read-only bind mount and a small full tmpfs in
 * a private mount namespace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { itWhen } from '../../helpers/secret-service.js';
import { cliEnv, runCli, type CliResult } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/cli.js';
import { addonLoadError } from '../../../src/store/addon.js';
import { makeProfile, namespaceAvailability, packageWithAddon, runInNamespace, snapshot, type Profile, type Snapshot } from './kit.js';

let base: Profile;
let before: Snapshot;
beforeAll(async () => {
  base = await makeProfile();
  before = await snapshot(base);
  expect(before.connections).toHaveLength(3);
  expect(before.posts).toHaveLength(2);
  expect(Object.keys(before.secrets).filter((k) => k.startsWith('conn.'))).toHaveLength(3);
}, 120_000);

/** A fresh copy of the populated profile (each case damages its own). */
function copyProfile(): Profile {
  const home = mkdtempSync(join(tmpdir(), 'socialync-fault-'));
  cpSync(base.home, home, { recursive: true });
  return { home, env: cliEnv({ SOCIALYNC_HOME: home, XDG_CACHE_HOME: join(home, '.cache') }) };
}

/** The profile with the good database put back: everything else must be exactly as before. */
async function expectIntactAfterRestore(p: Profile): Promise<void> {
  for (const f of ['state.db-wal', 'state.db-shm']) rmSync(join(p.home, f), { force: true });
  copyFileSync(join(base.home, 'state.db'), join(p.home, 'state.db'));
  expect(await snapshot(p)).toEqual(before);
}

const noDataLossAdvice = (r: CliResult) => {
  // Never "move it aside and reconnect" as the fix of a fault that destroyed nothing.
  expect(r.stderr).not.toMatch(/\bmv\b[^\n]*&& socialync connect|reconnect with/);
};

describe('state database faults (built binary)', () => {
  it('a 0-byte state.db next to a vault with tokens is refused, not turned into an empty profile; doctor reports it', async () => {
    const p = copyProfile();
    writeFileSync(join(p.home, 'state.db'), '');
    const r = await runCli(['status'], p.env);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/No connections yet/);
    expect(r.stderr).toMatch(/state database .*state\.db is empty \(0 bytes\), but this profile holds 3 connection tokens in the vault, 3 app secrets in the vault, apps for tiktok, x, linkedin in the config; socialync will not start over/);
    expect(r.stderr).toMatch(/your secrets are intact/);
    expect(r.stderr).toMatch(/socialync doctor/);
    expect(statSync(join(p.home, 'state.db')).size).toBe(0); // nothing was written into it
    const d = await runCli(['doctor', '--offline', '--json'], p.env);
    expect(d.code).toBe(1);
    const check = (JSON.parse(d.stdout) as { checks: { id: string; status: string; title: string; fix?: string }[] }).checks.find((c) => c.id === 'state.integrity')!;
    expect(check).toMatchObject({ status: 'fail', title: expect.stringMatching(/has none of socialync's tables, but this profile holds 3 connection tokens/) });
    await expectIntactAfterRestore(p);
  });

  it('a database without our tables (another SQLite file) is refused the same way', async () => {
    const p = copyProfile();
    rmSync(join(p.home, 'state.db'));
    const other = new Database(join(p.home, 'state.db'));
    other.exec('CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES (1)');
    other.close();
    const r = await runCli(['schedule', 'list'], p.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds none of socialync's tables \(\d+ bytes\), but this profile holds 3 connection tokens/);
    const still = new Database(join(p.home, 'state.db'), { readonly: true });
    expect(still.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(1); // not migrated into
    still.close();
    await expectIntactAfterRestore(p);
  });

  it('a brand-new profile still starts empty (no vault, no apps): status says no connections, exit 0', async () => {
    const home = mkdtempSync(join(tmpdir(), 'socialync-new-'));
    const r = await runCli(['status'], cliEnv({ SOCIALYNC_HOME: home, XDG_CACHE_HOME: join(home, '.cache') }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/No connections yet/);
  });

  it('a truncated state.db is "corrupted" because SQLite says so, and the fix keeps a copy first', async () => {
    const p = copyProfile();
    truncateSync(join(p.home, 'state.db'), Math.floor(statSync(join(p.home, 'state.db')).size / 3));
    const r = await runCli(['status'], p.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/state database .* is corrupted: SQLite says "database disk image is malformed \(SQLITE_CORRUPT\)"/);
    expect(r.stderr).toMatch(/secrets .* are intact .*Keep a copy of the file first: mkdir -p .*backup && cp -p .*state\.db/);
    noDataLossAdvice(r);
    const d = await runCli(['doctor', '--offline'], p.env);
    expect(d.code).toBe(1);
    expect(d.stdout).toMatch(/fix: keep a copy first: mkdir -p/);
    await expectIntactAfterRestore(p);
  });

  const ns = namespaceAvailability();

  itWhen(ns)('a read-only data folder: its own message and fix, nothing changed', async () => {
    const p = copyProfile();
    const r = await runInNamespace('mount --bind "$HOME_DIR" "$HOME_DIR" && mount -o remount,ro,bind "$HOME_DIR"', ['schedule', 'add', '--text', 'new', '--to', 'x', '--at', '+3d'], p.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write the state database: .* is on a read-only file system/);
    expect(r.stderr).toMatch(/nothing was changed; your connections and secrets are intact\. Make .* writable/);
    expect(r.stderr).not.toMatch(/corrupt/);
    noDataLossAdvice(r);
    expect(await snapshot(p)).toEqual(before);
  });

  itWhen(ns)('a full disk: its own message and fix; after freeing space everything is there', async () => {
    const p = copyProfile();
    const out = mkdtempSync(join(tmpdir(), 'socialync-full-out-'));
    // The profile on a 1 MiB tmpfs, filled up to the last block; copied back out after the run.
    // Node's compile cache (Node >= 22.8, under $HOME/.cache from earlier runs) stays out: it
    // alone can fill the 1 MiB before the state database is copied.
    const setup = `mount -t tmpfs -o size=1m tmpfs "$HOME_DIR" && tar -C ${JSON.stringify(base.home)} --exclude=./.cache -cf - . | tar -C "$HOME_DIR" -xf - && (dd if=/dev/zero of="$HOME_DIR/fill" bs=4k 2>/dev/null || true)`;
    const r = await runInNamespace(setup, ['schedule', 'add', '--text', 'new', '--to', 'x', '--at', '+3d'], { ...p.env, XDG_CACHE_HOME: join(out, 'cache') }, `rm -f "$HOME_DIR/fill"; cp -a "$HOME_DIR"/. ${JSON.stringify(out)}/`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write the state database .*: the disk is full/);
    expect(r.stderr).toMatch(/Free some space on the disk that holds/);
    expect(r.stderr).not.toMatch(/corrupt/);
    noDataLossAdvice(r);
    const after: Profile = { home: out, env: cliEnv({ SOCIALYNC_HOME: out, XDG_CACHE_HOME: join(out, 'cache') }) };
    expect(await snapshot(after)).toEqual(before);
  });

  it('a SQLite addon that does not load (a damaged copy in an installed package): its own message and reinstall fix', async () => {
    const good = readFileSync(join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
    const bad = Buffer.from(good);
    bad.write('XELF', 0); // not an ELF file for this system any more
    const pkg = packageWithAddon(bad);
    const p = copyProfile();
    const r = await new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [join(pkg, 'bin', 'socialync.cjs'), 'status'], { env: p.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the SQLite addon \(better-sqlite3\) does not load in Node\.js v\d+.*invalid ELF header/);
    expect(r.stderr).toMatch(/rebuild it for this Node\.js: cd ".+" && npm rebuild better-sqlite3 \(a global install: npm install -g socialync.*Your data and secrets are not affected/);
    expect(r.stderr).not.toMatch(/corrupt/);
    noDataLossAdvice(r);
    expect(await snapshot(p)).toEqual(before);
  });

  it('a Node upgrade (NODE_MODULE_VERSION) is named as such', () => {
    const e = new Error(
      "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing",
    );
    const err = addonLoadError('/x/better_sqlite3.node', e);
    expect(err.message).toMatch(/it was built for NODE_MODULE_VERSION 115, this one needs 127/);
    expect(err.hint).toMatch(/npm rebuild better-sqlite3.*npm install -g socialync/);
  });
});

afterAll(() => undefined);
