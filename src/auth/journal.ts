/**
 * The refresh journal: one small file per refresh in flight, so a refresh cut short
 * (kill -9, OOM, power cut, a disk that filled up) is known as such on the next run.
 *
 * `<dataDir>/journal/refresh-<connection>.json` holds no secret: the connection, when the
 * request went out, the token generation and a fingerprint of the refresh token sent
 * (the first 12 hex digits of its SHA-256, enough to tell tokens apart, useless to spend).
 *
 * - `sent`: written before the refresh request. Still there on the next run with the same
 *   fingerprint as the stored refresh token: the platform may or may not have answered.
 * - `spent`: the platform answered with new tokens that could not be stored anywhere
 *   durable: the stored refresh token is certainly spent and is never sent again.
 * - Removed once the new tokens are durable, or once the platform answered with a refusal
 *   (a refused token was not rotated).
 *
 * Written with rename(2) and no fsync: it survives the death of the process, the case it
 * is for, at the cost of one small file write per refresh (fsync would add milliseconds
 * to every refresh; after a power cut the next run only loses the "interrupted" label).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Paths } from '../core/paths.js';

export interface JournalEntry {
  connectionId: string;
  state: 'sent' | 'spent';
  /** When the request went out (ms since the epoch). */
  at: number;
  generation: number;
  /** fingerprint() of the refresh token sent. */
  fingerprint: string;
  /** The process that sent it (src/auth/owner.ts). */
  owner: string;
  /** For `spent`: why the new tokens could not be kept. */
  detail?: string;
}

/** A non-secret tag of a token: the first 12 hex digits of its SHA-256. */
export function fingerprint(token: string | undefined): string {
  return token ? createHash('sha256').update(token).digest('hex').slice(0, 12) : 'none';
}

function journalDir(paths: Paths): string {
  return join(paths.dataDir, 'journal');
}

function fileOf(paths: Paths, connectionId: string): string {
  return join(journalDir(paths), `refresh-${encodeURIComponent(connectionId)}.json`);
}

export async function readJournal(paths: Paths, connectionId: string): Promise<JournalEntry | undefined> {
  try {
    const e = JSON.parse(await readFile(fileOf(paths, connectionId), 'utf8')) as JournalEntry;
    return e && e.connectionId === connectionId && (e.state === 'sent' || e.state === 'spent') ? e : undefined;
  } catch (e) {
    // Missing: nothing in flight. Unreadable (a torn write cannot happen with rename; a hand
    // edit can): treated as nothing in flight, the platform's answer decides.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Writes the entry; throws when it cannot (then the refresh must not be sent). */
export async function writeJournal(paths: Paths, e: JournalEntry): Promise<void> {
  const dir = journalDir(paths);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(tmp, JSON.stringify(e), { mode: 0o600, flag: 'wx' });
    await rename(tmp, fileOf(paths, e.connectionId));
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function clearJournal(paths: Paths, connectionId: string): Promise<void> {
  try {
    await unlink(fileOf(paths, connectionId));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
