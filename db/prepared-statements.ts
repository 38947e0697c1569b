import type { Sql } from "postgres";

/**
 * Drizzle's postgres-js driver sends every query unprepared unless it was given a name (`.prepare("name")`). The
 * driver then learns a parameterised query's types first — Parse, Describe, a round trip — and sends Bind/Execute
 * in a second write: two round trips, two socket writes and a fresh parse on the server for every statement. A CPU
 * profile of Generate put about 10% of the server's busy time in those socket writes (bench/results/ttft.md,
 * 2026-12-04 (morning)).
 * Prepared per connection (postgres.js caches them by text and types, and re-prepares after a schema change), a
 * repeated statement is one Bind/Execute.
 *
 * Statements with many parameters (bulk inserts, long `in` lists) are rarely repeated with the same shape: left
 * unprepared, they do not grow each connection's statement cache. Plans stay custom (CUSTOM_PLANS, a connection
 * setting) so a prepared statement is planned with its values, as before: several indexes are partial.
 */
export const PREPARE_MAX_PARAMETERS = 64;

export const CUSTOM_PLANS = { plan_cache_mode: "force_custom_plan" } as const;

type Callback = (sql: Sql) => unknown;
type Scoped = (...args: unknown[]) => Promise<unknown>;

export function preparingStatements(sql: Sql): Sql {
  const unsafe = sql.unsafe;
  const prepared: typeof sql.unsafe = (query, parameters, options) =>
    unsafe(query, parameters, {
      ...options,
      prepare: (parameters?.length ?? 0) <= PREPARE_MAX_PARAMETERS,
    });
  sql.unsafe = prepared;
  // A transaction (and a savepoint inside it) hands its callback a new Sql: it prepares its statements too.
  for (const name of ["begin", "savepoint"] as const) {
    const scoped = (sql as unknown as Record<string, Scoped | undefined>)[name];
    if (typeof scoped !== "function") continue;
    (sql as unknown as Record<string, Scoped>)[name] = (...args: unknown[]) => {
      const callback = args.pop() as Callback;
      return scoped(...args, (inner: Sql) => callback(preparingStatements(inner)));
    };
  }
  return sql;
}
