/**
 * Permissions: socialync's folders must be 0700 and its files 0600 (no access
 * for group or others), owned by the user running it. Windows has no modes.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { result, type Check } from './types.js';

interface Offender {
  path: string;
  mode: string;
  want: '700' | '600';
  foreign: boolean;
}

const octal = (m: number) => `0${(m & 0o777).toString(8).padStart(3, '0')}`;

function stat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

export interface FileScanOptions {
  platform?: NodeJS.Platform;
  uid?: number;
}

/** Folders and files socialync owns, with those that are too open. */
function scanPermissions(paths: { configDir: string; dataDir: string; vaultDir: string; locksDir: string; stateDb: string; keyFile: string }, o: FileScanOptions = {}) {
  const uid = o.uid ?? process.getuid?.();
  const dirs = [...new Set([paths.configDir, paths.dataDir, paths.vaultDir, paths.locksDir])];
  const files = new Set<string>([join(paths.configDir, 'config.json'), paths.stateDb, `${paths.stateDb}-wal`, `${paths.stateDb}-shm`, paths.keyFile]);
  for (const d of [paths.vaultDir, paths.locksDir]) {
    try {
      for (const name of readdirSync(d)) files.add(join(d, name));
    } catch {
      /* not created yet */
    }
  }
  const offenders: Offender[] = [];
  let checked = 0;
  const look = (path: string, want: '700' | '600') => {
    const st = stat(path);
    if (!st || (want === '600' && !st.isFile()) || (want === '700' && !st.isDirectory())) return;
    checked++;
    const foreign = uid !== undefined && st.uid !== uid;
    if ((st.mode & 0o077) !== 0 || foreign) offenders.push({ path, mode: octal(st.mode), want, foreign });
  };
  for (const d of dirs) look(d, '700');
  for (const f of files) look(f, '600');
  return { checked, offenders };
}

const q = (p: string) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

export const checkPermissions: Check = async (ctx) => {
  if (process.platform === 'win32') return [result('files', 'permissions', 'skip', 'file permissions: not applicable on Windows')];
  const { checked, offenders } = scanPermissions(ctx.deps.paths);
  if (!offenders.length) return [result('files', 'permissions', 'ok', `permissions: all ${checked} socialync folders and files are private (folders 0700, files 0600)`)];
  const foreign = offenders.filter((o) => o.foreign);
  const dirs = offenders.filter((o) => !o.foreign && o.want === '700').map((o) => q(o.path));
  const files = offenders.filter((o) => !o.foreign && o.want === '600').map((o) => q(o.path));
  const fix = [dirs.length ? `chmod 700 ${dirs.join(' ')}` : '', files.length ? `chmod 600 ${files.join(' ')}` : '', foreign.length ? `chown "$(id -u)" ${foreign.map((o) => q(o.path)).join(' ')}` : '']
    .filter(Boolean)
    .join(' && ');
  const detail = offenders.map((o) => `${o.path}: ${o.foreign ? 'owned by another user' : `mode ${o.mode}, should be 0${o.want}`}`);
  const first = offenders[0]!;
  const title = `permissions: ${offenders.length} of ${checked} socialync paths are readable by others or not yours (e.g. ${first.path} ${first.foreign ? 'owned by another user' : first.mode})`;
  return [result('files', 'permissions', 'fail', title, `run: ${fix}`, detail)];
};
