/**
 * The stderr banner commands print when connections need attention (issue 3 item 6a): each
 * problem (a connection that needs a reconnect, for its reason, or one that will soon) at
 * most once a day, so a person is told without being nagged and a script's mail stays
 * short. Reads the selected state store (SQLite or PostgreSQL; no secrets), never creates it; the once-a-day
 * markers are the store's (shared by every process). On a terminal it wraps to the window.
 */
import { existsSync } from 'node:fs';
import type { Deps } from '../deps.js';
import { deadlineSoon, reconnectDeadline, warnDaysFrom } from '../auth/deadlines.js';
import type { Connection } from '../store/types.js';
import { storeChoice } from '../store/database-url.js';
import { wrap } from '../core/fit.js';

export async function attentionBanner(deps: Deps): Promise<string | undefined> {
  try {
    // SQLite: no file, nothing to say (and none is created); PostgreSQL: the store the command used.
    if (storeChoice(deps.env, deps.config, deps.paths.stateDb).kind === 'sqlite' && !existsSync(deps.paths.stateDb)) return undefined;
    const store = await deps.store();
    const conns = await store.listConnections();
    const now = deps.clock.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const warnDays = warnDaysFrom(deps.config);
    const firstToday = async (l: Connection[], what: (c: Connection) => string) => {
      const fresh: Connection[] = [];
      for (const c of l) if (await store.markOnce(`banner:${c.id}:${what(c)}:${day}`, now)) fresh.push(c);
      return fresh;
    };
    const broken = await firstToday(conns.filter((c) => c.health === 'needs_reconnect'), (c) => `reconnect:${c.reason ?? 'unknown'}`);
    const soon = await firstToday(conns.filter((c) => c.health !== 'needs_reconnect' && deadlineSoon(reconnectDeadline(c, now), now, warnDays)), () => 'soon');
    if (!broken.length && !soon.length) return undefined;
    const names = (l: Connection[]) => l.slice(0, 3).map((c) => `${c.platform}/${c.name}`).join(', ') + (l.length > 3 ? ', …' : '');
    const parts: string[] = [];
    if (broken.length) parts.push(`${broken.length} connection${broken.length > 1 ? 's need' : ' needs'} a reconnect (${names(broken)})`);
    if (soon.length) parts.push(`${soon.length} will need one within ${warnDays} days (${names(soon)})`);
    const line = `! ${parts.join('; ')}. Run: socialync status`;
    return deps.io.stderrIsTTY ? wrap(line, deps.io.columns - 2).join('\n  ') : line;
  } catch {
    return undefined;
  }
}
