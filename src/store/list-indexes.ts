/**
 * Migration (appended to migrations.ts): the indexes behind `schedule list`'s views, so that
 * none of them reads every post (test: src/store/post-list.test.ts, EXPLAIN QUERY PLAN).
 *
 * - posts_pending / posts_failing: partial indexes in time order over the posts the default
 *   view shows (still to publish; failed or partly published). Each is walked in order and the
 *   two are merged, so 30 rows cost 30 index steps whatever the size of the history.
 * - posts_status: `--status S` in time order, and its count, as one index range.
 *
 * The status sets are those of src/store/post-list.ts (PENDING, FAILING): change both together.
 */
export const listIndexes = `
  CREATE INDEX posts_pending ON posts(scheduled_at, id) WHERE status IN ('scheduled', 'publishing', 'unconfirmed');
  CREATE INDEX posts_failing ON posts(scheduled_at, id) WHERE status IN ('failed', 'partial');
  CREATE INDEX posts_status ON posts(status, scheduled_at, id);
`;
