import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('withStatementCache', () => {
  it('prepares each SQL text once and hands it back in its default mode; the rest of the connection is untouched', () => {
    const raw = new Database(':memory:');
    const db = withStatementCache(raw);
    expect(withStatementCache(raw)).toBe(db);
    db.exec('CREATE TABLE t (a INTEGER, b TEXT)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run(1, 'x');
    const sql = 'SELECT a, b FROM t';
    const first = db.prepare(sql);
    expect(db.prepare(sql)).toBe(first);
    expect(db.prepare(sql).pluck().get()).toBe(1);
    expect(db.prepare(sql).get()).toEqual({ a: 1, b: 'x' }); // not left plucked by the previous caller
    expect(db.prepare(sql).raw().get()).toEqual([1, 'x']);
    expect(db.prepare(sql).get()).toEqual({ a: 1, b: 'x' });
    expect(db.transaction(() => db.prepare('SELECT count(*) FROM t').pluck().get())()).toBe(1);
    expect(db.inTransaction).toBe(false);
    raw.close();
  });
});
