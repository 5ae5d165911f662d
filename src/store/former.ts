/**
 * Targets whose connection `disconnect` removed (the former connection is kept, migration 6):
 * which current connection publishes them now — one of the same platform and identity, which
 * connecting that account again creates (and PostStore.adoptTargets hands them to) — and what
 * to call them in messages and fix commands (`socialync connect x --name brand`).
 */
import type { Connection, FormerConnection, Store } from './types.js';
import { connectionIdentity } from './identity.js';

export interface TargetConnection {
  /** The connection that publishes the target: its own, or the former one's successor. */
  current?: Connection;
  /** Set when the target's own connection was disconnected. */
  former?: FormerConnection;
}

/** `all`: every current connection, when the caller has them already. */
export async function resolveTargetConnection(store: Store, id: string, all?: Connection[]): Promise<TargetConnection> {
  const own = all ? all.find((c) => c.id === id) : await store.getConnection(id);
  if (own) return { current: own };
  const former = await store.getFormerConnection(id);
  if (!former) return {};
  const current = (all ?? (await store.listConnections({ platform: former.platform }))).find(
    (c) => c.platform === former.platform && connectionIdentity(c) === former.identity,
  );
  return current ? { current, former } : { former };
}

/** The names targets' connections had or have (current, else former), by connection id. */
export async function targetAccounts(store: Store, ids: Iterable<string>): Promise<Map<string, string>> {
  const all = await store.listConnections();
  const out = new Map<string, string>();
  for (const id of new Set(ids)) {
    const own = all.find((c) => c.id === id);
    const name = own?.name ?? (await store.getFormerConnection(id))?.name;
    if (name) out.set(id, name);
  }
  return out;
}
