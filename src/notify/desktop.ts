/**
 * Desktop channel (opt-in: `notify set desktop`), for people who run the daemon in their own
 * session. Linux: org.freedesktop.Notifications.Notify on the session bus, through our own
 * D-Bus wire code (src/secrets/dbus.ts); spec:
 * https://specifications.freedesktop.org/notification-spec/latest/protocol.html (read 2026-12-06).
 * macOS: `osascript` with `display notification`, the text passed as arguments (never spliced
 * into the script). Anywhere else, or with no notification server, a clear error.
 */
import { execFile } from 'node:child_process';
import type { Deps } from '../deps.js';
import { openBus, sessionBusCandidates } from '../secrets/dbus.js';
import { ChannelError } from './delivery.js';
import type { Notification } from './types.js';

const NOTIFICATIONS = { destination: 'org.freedesktop.Notifications', path: '/org/freedesktop/Notifications', iface: 'org.freedesktop.Notifications' };

export async function sendDesktop(deps: Pick<Deps, 'env'>, n: Notification, timeoutMs: number, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'darwin') return osascript(n, timeoutMs);
  if (platform !== 'linux') throw new ChannelError(`desktop notifications work on Linux and macOS, not ${platform}; remove the channel: socialync notify unset desktop`, false);
  const bus = sessionBusCandidates(deps.env)[0];
  if (!bus) throw new ChannelError('no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and $XDG_RUNTIME_DIR/bus is missing): desktop notices need a logged-in desktop session', false);
  await notifyOverDbus(bus.address, n, timeoutMs);
}

/** Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout) -> id. */
async function notifyOverDbus(address: string, n: Notification, timeoutMs: number): Promise<void> {
  const conn = await openBus(address, timeoutMs).catch((e: Error) => {
    throw new ChannelError(`cannot reach the D-Bus session bus at ${address}: ${e.message}`, false);
  });
  const timer = setTimeout(() => conn.socket.destroy(new Error(`no answer from the notification server within ${timeoutMs} ms`)), timeoutMs);
  try {
    await conn.call('Notify', ['socialync', 0, '', n.subject, n.text, { sig: 'as', value: [] }, { sig: 'a{sv}', value: {} }, { sig: 'i', value: -1 }], NOTIFICATIONS);
  } catch (e) {
    const m = String((e as Error).message);
    if (/ServiceUnknown|NameHasNoOwner/.test(m)) {
      throw new ChannelError('no notification server runs in this desktop session (nothing owns org.freedesktop.Notifications on the session bus): start your desktop\'s notification daemon (e.g. dunst, mako), or: socialync notify unset desktop', false);
    }
    throw new ChannelError(`the notification server refused the notice: ${m}`, false);
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

function osascript(n: Notification, timeoutMs: number): Promise<void> {
  const script = ['on run argv', 'display notification (item 2 of argv) with title "socialync" subtitle (item 1 of argv)', 'end run'];
  return new Promise((resolve, reject) => {
    execFile('osascript', [...script.flatMap((l) => ['-e', l]), n.subject, n.text], { timeout: timeoutMs }, (e, _out, err) =>
      e ? reject(new ChannelError(`osascript failed: ${String(err || e.message).trim()}`, false)) : resolve(),
    );
  });
}
