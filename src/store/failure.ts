/**
 * What went wrong with the state database, told apart by cause, each with a fix that keeps the
 * user's data: a read-only folder, a full disk, busy, and — only when SQLite itself says so
 * (SQLITE_CORRUPT, SQLITE_NOTADB) — a damaged file, whose fix starts with keeping a copy.
 * The secrets never live in this file (they are in the vault), so every message says they are intact.
 */
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, ExitCode, localFileFailure } from '../core/errors.js';
import type { Config } from '../core/config.js';
import type { Paths } from '../core/paths.js';
import { storedKeyNames } from '../secrets/names.js';

export type StateDbProblem = 'corrupted' | 'full' | 'read_only' | 'busy' | 'io' | 'other';

const INTACT = 'nothing was changed; your connections and secrets are intact';

/** Bytes free for this user on the disk holding `dir`, or undefined when it cannot be told. */
function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** The errno code when `path` cannot be written by this user (EROFS, EACCES), else undefined. */
function notWritable(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : code;
  }
}

/** Below this much free space, SQLite cannot grow its WAL or shared-memory file: the disk is full. */
const FULL_BELOW = 256 * 1024;

export function classifyStateDbError(file: string, e: unknown): StateDbProblem {
  const code = String((e as { code?: unknown })?.code ?? '');
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return 'corrupted';
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'busy';
  const dir = dirname(file);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code) || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    if (notWritable(dir) || (existsSync(file) && notWritable(file))) return 'read_only';
  }
  // SQLite reports a failed write of its -wal/-shm file as a plain I/O error: look at the disk.
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    const free = freeBytes(dir);
    if (free !== undefined && free < FULL_BELOW) return 'full';
    if (notWritable(dir) || (existsSync(file) && notWritable(file))) return 'read_only';
    return 'io';
  }
  return 'other';
}

/** A copy that keeps everything: the database and its write-ahead log, which holds the latest changes. */
export function keepCopyCommand(file: string): string {
  const backup = `${dirname(file)}/backup`;
  return `mkdir -p ${backup} && cp -p ${file} ${file}-wal ${backup}/ 2>/dev/null; ls -l ${backup}`;
}

/** The error shown for a failure of the state database (any command; `doctor` shows the same words). */
export function stateDbError(file: string, e: unknown): CliError {
  if (e instanceof CliError) return e;
  const dir = dirname(file);
  const detail = String((e as Error)?.message ?? e).split('\n')[0];
  const code = (e as { code?: unknown })?.code;
  const why = `${detail}${typeof code === 'string' && !detail.includes(code) ? ` (${code})` : ''}`;
  const o = { exitCode: ExitCode.failed, cause: e };
  switch (classifyStateDbError(file, e)) {
    case 'corrupted':
      return new CliError(`state database ${file} is corrupted: SQLite says "${why}"`, {
        ...o,
        hint: `your secrets (tokens, app secrets) are intact in the vault. Keep a copy of the file first: ${keepCopyCommand(file)}; then run: socialync doctor (README: "If the state database is damaged" shows how to recover its rows)`,
      });
    case 'full':
      return new CliError(`cannot write the state database ${file}: the disk is full (${why})`, {
        ...o,
        hint: `${INTACT}. Free some space on the disk that holds ${dir} (see: df -h ${dir}), then run the command again`,
      });
    case 'read_only': {
      const what = notWritable(dir) === 'EROFS' || code === 'EROFS' ? `${dir} is on a read-only file system` : `${dir} or ${file} is not writable by you`;
      return new CliError(`cannot write the state database: ${what} (${why})`, {
        ...o,
        hint: `${INTACT}. Make ${dir} writable for your user (see: ls -ld ${dir}; findmnt -T ${dir}), then run the command again`,
      });
    }
    case 'busy':
      return new CliError(`the state database ${file} stayed locked by another socialync process for too long (${why})`, {
        ...o,
        exitCode: ExitCode.transient,
        hint: `${INTACT}. Run the command again in a minute; if it persists, see: socialync doctor`,
      });
    case 'io':
      return new CliError(`cannot read or write the state database ${file}: ${why}`, {
        ...o,
        hint: `${INTACT} as far as socialync can tell; the disk reported an error. Check the disk (see: dmesg | tail), then run: socialync doctor`,
      });
    default: {
      const local = localFileFailure(e);
      return new CliError(`cannot open the state database ${file}: ${local ? `${local.path}: ${local.text}` : why}`, {
        ...o,
        hint: `${INTACT}. Run: socialync doctor`,
      });
    }
  }
}

/** A SQLite error (better-sqlite3's SqliteError), which only the state database produces. */
export function isSqliteError(e: unknown): boolean {
  return (e as { name?: unknown })?.name === 'SqliteError' || /^SQLITE_/.test(String((e as { code?: unknown })?.code ?? ''));
}

/** What a profile holds outside the state database, in words ("2 connection tokens in the vault, apps for tiktok, x"), or undefined. */
export function profileHoldings(paths: Pick<Paths, 'vaultDir'>, config: Pick<Config, 'get'>): string | undefined {
  const parts: string[] = [];
  let keys: string[] = [];
  try {
    keys = storedKeyNames(paths.vaultDir);
  } catch {
    keys = [];
  }
  const count = (n: number, what: string) => n && parts.push(`${n} ${what}${n === 1 ? '' : 's'} in the vault`);
  const tokens = keys.filter((k) => k.startsWith('conn.')).length;
  const appSecrets = keys.filter((k) => k.startsWith('app.')).length;
  count(tokens, 'connection token');
  count(appSecrets, 'app secret');
  count(keys.length - tokens - appSecrets, 'other secret');
  let apps: string[] = [];
  try {
    apps = Object.keys(config.get<Record<string, unknown>>('apps') ?? {});
  } catch {
    /* an unreadable config is doctor's to report */
  }
  if (apps.length) parts.push(`apps for ${apps.join(', ')} in the config`);
  return parts.length ? parts.join(', ') : undefined;
}
