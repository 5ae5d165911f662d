/**
 * Just enough of the D-Bus wire protocol to ask the session bus one question:
 * "is there a Secret Service (org.freedesktop.secrets), running or activatable?"
 *
 * Why not a library: the check runs on every keychain open (cron included), so
 * it must be tiny and start fast; we only need SASL EXTERNAL auth and three
 * method calls with string/bool/string-array values.
 * Spec: https://dbus.freedesktop.org/doc/dbus-specification.html
 *   (Authentication Protocol; Message Protocol: marshalling, header fields).
 *
 * Why it matters: @napi-rs/keyring silently falls back to the Linux kernel
 * keyring (keyutils) when no Secret Service answers, and that keyring is
 * emptied on logout/reboot: a vault key kept there would be lost, and every
 * stored token with it (keyring-node src/linux_credential_builder.rs).
 */
import { connect, type Socket } from 'node:net';
import { statSync } from 'node:fs';
import { decodeMessages, encodeCall, encodeReturn, type Arg, type Call, type Message } from './dbus-wire.js';

export const SECRET_SERVICE_NAME = 'org.freedesktop.secrets';

export interface BusLocation {
  /** D-Bus address string, e.g. `unix:path=/run/user/1000/bus`. */
  address: string;
  /** Where we found it: the environment, or the per-user runtime dir (what cron needs). */
  source: 'env' | 'xdg-runtime-dir' | 'run-user';
}

/**
 * Candidate session buses, best first. Cron and systemd timers start jobs
 * without DBUS_SESSION_BUS_ADDRESS, but with systemd's user session the bus is
 * at $XDG_RUNTIME_DIR/bus = /run/user/<uid>/bus (dbus-user-session).
 */
export function sessionBusCandidates(
  env: NodeJS.ProcessEnv,
  o: { uid?: number; isSocket?: (p: string) => boolean } = {},
): BusLocation[] {
  const isSocket = o.isSocket ?? socketExists;
  const out: BusLocation[] = [];
  const fromEnv = env.DBUS_SESSION_BUS_ADDRESS;
  if (fromEnv) out.push({ address: fromEnv, source: 'env' });
  const seen = new Set<string>();
  const add = (path: string, source: BusLocation['source']) => {
    if (seen.has(path) || !isSocket(path)) return;
    seen.add(path);
    const address = `unix:path=${path}`;
    if (address !== fromEnv) out.push({ address, source });
  };
  if (env.XDG_RUNTIME_DIR) add(`${env.XDG_RUNTIME_DIR}/bus`, 'xdg-runtime-dir');
  const uid = o.uid ?? (typeof process.getuid === 'function' ? process.getuid() : undefined);
  if (uid !== undefined) add(`/run/user/${uid}/bus`, 'run-user');
  return out;
}

function socketExists(p: string): boolean {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
}

/** Parses the first usable `unix:` transport of a D-Bus address list. */
export function socketPathOf(address: string): string | undefined {
  for (const transport of address.split(';')) {
    const [kind, rest = ''] = transport.split(/:(.*)/s);
    if (kind !== 'unix') continue;
    const kv = new Map(rest.split(',').map((p) => p.split('=') as [string, string]));
    const path = kv.get('path');
    if (path) return decodeURIComponent(path);
    const abs = kv.get('abstract');
    if (abs) return `\0${decodeURIComponent(abs)}`; // Linux abstract socket namespace
  }
  return undefined;
}

// ---- a one-shot connection ----------------------------------------------

const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus' };

/** A connected, authenticated bus session; `call` sends one method call and awaits its reply. */
export interface BusConnection {
  call(member: string, args?: Arg[], target?: Partial<Call>): Promise<unknown[]>;
  /** Method calls other peers send us (a service registered on the bus), and the answer to one. */
  onCall(handler: (m: Message) => void): void;
  reply(to: Message, args: Arg[]): void;
  close(): void;
  /** Incoming method calls (a fake service ignores them, which is the point). */
  readonly socket: Socket;
}

