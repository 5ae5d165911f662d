/**
 * The two state stores for the store contract suite (src/store/contract.test.ts): SQLite in a
 * temporary folder and PostgreSQL on a real server (test/helpers/postgres.ts). `open()` opens
 * another store on the same data, as a second process or machine would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { postStoreFor, type PostStore } from '../../src/store/posts.js';
import type { Store } from '../../src/store/types.js';
import { startPostgres, type PostgresServer } from './postgres.js';

export interface Opened {
  store: Store;
  posts: PostStore;
}

export interface StoreKit {
  kind: 'sqlite' | 'postgres';
  /** A store on this kit's data (each call: another "process"). */
  open(): Promise<Opened>;
  cleanup(): Promise<void>;
}

export interface StoreBackend {
  kind: 'sqlite' | 'postgres';
  /** undefined, or why this backend cannot run here (outside CI only: system-part.ts). */
  setup(): Promise<string | undefined>;
  /** Fresh, empty data. */
  kit(): Promise<StoreKit>;
  teardown(): Promise<void>;
}

function track(make: () => Promise<Store>, onCleanup: () => Promise<void> | void, kind: StoreKit['kind']): StoreKit {
  const opened: Store[] = [];
  return {
    kind,
    async open() {
      const store = await make();
      opened.push(store);
      return { store, posts: postStoreFor(store) };
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
      await onCleanup();
    },
  };
}

export const sqliteBackend: StoreBackend = {
  kind: 'sqlite',
  async setup() {
    return undefined;
  },
  async kit() {
    const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    return track(async () => openSqliteStore(join(dir, 'state.db')), () => rmSync(dir, { recursive: true, force: true }), 'sqlite');
  },
  async teardown() {},
};

export function postgresBackend(): StoreBackend & { server(): PostgresServer } {
  let server: PostgresServer | undefined;
  return {
    kind: 'postgres',
    async setup() {
      const s = await startPostgres();
      if (typeof s === 'string') return s;
      server = s;
      return undefined;
    },
    async kit() {
      const url = await server!.createDatabase();
      return track(async () => openPostgresStore(url, { now: () => 1 }), () => undefined, 'postgres');
    },
    async teardown() {
      await server?.stop();
    },
    server: () => server!,
  };
}
