/**
 * A real PostgreSQL server for tests: `initdb` in a temporary data directory, started with
 * `pg_ctl` on a free port of 127.0.0.1 (no Unix socket), password authentication (scram) for one
 * user, stopped and removed by stop(). Runs as `nobody` when the tests run as root (CI; PostgreSQL
 * refuses to run as root). Missing server binaries (Debian package `postgresql`, which .ci/run
 * installs) skip outside CI and fail under CI (system-part.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { missingPart } from './system-part.js';

export const PG_USER = 'socialync';
export const PG_PASSWORD = 'pg-test-secret-7b1d';

export interface PostgresServer {
  port: number;
  /** postgres://socialync:<password>@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** A new empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server at once (as a crash or an outage would), keeping its data: clients see their connections cut. */
  halt(): void;
  /** Starts it again on the same port with the same data (after halt). */
  resume(): void;
  stop(): Promise<void>;
}

/** The directory of initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
export function postgresBin(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (onPath && existsSync(join(onPath, '..', 'initdb'))) return join(onPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** A port free right now (PostgreSQL cannot be given port 0): bind 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** uid/gid to run the server as: `nobody` when root, else ourselves (undefined). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(bin: string, args: string[], user: { uid: number; gid: number } | undefined): void {
  const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, ...(user ?? {}), timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
}

/**
 * Starts a server, or returns a skip reason (outside CI) when PostgreSQL is not installed.
 * Use: `const pgs = await startPostgres(); if (typeof pgs === 'string') ctx.skip(pgs)`.
 */
export async function startPostgres(): Promise<PostgresServer | string> {
  const bin = postgresBin();
  if (!bin) return missingPart('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql');
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'socialync-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, PG_PASSWORD);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  try {
    run(join(bin, 'initdb'), ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'], user);
    const port = await startOnFreePort(bin, data, join(dir, 'log'), user);
    const pgCtl = (args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args], user);
    const stop = async () => {
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...(user ?? {}), timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    };
    const url = (database = 'postgres') => `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}`;
    let made = 0;
    return {
      port,
      url,
      stop,
      halt: () => pgCtl(['-m', 'immediate', '-w', 'stop']),
      resume: () => pgCtl(['-l', join(dir, 'log'), '-o', serverOptions(port), '-w', '-t', '60', 'start']),
      async createDatabase(name = `t${process.pid}_${++made}`) {
        const c = new pg.Client({ connectionString: url() });
        await c.connect();
        try {
          await c.query(`CREATE DATABASE "${name}"`);
        } finally {
          await c.end();
        }
        return url(name);
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

const serverOptions = (port: number) => `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=100`;

/** pg_ctl start on a port that was free a moment ago; another picks it meanwhile at most twice. */
async function startOnFreePort(bin: string, data: string, log: string, user: { uid: number; gid: number } | undefined): Promise<number> {
  let last: unknown;
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', serverOptions(port), '-w', '-t', '60', 'start'], user);
      return port;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
