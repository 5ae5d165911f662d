/**
 * Names for targets whose connection `disconnect` removed: the former connection's name, so
 * messages and fix commands still say `socialync connect x --name brand` (connecting that
 * account again gives the new connection its targets: PostStore.adoptTargets).
 */
import type { Connection, Store } from './types.js';
import { connectionIdentity } from './identity.js';

export interface TargetAccount {
  name: string;
  /** False for a connection that was disconnected. */
  current: boolean;
}

/** The named connection, current (from `known` when given) or former; undefined when neither. */
export async function targetAccount(store: Store, id: string, known?: Map<string, Connection>): Promise<TargetAccount | undefined> {
  const conn = known ? known.get(id) : await store.getConnection(id);
  if (conn) return { name: conn.name, current: true };
  const former = await store.getFormerConnection(id);
  return former ? { name: former.name, current: false } : undefined;
}

/** targetAccount for many ids at once: a map of those that have a name. */
export async function targetAccounts(store: Store, ids: Iterable<string>): Promise<Map<string, TargetAccount>> {
  const known = new Map((await store.listConnections()).map((c) => [c.id, c]));
  const out = new Map<string, TargetAccount>();
  for (const id of new Set(ids)) {
    const a = await targetAccount(store, id, known);
    if (a) out.set(id, a);
  }
  return out;
}

/** The current connection that publishes as a former one (same platform and identity), if any. */
export async function successorOf(store: Store, formerId: string): Promise<Connection | undefined> {
  const f = await store.getFormerConnection(formerId);
  if (!f) return undefined;
  return (await store.listConnections({ platform: f.platform })).find((c) => connectionIdentity(c) === f.identity);
}
