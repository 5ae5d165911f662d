/**
 * The desktop channel against a real notification server: a private dbus-daemon, and on it a
 * tiny org.freedesktop.Notifications service registered by this test (our D-Bus wire code,
 * answering Notify with an id). With no server on the bus, the error says so.
 */
import { afterEach, describe, expect } from 'vitest';
import { binariesAvailable, itWhen, startPrivateBus, type PrivateBus } from '../helpers/secret-service.js';
import { openBus, type BusConnection } from '../../src/secrets/dbus.js';
import { makeKit, type Kit } from '../helpers/refresh-kit.js';
import { main } from '../../src/main.js';
import { sendDesktop } from '../../src/notify/desktop.js';
import { sampleNotice } from '../../src/notify/samples.js';

let bus: PrivateBus | undefined;
let server: BusConnection | undefined;
let kit: Kit | undefined;
afterEach(async () => {
  server?.close();
  await kit?.cleanup();
  await bus?.stop();
  bus = server = kit = undefined;
});

/** A notification server: owns org.freedesktop.Notifications, records each Notify, answers an id. */
async function startNotificationServer(address: string): Promise<unknown[][]> {
  const calls: unknown[][] = [];
  server = await openBus(address, 5000);
  server.onCall((m) => {
    if (m.member !== 'Notify') return;
    calls.push(m.body);
    server!.reply(m, [calls.length]);
  });
  const [owner] = await server.call('RequestName', ['org.freedesktop.Notifications', 4]);
  expect(owner).toBe(1); // DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
  return calls;
}

const it = itWhen(binariesAvailable('dbus-daemon'));

describe('desktop notices over D-Bus', () => {
  it('notify set desktop, then notify test desktop: the server gets Notify(app, 0, icon, summary, body, [], {}, -1)', async () => {
    bus = await startPrivateBus({ activation: false });
    const calls = await startNotificationServer(bus.address);
    kit = makeKit({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } });
    expect(await main(['notify', 'set', 'desktop', '--kinds', 'reconnect_needed,recovered'], kit.deps)).toBe(0);
    kit = makeKit({ dir: kit.dir, env: { DBUS_SESSION_BUS_ADDRESS: bus.address } });
    expect(await main(['notify', 'test', 'desktop', '--kind', 'recovered'], kit.deps)).toBe(0);
    expect(kit.stdout()).toBe('desktop\tsent\n');
    expect(calls).toEqual([['socialync', 0, '', '[test] socialync: tiktok/example is healthy again', '[test] socialync: tiktok/example is healthy again (sample); nothing to do.', [], [], 0xffffffff]]);
    // A kind the channel does not take is not shown.
    kit = makeKit({ dir: kit.dir, env: { DBUS_SESSION_BUS_ADDRESS: bus.address } });
    expect(await main(['notify', 'test', '--kind', 'post_failed'], kit.deps)).toBe(3);
    expect(calls).toHaveLength(1);
  });

  it('no notification server on the bus, or an unsupported system: a clear error', async () => {
    bus = await startPrivateBus({ activation: false });
    const n = sampleNotice(0, 'reconnect_needed');
    await expect(sendDesktop({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } }, n, 3000, 'linux')).rejects.toThrow(/no notification server runs in this desktop session .*org\.freedesktop\.Notifications/);
    await expect(sendDesktop({ env: {} }, n, 3000, 'win32')).rejects.toThrow(/Linux and macOS, not win32/);
  });
});
