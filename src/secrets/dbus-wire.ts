/**
 * D-Bus wire format, the small subset we need (little-endian only): encoding a
 * method call with string/uint32 arguments, and decoding replies made of basic
 * types, variants, arrays and structs.
 * Spec: https://dbus.freedesktop.org/doc/dbus-specification.html#message-protocol-marshaling
 */
class Writer {
  private chunks: number[] = [];
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
  size(): number {
    return this.chunks.length;
  }
  patchU32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.chunks[at + i] = (v >>> (8 * i)) & 0xff;
  }
  buffer(): Buffer {
    return Buffer.from(this.chunks);
  }
}

/** Beyond strings and uint32s: what org.freedesktop.Notifications.Notify takes (src/notify/desktop.ts). */
export type TypedArg = { sig: 'i'; value: number } | { sig: 'as'; value: string[] } | { sig: 'a{sv}'; value: Record<string, string> };
export type Arg = string | number | TypedArg;

export interface Call {
  path: string;
  iface: string;
  member: string;
  destination: string;
  /** Strings (`s`) and unsigned ints (`u`), and the few TypedArg shapes. */
  args?: Arg[];
}

const sigOf = (a: Arg) => (typeof a === 'number' ? 'u' : typeof a === 'string' ? 's' : a.sig);

function writeArg(w: Writer, a: Arg): void {
  if (typeof a === 'number') return w.u32(a);
  if (typeof a === 'string') return w.string(a);
  if (a.sig === 'i') return w.u32(a.value >>> 0);
  // An array: its byte length, padding to the element alignment (counted outside the length), the elements.
  const entries = a.sig === 'as' ? a.value : Object.entries(a.value);
  w.u32(0);
  const lengthAt = w.size() - 4;
  w.align(a.sig === 'as' ? 4 : 8);
  const start = w.size();
  for (const e of entries) {
    if (typeof e === 'string') w.string(e);
    else (w.align(8), w.string(e[0]), w.signature('s'), w.string(e[1]));
  }
  w.patchU32(lengthAt, w.size() - start);
}

export function encodeCall(c: Call, serial: number): Buffer {
  return encodeMessage(1, c, serial);
}

/** A METHOD_RETURN to `replySerial` from a service (a test's fake notification server). */
export function encodeReturn(destination: string, replySerial: number, args: Arg[], serial: number): Buffer {
  return encodeMessage(2, { destination, args, path: '', iface: '', member: '' }, serial, replySerial);
}

function encodeMessage(type: 1 | 2, c: Call, serial: number, replySerial?: number): Buffer {
  const body = new Writer();
  for (const a of c.args ?? []) writeArg(body, a);
  const bodyBuf = body.buffer();
  const h = new Writer();
  h.byte(0x6c); // 'l' little-endian
  h.byte(type); // METHOD_CALL or METHOD_RETURN
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
  if (type === 1) {
    field(1, 'o', (w) => w.string(c.path));
    field(2, 's', (w) => w.string(c.iface));
    field(3, 's', (w) => w.string(c.member));
  } else field(5, 'u', (w) => w.u32(replySerial!));
  field(6, 's', (w) => w.string(c.destination));
  if (c.args?.length) field(8, 'g', (w) => w.signature(c.args!.map(sigOf).join('')));
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
      case '(':
      case '{': {
        this.align(8);
        let rest = sig.slice(1);
        const items: unknown[] = [];
        while (rest[0] !== ')' && rest[0] !== '}') {
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

export interface Message {
  type: number;
  serial?: number;
  replySerial?: number;
  member?: string;
  sender?: string;
  errorName?: string;
  body: unknown[];
}

/** Splits complete messages off the front of `buf`; returns them and the leftover bytes. */
export function decodeMessages(buf: Buffer): [Message[], Buffer] {
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
    const msg: Message = { type: buf[off + 1]!, serial: buf.readUInt32LE(off + 8), body: [] };
    let sig = '';
    while (r.pos < end) {
      r.align(8);
      const code = r.byte();
      const v = r.value('v')[0];
      if (code === 3) msg.member = String(v);
      if (code === 7) msg.sender = String(v);
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

