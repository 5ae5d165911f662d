/**
 * Refreshing through the team vault: the rotated token is in the database before the refresh
 * lock is released, and refreshers on several "machines" (each its own team vault, one shared
 * store and one set of team tables) never send a spent refresh token.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDeps, type Deps } from '../../src/deps.js';
import { createIO } from '../../src/core/io.js';
import { resolvePaths } from '../../src/core/paths.js';
import { refreshConnection } from '../../src/auth/refresh.js';
import { loadTokens } from '../../src/auth/tokens.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { secretKeys } from '../../src/secrets/types.js';
import { approveMachine, initTeam, joinTeam, teamVaultFor, thisMachine } from '../../src/secrets/team-admin.js';
import type { ProviderDeps, TokenSet } from '../../src/providers/types.js';
import type { Store } from '../../src/store/types.js';
import { ProviderError } from '../../src/core/errors.js';
import { fakeProvider } from '../helpers/fake-provider.js';
import { memoryTeamTables, teamTestMachine, type MemoryTeamTables } from '../helpers/team-tables.js';

const HOUR = 3_600_000;

/** A rotating platform: each refresh token works once; a second use is counted as burned. */
function rotatingPlatform() {
  let live = 'refresh-0';
  let n = 0;
  const state = { burned: 0, refreshes: 0, live: () => live };
  const provider = fakeProvider('x', { thresholdMinutes: 180 }, async (t: TokenSet) => {
    await new Promise((r) => setTimeout(r, 2));
    if (t.refreshToken !== live) {
      state.burned++;
      throw new ProviderError('invalid_grant: refresh token reused', { errorClass: 'reconnect_needed', reason: 'platform_revoked' });
    }
    n++;
    state.refreshes++;
    live = `refresh-${n}`;
    return { accessToken: `access-${n}`, refreshToken: live, expiresAt: Date.now() + 2 * HOUR, scopes: [], obtainedAt: Date.now() };
  });
  return { provider, state };
}

async function teamMachines(tables: MemoryTeamTables, count: number) {
  const ctxs = Array.from({ length: count }, (_, i) => teamTestMachine(tables, `m${i}`));
  await initTeam(ctxs[0]!, { name: 'm0' });
  for (const [i, c] of ctxs.entries()) {
    if (i === 0) continue;
    const j = await joinTeam(c, { name: `m${i}` });
    await approveMachine(ctxs[0]!, { name: j.machine, fingerprint: j.fingerprint });
  }
  return ctxs.map((c) => teamVaultFor(c, thisMachine(c)!));
}

function machineDeps(stateDb: string, vault: Awaited<ReturnType<typeof teamMachines>>[number], provider: ReturnType<typeof rotatingPlatform>['provider'], events?: string[]): Deps {
  const home = mkdtempSync(join(tmpdir(), 'socialync-team-refresh-'));
  const env = { SOCIALYNC_HOME: home };
  const deps = createDeps({
    io: createIO({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env }),
    env,
    paths: resolvePaths(env),
    secrets: async () => vault,
    provider: async () => provider,
    store: async () => {
      const s: Store = openSqliteStore(stateDb);
      if (!events) return s;
      const release = s.releaseLock.bind(s);
      s.releaseLock = async (name, owner) => (events.push(`release ${name}`), release(name, owner));
      return s;
    },
  });
  deps.providerDeps = async () => ({ http: deps.http, clock: deps.clock, hosts: {}, app: { clientId: 'fake-x' } }) as ProviderDeps;
  return deps;
}

async function addConnection(deps: Deps, id: string): Promise<void> {
  const now = Date.now();
  await (await deps.secrets()).set(secretKeys.connection(id), JSON.stringify({ accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt: now + HOUR, scopes: [], obtainedAt: now - HOUR }));
  await (await deps.store()).insertConnection(
    { id, platform: 'x', name: id, accountId: id, username: id, displayName: id, accountType: null, scopes: [], accessExpiresAt: now + HOUR, refreshExpiresAt: null, refreshExpiresEstimated: false, dataAccessExpiresAt: null, tokenObtainedAt: now - HOUR, lastRefreshAt: null, health: 'healthy', reason: null, reasonDetail: null, meta: {} },
    now,
  );
}

describe('refresh in team mode', () => {
  it('writes the rotated token to the database before it releases the refresh lock', async () => {
    const tables = memoryTeamTables();
    const [vault] = await teamMachines(tables, 1);
    const events: string[] = [];
    const write = tables.writeEntry.bind(tables);
    tables.writeEntry = async (e, o) => {
      const ok = await write(e, o);
      if (ok) events.push(`write ${e.name}`);
      return ok;
    };
    const { provider } = rotatingPlatform();
    const deps = machineDeps(join(mkdtempSync(join(tmpdir(), 'socialync-team-db-')), 'state.db'), vault!, provider, events);
    await addConnection(deps, 'c1');
    events.length = 0;
    expect((await refreshConnection(deps, 'c1', { force: true })).status).toBe('refreshed');
    expect(events).toEqual(['write conn.c1', 'release refresh:c1']);
    await deps.close();
  });

  it('8 refreshers on 4 machines, 8 rounds over one rotating connection: no refresh token sent twice', async () => {
    const tables = memoryTeamTables();
    const vaults = await teamMachines(tables, 4);
    const { provider, state } = rotatingPlatform();
    const stateDb = join(mkdtempSync(join(tmpdir(), 'socialync-team-db-')), 'state.db');
    const all = vaults.flatMap((v) => [machineDeps(stateDb, v, provider), machineDeps(stateDb, v, provider)]);
    await addConnection(all[0]!, 'c1');
    const outcomes = [];
    // Rounds one after another: each round's winner may run on a machine that last read the token rounds ago.
    for (let round = 0; round < 8; round++) {
      const order = [...all.slice((round * 3) % all.length), ...all.slice(0, (round * 3) % all.length)];
      outcomes.push(...(await Promise.all(order.map((d) => refreshConnection(d, 'c1', { force: true })))));
    }
    expect(state.burned).toBe(0);
    expect(state.refreshes).toBe(8);
    expect(outcomes.filter((o) => o.status === 'refreshed').length).toBe(state.refreshes);
    expect(outcomes.every((o) => o.status === 'refreshed' || o.status === 'already_refreshed'), JSON.stringify(outcomes.map((o) => o.status))).toBe(true);
    const conn = (await (await all[3]!.store()).getConnection('c1'))!;
    expect((await loadTokens(all[3]!, conn)).refreshToken).toBe(state.live());
    for (const d of all) await d.close();
  });
});
