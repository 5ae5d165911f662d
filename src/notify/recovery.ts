/**
 * "Healthy again" notices (issue 16): a connection reported broken (a `notify.reconnect_needed`
 * event, written when its reconnect notice was claimed) that works again — reconnected, or a
 * refresh that succeeded after all — gets one `recovered` notice per report, claimed with a
 * once-marker keyed on that report, so concurrent runs send it once and a connection never
 * reported broken gets none. Failed posts published later: see post-failure.ts.
 */
import type { Deps } from '../deps.js';
import { redactText } from '../core/redact.js';
import type { Connection } from '../store/types.js';
import { sendToChannels } from './index.js';

/** Sends the recovery notice when `conn` (healthy now) was reported broken and not yet recovered. Never throws. */
export async function notifyConnectionRecovered(deps: Deps, conn: Pick<Connection, 'id' | 'platform' | 'name'>, how: 'reconnected' | 'refreshed'): Promise<boolean> {
  try {
    const store = await deps.store();
    const report = (await store.listEvents({ connectionId: conn.id, kind: 'notify.reconnect_needed' })).at(-1);
    if (!report) return false;
    if (!(await store.markOnce(`notify.recovered:${conn.id}:${report.id}`, deps.clock.now()))) return false;
    const who = `${conn.platform}/${conn.name}`;
    const text = `socialync: ${who} is healthy again (${how === 'reconnected' ? 'reconnected' : 'its token refreshed'}); nothing to do.`;
    await store.addEvent({ at: deps.clock.now(), connectionId: conn.id, kind: 'notify.recovered', message: text });
    await sendToChannels(deps, {
      kind: 'recovered',
      text,
      subject: `socialync: ${who} is healthy again`,
      body: `${text}\n\nIt was reported on ${new Date(report.at).toISOString().slice(0, 16).replace('T', ' ')} UTC: ${report.message}\n`,
      at: deps.clock.now(),
      connection: { id: conn.id, platform: conn.platform, name: conn.name },
      recovered: { what: 'connection' },
    });
    return true;
  } catch (e) {
    deps.io.err(`warning: could not send the recovery notification: ${redactText(String((e as Error)?.message ?? e))}`);
    return false;
  }
}
