/**
 * Notification channels (docs/notifications.md): a channel whose latest delivery failed (and
 * has not delivered since) warns with its last error, when it happened, and the command that
 * checks it; notices kept for redelivery are counted. Reads the state database read-only.
 */
import { relativeTime } from '../auth/deadlines.js';
import { readState } from '../store/state-reader.js';
import { notifySettings } from '../notify/index.js';
import { CHANNELS, type ChannelName } from '../notify/types.js';
import { result, type Check, type CheckResult, type DoctorContext } from './types.js';

interface Row {
  id: number;
  at: number;
  kind: string;
  message: string;
}

const ago = (at: number, now: number) => (now - at < 60_000 ? 'just now' : relativeTime(at, now));

export const checkNotify: Check = async (ctx) => {
  const { deps } = ctx;
  const s = notifySettings(deps);
  const channels = CHANNELS.filter((c) => s[c]);
  if (!channels.length) return [];
  const rows = await notifyEvents(deps);
  const now = deps.clock.now();
  const settled = new Set(rows.filter((r) => r.kind === 'notify.settled').map((r) => r.message.split(' ')[0]));
  const kept = rows.filter((r) => r.kind === 'notify.pending' && !settled.has(String(r.id))).map((r) => (JSON.parse(r.message) as { channel: ChannelName }).channel);
  return channels.map((c): CheckResult => {
    const last = rows.filter((r) => (r.kind === 'notify.delivered' && r.message === c) || (r.kind === 'notify.failed' && r.message.startsWith(`${c}: `))).at(-1);
    const waiting = kept.filter((k) => k === c).length;
    const waitingText = waiting ? `; ${waiting} notice${waiting > 1 ? 's' : ''} kept for the next run` : '';
    if (!last || last.kind === 'notify.delivered') {
      return result('notify', `notify.${c}`, waiting ? 'warn' : 'ok', `${c} notifications: ${last ? `last delivered ${ago(last.at, now)}` : 'nothing sent yet'}${waitingText}`, `run: socialync notify test ${c}`);
    }
    const error = last.message.slice(c.length + 2);
    return result('notify', `notify.${c}`, 'warn', `${c} notifications failing: ${error} (${new Date(last.at).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${ago(last.at, now)})${waitingText}`, `run: socialync notify test ${c}`);
  });
};

async function notifyEvents(deps: DoctorContext['deps']): Promise<Row[]> {
  return readState<Row>(
    { env: deps.env, config: deps.config, paths: deps.paths },
    "SELECT id, at, kind, message FROM events WHERE kind IN ('notify.delivered', 'notify.failed', 'notify.pending', 'notify.settled') ORDER BY id",
  );
}
