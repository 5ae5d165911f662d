/**
 * Fault-injection kit (issue 11): a real profile (sandbox connections, a scheduled post, an
 * encrypted file vault), a snapshot of everything a user would lose, and ways to run the built
 * binary under real faults — a read-only bind mount and a full tmpfs inside a private mount
 * namespace (`unshare -m`, root only), a copy of the package whose SQLite addon does not load.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDeps } from '../../../src/deps.js';
import { createIO } from '../../../src/core/io.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/server.js';
import { makeSandboxProfile } from '../../../src/commands/sandbox.js';
import { seedConnection } from '../../../src/sandbox/seed.js';
import { storedKeyNames } from '../../../src/secrets/names.js';
import type { PlatformId } from '../../../src/providers/types.js';
import { BIN, ROOT, cliEnv, runCli, type CliResult } from '../../helpers/cli.js';

export const PLATFORMS: PlatformId[] = ['tiktok', 'x', 'linkedin'];

export interface Profile {
  home: string;
  /** Environment for the built binary: this profile, its own code cache folder. */
  env: NodeJS.ProcessEnv;
  sandbox?: Sandbox;
}

const quietIO = () => createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });

/**
 * A profile with one connection per platform (through the sandbox's OAuth) and `posts` scheduled
 * posts. The sandbox keeps running when `keepSandbox` (publishing needs it).
 */
export async function makeProfile(o: { posts?: number; keepSandbox?: boolean; dir?: string } = {}): Promise<Profile> {
  const sandbox = await startSandbox({ demo: true, platforms: PLATFORMS });
  const base = createDeps({ io: quietIO(), env: { PATH: process.env.PATH ?? '' } });
  const p = await makeSandboxProfile(base, sandbox, o.dir ?? mkdtempSync(join(tmpdir(), 'socialync-faults-')));
  const deps = createDeps({ io: quietIO(), env: { SOCIALYNC_HOME: p.dir } });
  for (const platform of PLATFORMS) await seedConnection(deps, platform, 'alice');
  await deps.close();
  const env = cliEnv({ SOCIALYNC_HOME: p.dir, XDG_CACHE_HOME: join(p.dir, '.cache') });
  for (let i = 0; i < (o.posts ?? 2); i++) {
    const r = await runCli(['schedule', 'add', '--text', `post ${i}`, '--to', 'x,linkedin', '--at', `+${i + 1}d`, '--json'], env);
    if (r.code !== 0) throw new Error(`schedule add failed: ${r.stderr}`);
  }
  if (!o.keepSandbox) await sandbox.close();
  return { home: p.dir, env, ...(o.keepSandbox ? { sandbox } : {}) };
}

export interface Snapshot {
  /** sha256 of every vault file, the key file and the config. */
  files: Record<string, string>;
  /** The decrypted secrets (compared in memory, never printed). */
  secrets: Record<string, string>;
  connections: { platform: string; account: string; accountId: string; health: string }[];
  posts: { id: number; text: string; status: string; targets: { platform: string; state: string }[] }[];
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Everything a user would miss, read through the built binary and the real secret store. */
export async function snapshot(p: Profile): Promise<Snapshot> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(join(p.home, 'vault'))) files[`vault/${f}`] = sha(join(p.home, 'vault', f));
  for (const f of ['vault.key', 'config.json']) files[f] = sha(join(p.home, f));
  const deps = createDeps({ io: quietIO(), env: { SOCIALYNC_HOME: p.home } });
  const store = await deps.secrets();
  const secrets: Record<string, string> = {};
  for (const k of storedKeyNames(join(p.home, 'vault'))) secrets[k] = (await store.get(k))!;
  await deps.close();
  const status = await runCli(['status', '--json'], p.env);
  const list = await runCli(['schedule', 'list', '--json'], p.env);
  if (status.code !== 0 && status.code !== 4) throw new Error(`status failed (${status.code}): ${status.stderr}`);
  if (list.code !== 0) throw new Error(`schedule list failed (${list.code}): ${list.stderr}`);
  return {
    files,
    secrets,
    connections: (JSON.parse(status.stdout) as Snapshot['connections']).map(({ platform, account, accountId, health }) => ({ platform, account, accountId, health })),
    posts: (JSON.parse(list.stdout) as Snapshot['posts']).map(({ id, text, status: s, targets }) => ({ id, text, status: s, targets })),
  };
}

/** Root with a working `unshare -m` and tmpfs mounts: read-only folders and full disks for real. */
export function namespaceAvailability(): { ok: boolean; why?: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'read-only/full-disk faults need Linux mount namespaces' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'read-only/full-disk faults need root (unshare -m, mount)' };
  try {
    execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"'], { stdio: 'pipe' });
    return { ok: true };
  } catch (e) {
    return { ok: false, why: `unshare -m / mount tmpfs does not work here: ${String((e as Error).message).split('\n')[0]}` };
  }
}

/**
 * Runs `setup` (shell, as root) and then the built binary with `args` inside a private mount
 * namespace, so mounts vanish with it. `$HOME_DIR` is the profile folder in `setup`; `after` runs
 * after the binary (e.g. copying a tmpfs profile back out).
 */
export function runInNamespace(setup: string, args: string[], env: NodeJS.ProcessEnv, after = ''): Promise<CliResult> {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = `set -e\n${setup}\nset +e\n${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}\nrc=$?\n${after}\nexit $rc`;
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { env: { ...env, HOME_DIR: env.SOCIALYNC_HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A copy of the built package (bin, dist, package.json) whose node_modules holds every installed
 * dependency except better-sqlite3, whose compiled addon is replaced by `addon` bytes: the same
 * layout npm makes, with an addon that does not load in this Node.js.
 */
export function packageWithAddon(addon: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'socialync-pkg-'));
  for (const f of ['bin', 'dist']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  const mods = join(dir, 'node_modules');
  mkdirSync(mods);
  for (const m of readdirSync(join(ROOT, 'node_modules'))) {
    if (m !== 'better-sqlite3' && m !== '.bin') symlinkSync(join(ROOT, 'node_modules', m), join(mods, m));
  }
  const release = join(mods, 'better-sqlite3', 'build', 'Release');
  mkdirSync(release, { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'better-sqlite3', 'package.json'), join(mods, 'better-sqlite3', 'package.json'));
  writeFileSync(join(release, 'better_sqlite3.node'), addon);
  return dir;
}
