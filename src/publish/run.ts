/**
 * Wires the engine to real dependencies, and the daemon loop: wake for the
 * next due target (or every pollIntervalMs), run the hourly refresh, stop
 * after the in-flight step when the abort signal fires (SIGTERM).
 */
import type { Deps } from '../deps.js';
import { HOUR } from '../core/clock.js';
import { ensureFreshToken } from '../auth/refresh.js';
import { postStoreFor } from '../store/posts.js';
import { memoryBudgetBytes, uploadBuffers } from '../core/memory-budget.js';
import { loadPublisher } from './draft.js';
import { engineOptions, runTick, type Engine, type TargetResult } from './engine.js';
import { daemonStepFailure } from './store-down.js';

export async function createEngine(deps0: Deps): Promise<Engine> {
  const deps = reusedProviderDeps(deps0);
  uploadBuffers.setLimit(memoryBudgetBytes(deps.config));
  const store = await deps.store();
  return {
    deps,
    store,
    posts: postStoreFor(store),
    opts: engineOptions(deps),
    loadPublisher,
    freshToken: (id, o) => ensureFreshToken(deps, id, o),
  };
}

/** How long the engine reuses a platform's provider deps (the app's client secret, read from the vault). */
const PROVIDER_DEPS_TTL_MS = 60_000;

/**
 * deps whose providerDeps(platform, connection) is read once per platform, server and minute, not once per target: it
 * decrypts the app's client secret from the vault each time (issue 14: publisher CPU in a burst).
 * A failure is not kept, so the next target tries again.
 */
function reusedProviderDeps(deps: Deps): Deps {
  const kept = new Map<string, { at: number; value: ReturnType<Deps['providerDeps']> }>();
  const providerDeps: Deps['providerDeps'] = (id, conn) => {
    // Per platform and server: a Mastodon connection talks to (and has an app on) its own server.
    const key = `${id}|${conn?.meta?.instance ?? ''}`;
    const hit = kept.get(key);
    if (hit && deps.clock.now() - hit.at < PROVIDER_DEPS_TTL_MS) return hit.value;
    const value = deps.providerDeps(id, conn);
    kept.set(key, { at: deps.clock.now(), value });
    value.catch(() => kept.delete(key));
    return value;
  };
  return Object.create(deps, { providerDeps: { value: providerDeps } }) as Deps;
}

export interface DaemonOptions {
  signal: AbortSignal;
  /** Targets published at once (default: config publish.concurrency). */
  concurrency?: number;
  /** Called after every tick that did something. */
  onResults?(r: TargetResult[]): void;
  /** Hourly refresh (the refresh command's run function), injected to keep this file small. */
  refresh?(): Promise<unknown>;
}

/**
 * A daemon that refreshes holds this lease, renewed every loop: `doctor` reads it to know that
 * something runs the refresh (src/doctor/scheduler.ts). It expires by itself when the daemon dies.
 */
export const DAEMON_LEASE = 'daemon.refresh';
const daemonLeaseTtl = (pollMs: number) => 3 * pollMs + 60_000;

export async function runDaemon(deps: Deps, o: DaemonOptions): Promise<void> {
  const en = await createEngine(deps);
  const poll = Math.max(50, Number(deps.config.get<number>('publish.pollIntervalMs') ?? 30_000));
  let lastRefresh = -Infinity;
  const heartbeat = () => (o.refresh ? en.store.tryLock(DAEMON_LEASE, deps.processId, daemonLeaseTtl(poll), deps.clock.now()).catch(() => false) : Promise.resolve(false));
  deps.io.info(`socialync daemon ${deps.processId}: publishing due posts and refreshing tokens hourly (stop with SIGTERM or Ctrl-C)`);
  while (!o.signal.aborted) {
    await heartbeat();
    if (o.refresh && deps.clock.now() - lastRefresh >= HOUR) {
      lastRefresh = deps.clock.now();
      await o.refresh().catch((e: unknown) => deps.io.err(`refresh failed, retrying in an hour: ${daemonStepFailure(deps, e)}`));
    }
    try {
      const results = await runTick(en, { signal: o.signal, ...(o.concurrency ? { concurrency: o.concurrency } : {}) });
      if (results.length) o.onResults?.(results);
    } catch (e) {
      // A failed tick (e.g. the database busy for too long, or out of reach) must not end the daemon.
      deps.io.err(`publish step failed, retrying in ${Math.round(poll / 1000)} s: ${daemonStepFailure(deps, e)}`);
    }
    if (o.signal.aborted) break;
    await deps.clock.sleep(poll, o.signal).catch(() => undefined);
  }
  if (o.refresh) await en.store.releaseLock(DAEMON_LEASE, deps.processId).catch(() => undefined);
  deps.io.info('socialync daemon: stopped');
}

/** Turns SIGTERM/SIGINT into an abort (the in-flight step finishes; main resolves). */
export function terminationSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = () => ac.abort(new Error('terminated'));
  // `on`, not `once`: signal-exit (loaded by conf) re-raises a signal when it finds no other
  // listener left, which would kill the process before the in-flight step ends.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    },
  };
}
