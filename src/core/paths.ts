/**
 * Where socialync keeps things. SOCIALYNC_HOME puts everything in one folder
 * (profiles, tests, the sandbox); otherwise the XDG base directories.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync, chmodSync, statSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Paths {
  home: string | undefined;
  configDir: string;
  dataDir: string;
  stateDb: string;
  vaultDir: string;
  keyFile: string;
  locksDir: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv): Paths {
  const home = env.SOCIALYNC_HOME || undefined;
  const configDir = home ? home : join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'socialync');
  const dataDir = home ? home : join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'socialync');
  return {
    home,
    configDir,
    dataDir,
    stateDb: join(dataDir, 'state.db'),
    vaultDir: join(dataDir, 'vault'),
    keyFile: env.SOCIALYNC_VAULT_KEY_FILE || join(configDir, 'vault.key'),
    locksDir: join(dataDir, 'locks'),
  };
}

/** Creates a folder (and parents) private to the user: 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  } catch {
    /* a folder we cannot chmod is reported by doctor */
  }
}

/** The installed package's folder (holding bin/ and dist/), found from this module's location. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'socialync') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the socialync package folder');
}

/** The CLI entry that cron and systemd units run. */
export function binPath(): string {
  return join(packageRoot(), 'bin', 'socialync.cjs');
}
