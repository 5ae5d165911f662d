/**
 * Seeds a connection ready to publish (tests, bench/burst.js): seedConnection (./seed.ts), and for
 * Facebook its first Page selected, as `connect` does.
 */
import type { Deps } from '../deps.js';
import type { PlatformId } from '../providers/types.js';
import type { Connection } from '../store/types.js';
import { loadTokens, saveTokens } from '../auth/tokens.js';
import { choosePage, listPages, withPage } from '../providers/facebook.js';
import { seedConnection } from './seed.js';

export async function seedPublishConnection(deps: Deps, platform: PlatformId, account: string): Promise<Connection> {
  let conn = await seedConnection(deps, platform, account);
  if (platform === 'facebook') {
    const pd = await deps.providerDeps('facebook');
    const t = await loadTokens(deps, conn);
    const paged = withPage(t, choosePage(await listPages(t, pd)));
    const who = await (await deps.provider('facebook')).whoami(paged, pd);
    await saveTokens(deps, conn, paged, { meta: who.meta ?? {} });
    conn = (await (await deps.store()).getConnection(conn.id))!;
  }
  return conn;
}