export async function openBus(address: string, timeoutMs: number): Promise<BusConnection> {
  const path = socketPathOf(address);
  if (!path) throw new Error(`unsupported D-Bus address (only unix: sockets): ${address}`);
  const sock = connect({ path });
  const timer = setTimeout(() => sock.destroy(new Error(`no answer from the D-Bus session bus within ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  const failed = new Promise<never>((_, reject) => {
    sock.once('error', reject);
    sock.once('close', () => reject(new Error('D-Bus connection closed')));
  });
  failed.catch(() => undefined);
  try {
    return await handshake(sock, failed, timer);
  } catch (e) {
    clearTimeout(timer);
    sock.destroy();
    throw e;
  }
}

async function handshake(sock: Socket, failed: Promise<never>, timer: NodeJS.Timeout): Promise<BusConnection> {
  await Promise.race([new Promise<void>((r) => sock.once('connect', () => r())), failed]);

  // SASL EXTERNAL: we prove our uid through the socket's credentials.
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  sock.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${Buffer.from(String(uid)).toString('hex')}\r\n`)]));
  let buf: Buffer = Buffer.alloc(0);
  const waiters = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  let authed = false;
  let callHandler: ((m: Message) => void) | undefined;
  let authDone!: (ok: boolean, line: string) => void;
  const auth = new Promise<void>((resolve, reject) => {
    authDone = (ok, line) => (ok ? resolve() : reject(new Error(`D-Bus authentication failed: ${line}`)));
  });
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (!authed) {
      const nl = buf.indexOf('\r\n');
      if (nl < 0) return;
      const line = buf.toString('ascii', 0, nl);
      buf = buf.subarray(nl + 2);
      authed = line.startsWith('OK ');
      if (authed) sock.write('BEGIN\r\n');
      authDone(authed, line);
      if (!authed) return;
    }
    try {
      const [msgs, rest] = decodeMessages(buf);
      buf = rest;
      for (const m of msgs) {
        if (m.type === 1) callHandler?.(m);
        if (m.replySerial === undefined) continue;
        const w = waiters.get(m.replySerial);
        if (!w) continue;
        waiters.delete(m.replySerial);
        if (m.type === 3) w.reject(new Error(`${m.errorName}: ${String(m.body[0] ?? '')}`));
        else w.resolve(m);
      }
    } catch (e) {
      sock.destroy(e as Error);
    }
  });
  failed.catch((e: Error) => {
    for (const w of waiters.values()) w.reject(e);
    waiters.clear();
  });
  await Promise.race([auth, failed]);
  let serial = 0;
  const call: BusConnection['call'] = async (member, args = [], target = {}) => {
    const s = ++serial;
    const reply = new Promise<Message>((resolve, reject) => waiters.set(s, { resolve, reject }));
    sock.write(encodeCall({ ...BUS, ...target, member, args }, s));
    return (await Promise.race([reply, failed])).body;
  };
  await call('Hello');
  clearTimeout(timer); // the caller bounds what it does next
  return {
    call,
    onCall: (h) => (callHandler = h),
    reply: (to, args) => void sock.write(encodeReturn(to.sender ?? '', to.serial ?? 0, args, ++serial)),
    socket: sock,
    close: () => {
      clearTimeout(timer);
      sock.destroy();
    },
  };
}

export type SecretServiceState = 'running' | 'activatable' | 'missing';

/** Asks the bus whether the Secret Service name has an owner or can be started on demand. */
export async function probeSecretService(address: string, timeoutMs: number): Promise<SecretServiceState> {
  const bus = await openBus(address, timeoutMs);
  const timer = setTimeout(() => bus.socket.destroy(new Error(`no answer from the D-Bus session bus within ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  try {
    const [owned] = await bus.call('NameHasOwner', [SECRET_SERVICE_NAME]);
    if (owned === true) return 'running';
    const [names] = await bus.call('ListActivatableNames');
    return Array.isArray(names) && names.includes(SECRET_SERVICE_NAME) ? 'activatable' : 'missing';
  } finally {
    clearTimeout(timer);
    bus.close();
  }
}
