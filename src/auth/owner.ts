/**
 * Who holds a lock or a publish claim, and whether it is still alive.
 *
 * An owner id is `<host>/<pid>/<start>/<random>`: the host name, the process id, the
 * process's start time (field 22 of /proc/<pid>/stat, in clock ticks since boot; empty
 * where /proc does not exist) and a random part that makes each process unique. A lease
 * whose owner is a process of this host that no longer exists can be taken over at once
 * instead of waiting for it to expire: process.kill(pid, 0) says whether the pid exists,
 * and the start time tells a reused pid from the original process (proc(5)).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface OwnerInfo {
  host: string;
  pid: number;
  /** Start time in clock ticks since boot; undefined where unknown. */
  start: string | undefined;
}

/** Field 22 (starttime) of /proc/<pid>/stat; undefined without /proc or for a missing pid. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 2 (comm) is in parentheses and may contain spaces: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

const host = () => hostname().replace(/\//g, '_') || 'localhost';

export function makeOwnerId(random: string): string {
  return `${host()}/${process.pid}/${processStartTime(process.pid) ?? ''}/${random}`;
}

function parseOwner(owner: string | null | undefined): OwnerInfo | undefined {
  const m = /^([^/]+)\/(\d+)\/(\d*)\/[^/]+/.exec(owner ?? '');
  if (!m) return undefined;
  return { host: m[1]!, pid: Number(m[2]), start: m[3] || undefined };
}

/**
 * 'dead': a process of this host that no longer exists (or whose pid now belongs to a
 * process started at another time). 'alive': it exists. 'unknown': another host, or an
 * owner id of an older version: only its lease expiry tells.
 */
export function ownerState(owner: string | null | undefined): 'dead' | 'alive' | 'unknown' {
  const o = parseOwner(owner);
  if (!o || o.host !== host()) return 'unknown';
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return 'unknown';
  }
  if (o.start === undefined) return 'alive';
  const now = processStartTime(o.pid);
  return now !== undefined && now !== o.start ? 'dead' : 'alive';
}

/** "pid 1234 on host h" for messages. */
export function describeOwner(owner: string | null | undefined): string {
  const o = parseOwner(owner);
  if (!o) return owner ? `process ${owner.split(/[-:]/)[0]}` : 'another process';
  return o.host === host() ? `pid ${o.pid} on this machine (${o.host})` : `pid ${o.pid} on ${o.host}`;
}

/** "pid 1234 on this machine (h) until 2026-12-06T10:00:00.000Z" for a lease or claim holder. */
export function describeHolder(owner: string | null | undefined, until: number | null | undefined): string {
  return `${describeOwner(owner)}${until ? ` until ${new Date(until).toISOString()}` : ''}`;
}
