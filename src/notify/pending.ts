/**
 * Notices a channel did not take within a run wait in the state db (a `notify.pending` event
 * holding the notice, never a secret) and go out again at the end of the next `refresh`,
 * `publish` or `retry`, under the same delivery id, so a receiver can drop a repeat. One
 * process redelivers at a time (a lease lock); a notice is settled (`notify.settled`) once
 * delivered, refused for good, or older than PENDING_MAX_AGE_MS. docs/notifications.md#delivery.
 */
import type { Deps } from '../deps.js';
import type { ChannelName, Notification } from './types.js';

export const PENDING_MAX_AGE_MS = 3 * 86_400_000;
const LOCK = 'notify.redeliver';

interface Pending {
  channel: ChannelName;
  id: string;
  n: Notification;
}

/** When this process kept each notice: the channel just failed it, so it waits for a later run (the daemon's, a minute on). */
const keptHere = new WeakMap<object, Map<string, number>>();
const WAIT_IN_PROCESS_MS = 60_000;

export async function queueNotice(deps: Deps, channel: ChannelName, n: Notification, id: string): Promise<void> {
  const p: Pending = { channel, id, n };
  (keptHere.get(deps) ?? keptHere.set(deps, new Map()).get(deps)!).set(`${channel}:${id}`, deps.clock.now());
  await (await deps.store()).addEvent({ at: deps.clock.now(), connectionId: null, kind: 'notify.pending', message: JSON.stringify(p) });
}

/** The queued notices not yet settled, oldest first. */
export async function pendingNotices(deps: Deps): Promise<{ eventId: number; at: number; p: Pending }[]> {
  const store = await deps.store();
  const queued = await store.listEvents({ kind: 'notify.pending' });
  if (!queued.length) return [];
  const settled = new Set((await store.listEvents({ kind: 'notify.settled' })).map((e) => e.message.split(' ')[0]));
  return queued.filter((e) => !settled.has(String(e.id))).map((e) => ({ eventId: e.id, at: e.at, p: JSON.parse(e.message) as Pending }));
}

/** Sends the queued notices again; returns how many went out. Never throws. */
export async function redeliverPending(deps: Deps): Promise<number> {
  let sent = 0;
  try {
    const todo = await pendingNotices(deps);
    if (!todo.length) return 0;
    const store = await deps.store();
    const owner = `${deps.processId}:${deps.random.uuid()}`;
    if (!(await store.tryLock(LOCK, owner, 60_000, deps.clock.now()))) return 0;
    try {
      const { sendToChannels } = await import('./index.js');
      for (const { eventId, at, p } of await pendingNotices(deps)) {
        const settle = (why: string) => store.addEvent({ at: deps.clock.now(), connectionId: null, kind: 'notify.settled', message: `${eventId} ${why}` });
        if (deps.clock.now() - (keptHere.get(deps)?.get(`${p.channel}:${p.id}`) ?? -Infinity) < WAIT_IN_PROCESS_MS) continue;
        if (deps.clock.now() - at > PENDING_MAX_AGE_MS) {
          await settle('expired');
          continue;
        }
        const [r] = await sendToChannels(deps, p.n, { only: p.channel, id: p.id, redelivery: true });
        if (!r) await settle('channel removed or no longer takes this kind');
        else if (r.ok) (await settle('delivered'), sent++);
      }
    } finally {
      await store.releaseLock(LOCK, owner);
    }
  } catch (e) {
    deps.io.err(`warning: could not send the notifications kept from an earlier run: ${String((e as Error)?.message ?? e)}`);
  }
  return sent;
}
