import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeSecretService, sessionBusCandidates, socketPathOf } from './dbus.js';
import { decodeMessages, encodeCall, encodeReturn } from './dbus-wire.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('session bus discovery', () => {
  it('prefers DBUS_SESSION_BUS_ADDRESS, then $XDG_RUNTIME_DIR/bus, then /run/user/<uid>/bus', () => {
    const sockets = new Set(['/run/user/1000/bus', '/xdg/bus']);
    const isSocket = (p: string) => sockets.has(p);
    expect(sessionBusCandidates({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/x', XDG_RUNTIME_DIR: '/xdg' }, { uid: 1000, isSocket })).toEqual([
      { address: 'unix:path=/tmp/x', source: 'env' },
      { address: 'unix:path=/xdg/bus', source: 'xdg-runtime-dir' },
      { address: 'unix:path=/run/user/1000/bus', source: 'run-user' },
    ]);
    // What cron sees: no variables at all, only the per-user runtime dir.
    expect(sessionBusCandidates({}, { uid: 1000, isSocket })).toEqual([{ address: 'unix:path=/run/user/1000/bus', source: 'run-user' }]);
    expect(sessionBusCandidates({}, { uid: 1001, isSocket })).toEqual([]);
    // The same socket is not listed twice.
    expect(sessionBusCandidates({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }, { uid: 1000, isSocket })).toHaveLength(1);
  });

  it('parses unix path and abstract addresses, skipping unsupported transports', () => {
    expect(socketPathOf('unix:path=/run/user/1000/bus')).toBe('/run/user/1000/bus');
    expect(socketPathOf('unix:path=/tmp/dbus-abc,guid=0123')).toBe('/tmp/dbus-abc');
    expect(socketPathOf('unix:abstract=/tmp/dbus-xyz,guid=1')).toBe('\0/tmp/dbus-xyz');
    expect(socketPathOf('tcp:host=localhost,port=1;unix:path=/p%20q')).toBe('/p q');
    expect(socketPathOf('tcp:host=localhost,port=1')).toBeUndefined();
  });
});

describe('probeSecretService', () => {
  it('gives up within the timeout on a bus that accepts the connection but never answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socialync-dbus-'));
    const server: Server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(join(dir, 'bus'), r));
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const started = performance.now();
    await expect(probeSecretService(`unix:path=${join(dir, 'bus')}`, 300)).rejects.toThrow('no answer from the D-Bus session bus within 300 ms');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports a refused authentication and hangs up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socialync-dbus-'));
    let closed!: () => void;
    const hungUp = new Promise<void>((r) => (closed = r));
    const server: Server = createServer((c) => {
      c.once('data', () => c.write('REJECTED EXTERNAL\r\n'));
      c.on('close', closed);
    });
    await new Promise<void>((r) => server.listen(join(dir, 'bus'), r));
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await expect(probeSecretService(`unix:path=${join(dir, 'bus')}`, 30_000)).rejects.toThrow('D-Bus authentication failed: REJECTED EXTERNAL');
    // The client closed its end at once (nothing left to keep a CLI process alive until the timeout).
    await Promise.race([hungUp, sleep(1000).then(() => Promise.reject(new Error('socket left open')))]);
  });

  it('reports a refused connection', async () => {
    await expect(probeSecretService('unix:path=/nonexistent/socialync/bus', 300)).rejects.toThrow(/ENOENT/);
    await expect(probeSecretService('tcp:host=127.0.0.1,port=1', 300)).rejects.toThrow(/only unix: sockets/);
  });
});

describe('D-Bus wire format', () => {
  it('decodes what it encodes, and waits for the rest of a split message', () => {
    const call = { path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'RequestName', destination: 'org.freedesktop.DBus' };
    const a = encodeCall({ ...call, args: ['org.freedesktop.secrets', 4] }, 7);
    const b = encodeCall({ ...call, member: 'Hello' }, 8);
    expect(a.length % 8).toBe(0);
    const both = Buffer.concat([a, b]);
    const [first, rest] = decodeMessages(both.subarray(0, a.length + 5));
    expect(first).toEqual([{ type: 1, serial: 7, member: 'RequestName', body: ['org.freedesktop.secrets', 4] }]);
    expect(rest).toHaveLength(5);
    const [second, none] = decodeMessages(Buffer.concat([rest, both.subarray(a.length + 5)]));
    expect(second).toEqual([{ type: 1, serial: 8, member: 'Hello', body: [] }]);
    expect(none).toHaveLength(0);
  });

  it('encodes arrays, dictionaries and int32 (Notify) and a method return, and decodes them back', () => {
    const args = ['socialync', 0, '', 'Subject', 'Body', { sig: 'as' as const, value: ['a', 'bc'] }, { sig: 'a{sv}' as const, value: { k: 'v' } }, { sig: 'i' as const, value: -1 }];
    const call = encodeCall({ path: '/org/freedesktop/Notifications', iface: 'org.freedesktop.Notifications', member: 'Notify', destination: 'org.freedesktop.Notifications', args }, 3);
    const [[m]] = decodeMessages(call);
    expect(m).toMatchObject({ type: 1, serial: 3, member: 'Notify', body: ['socialync', 0, '', 'Subject', 'Body', ['a', 'bc'], [['k', 'v']], 0xffffffff] });
    const [[ret]] = decodeMessages(encodeReturn(':1.5', 3, [42], 9));
    expect(ret).toMatchObject({ type: 2, replySerial: 3, body: [42] });
  });
});
