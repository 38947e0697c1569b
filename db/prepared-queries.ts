import type { Db } from "./client";

/**
 * A query Drizzle builds once per database handle instead of on every call. Drizzle turns a query into SQL text anew
 * each time it runs, and for a wide row that costs more CPU than the round trip itself: reading one job's 48 columns
 * cost 0.46 ms of CPU per call built that way against 0.23 ms built once (`npm run bench:prepared`), and such reads
 * run several times per Generate and once a second per story with an open editor. A named query is prepared on the
 * server too, unless DATABASE_PREPARED_STATEMENTS=off (db/client.ts). Values go in as
 * `sql.placeholder(name)` and are passed to `execute`.
 *
 * Keyed by the handle (a WeakMap), so a test's database, or a transaction, gets its own: a query prepared on a
 * transaction runs inside it and is dropped with it.
 */
export function preparedPerDb<Query>(build: (db: Db) => Query): (db: Db) => Query {
  const byDb = new WeakMap<Db, Query>();
  return (db) => {
    let query = byDb.get(db);
    if (query === undefined) {
      query = build(db);
      byDb.set(db, query);
    }
    return query;
  };
}
