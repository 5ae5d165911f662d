/**
 * The one-line stderr banner every command prints when connections need
 * attention (issue 3 item 6a). Reads only the state store (no secrets, no
 * network) and never creates it.
 */
import { existsSync } from 'node:fs';
import type { Deps } from '../deps.js';
import { deadlineSoon, reconnectDeadline, warnDaysFrom } from '../auth/deadlines.js';

export async function attentionBanner(deps: Deps): Promise<string | undefined> {
  if (!existsSync(deps.paths.stateDb)) return undefined;
  try {
    const conns = await (await deps.store()).listConnections();
    const now = deps.clock.now();
    const warnDays = warnDaysFrom(deps.config);
    const broken = conns.filter((c) => c.health === 'needs_reconnect');
    const soon = conns.filter((c) => c.health !== 'needs_reconnect' && deadlineSoon(reconnectDeadline(c, now), now, warnDays));
    if (!broken.length && !soon.length) return undefined;
    const names = (l: typeof conns) => l.slice(0, 3).map((c) => `${c.platform}/${c.name}`).join(', ') + (l.length > 3 ? ', …' : '');
    const parts: string[] = [];
    if (broken.length) parts.push(`${broken.length} connection${broken.length > 1 ? 's need' : ' needs'} a reconnect (${names(broken)})`);
    if (soon.length) parts.push(`${soon.length} will need one within ${warnDays} days (${names(soon)})`);
    return `! ${parts.join('; ')}. Run: socialync status`;
  } catch {
    return undefined;
  }
}
