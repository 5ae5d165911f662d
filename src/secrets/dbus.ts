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

// ---- marshalling (little-endian) -------------------------------------------

class Writer {
  private chunks: number[] = [];
  get length(): number {
    return this.chunks.length;
  }
  align(n: number): void {
    while (this.chunks.length % n) this.chunks.push(0);
  }
  byte(b: number): void {
    this.chunks.push(b & 0xff);
  }
  u32(v: number): void {
    this.align(4);
    this.chunks.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u32(b.length);
    this.chunks.push(...b, 0);
  }
  signature(s: string): void {
    this.byte(s.length);
    this.chunks.push(...Buffer.from(s, 'ascii'), 0);
  }
  buffer(): Buffer {
    return Buffer.from(this.chunks);
  }
}

interface Call {
  path: string;
  iface: string;
  member: string;
  destination: string;
  /** Strings (`s`) and unsigned ints (`u`) are all that is needed here. */
  args?: Array<string | number>;
}

function encodeCall(c: Call, serial: number): Buffer {
  const body = new Writer();
  for (const a of c.args ?? []) typeof a === 'number' ? body.u32(a) : body.string(a);
  const bodyBuf = body.buffer();
  const h = new Writer();
  h.byte(0x6c); // 'l' little-endian
  h.byte(1); // METHOD_CALL
  h.byte(0); // flags
  h.byte(1); // protocol version
  h.u32(bodyBuf.length);
  h.u32(serial);
  const fields = new Writer();
  const field = (code: number, sig: string, write: (w: Writer) => void) => {
    fields.align(8);
    fields.byte(code);
    fields.signature(sig);
    write(fields);
  };
  field(1, 'o', (w) => w.string(c.path));
  field(2, 's', (w) => w.string(c.iface));
  field(3, 's', (w) => w.string(c.member));
  field(6, 's', (w) => w.string(c.destination));
  if (c.args?.length) field(8, 'g', (w) => w.signature(c.args!.map((a) => (typeof a === 'number' ? 'u' : 's')).join('')));
  // The fields array starts at offset 16 (aligned to 8), so offsets inside `fields` line up.
  const fb = fields.buffer();
  h.u32(fb.length);
  const head = Buffer.concat([h.buffer(), fb]);
  const pad = (8 - (head.length % 8)) % 8;
  return Buffer.concat([head, Buffer.alloc(pad), bodyBuf]);
}

class Reader {
  constructor(
    private b: Buffer,
    public pos: number,
    private base = 0,
  ) {}
  align(n: number): void {
    const rel = this.pos - this.base;
    this.pos += (n - (rel % n)) % n;
  }
  byte(): number {
    return this.b.readUInt8(this.pos++);
  }
  u32(): number {
    this.align(4);
    const v = this.b.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  string(): string {
    const len = this.u32();
    const s = this.b.toString('utf8', this.pos, this.pos + len);
    this.pos += len + 1;
    return s;
  }
  signature(): string {
    const len = this.byte();
    const s = this.b.toString('ascii', this.pos, this.pos + len);
    this.pos += len + 1;
    return s;
  }
  /** Reads one value of a single complete type; supports what the bus daemon sends us. */
  value(sig: string): [unknown, string] {
    const t = sig[0];
    switch (t) {
      case 'y':
        return [this.byte(), sig.slice(1)];
      case 'b':
        return [this.u32() !== 0, sig.slice(1)];
      case 'u':
      case 'i':
        return [this.u32(), sig.slice(1)];
      case 's':
      case 'o':
        return [this.string(), sig.slice(1)];
      case 'g':
        return [this.signature(), sig.slice(1)];
      case 'v': {
        const inner = this.signature();
        return [this.value(inner)[0], sig.slice(1)];
      }
      case 'a': {
        const len = this.u32();
        const elem = sig.slice(1);
        const elemSig = elem.slice(0, completeTypeLength(elem));
        this.align(alignOf(elemSig));
        const end = this.pos + len;
        const items: unknown[] = [];
        while (this.pos < end) items.push(this.value(elemSig)[0]);
        return [items, elem.slice(elemSig.length)];
      }
      case '(': {
        this.align(8);
        let rest = sig.slice(1);
        const items: unknown[] = [];
        while (rest[0] !== ')') {
          const [v, r] = this.value(rest);
          items.push(v);
          rest = r;
        }
        return [items, rest.slice(1)];
      }
      default:
        throw new Error(`unsupported D-Bus type ${t}`);
    }
  }
}

function alignOf(sig: string): number {
  return ({ y: 1, g: 1, v: 1, b: 4, u: 4, i: 4, s: 4, o: 4, a: 4, '(': 8, '{': 8 } as Record<string, number>)[sig[0]!] ?? 1;
}

function completeTypeLength(sig: string): number {
  if (sig[0] === 'a') return 1 + completeTypeLength(sig.slice(1));
  if (sig[0] === '(' || sig[0] === '{') {
    let depth = 0;
    for (let i = 0; i < sig.length; i++) {
      if (sig[i] === '(' || sig[i] === '{') depth++;
      if (sig[i] === ')' || sig[i] === '}') depth--;
      if (depth === 0) return i + 1;
    }
  }
  return 1;
}

interface Message {
  type: number;
  replySerial?: number;
  errorName?: string;
  body: unknown[];
}

/** Splits complete messages off the front of `buf`; returns them and the leftover bytes. */
function decodeMessages(buf: Buffer): [Message[], Buffer] {
  const out: Message[] = [];
  let off = 0;
  while (buf.length - off >= 16) {
    if (buf[off] !== 0x6c) throw new Error('big-endian D-Bus messages are not supported');
    const bodyLen = buf.readUInt32LE(off + 4);
    const fieldsLen = buf.readUInt32LE(off + 12);
    const headerEnd = off + 16 + fieldsLen + ((8 - ((16 + fieldsLen) % 8)) % 8);
    const total = headerEnd - off + bodyLen;
    if (buf.length - off < total) break;
    const r = new Reader(buf, off + 16, off);
    const end = off + 16 + fieldsLen;
    const msg: Message = { type: buf[off + 1]!, body: [] };
    let sig = '';
    while (r.pos < end) {
      r.align(8);
      const code = r.byte();
      const v = r.value('v')[0];
      if (code === 4) msg.errorName = String(v);
      if (code === 5) msg.replySerial = Number(v);
      if (code === 8) sig = String(v);
    }
    const br = new Reader(buf, headerEnd, headerEnd);
    while (sig) {
      const [v, rest] = br.value(sig);
      msg.body.push(v);
      sig = rest;
    }
    out.push(msg);
    off += total;
  }
  return [out, buf.subarray(off)];
}

// ---- a one-shot connection ----------------------------------------------

const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus' };

/** A connected, authenticated bus session; `call` sends one method call and awaits its reply. */
export interface BusConnection {
  call(member: string, args?: Array<string | number>, target?: Partial<Call>): Promise<unknown[]>;
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
  await Promise.race([new Promise<void>((r) => sock.once('connect', () => r())), failed]);

  // SASL EXTERNAL: we prove our uid through the socket's credentials.
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  sock.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${Buffer.from(String(uid)).toString('hex')}\r\n`)]));
  let buf: Buffer = Buffer.alloc(0);
  const waiters = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  let authed = false;
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
