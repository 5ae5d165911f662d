/**
 * better-sqlite3 prepares (parses and plans) a statement on every `db.prepare(sql)`; the post
 * store calls it for each query, hundreds of times per second in a publishing burst (issue 14).
 * This wraps a connection so that `prepare` returns the statement already prepared for the same
 * SQL text, reset to its default result mode (a caller may have set `pluck()` or `raw()`).
 * Everything else goes to the connection unchanged. One cache per connection.
 */
import type Database from 'better-sqlite3';

/** SQL texts built with a variable number of placeholders could grow the cache: it starts over past this. */
const MAX_STATEMENTS = 500;

const wrapped = new WeakMap<Database.Database, Database.Database>();

export function withStatementCache(db: Database.Database): Database.Database {
  let proxy = wrapped.get(db);
  if (proxy) return proxy;
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (!st) {
      if (cache.size >= MAX_STATEMENTS) cache.clear();
      cache.set(sql, (st = db.prepare(sql)));
    } else if (st.reader) st.raw(false).pluck(false).expand(false);
    return st;
  };
  proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return prepare;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  wrapped.set(db, proxy);
  return proxy;
}
