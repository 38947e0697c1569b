import { it } from "vitest";

/** Whether this run has a real PostgreSQL (DATABASE_URL), with connections that can really interleave. */
export const onPostgres = Boolean(process.env.DATABASE_URL);

const REASON = "PostgreSQL only: PGlite has one connection, so the race cannot happen there";

/**
 * A race test: only meaningful where several connections run at once. On PGlite the transactions queue one behind
 * the other, so the test would pass whether or not the code guards the race; it is skipped there, saying why.
 */
export const raceTest: typeof it = (onPostgres ? it : it.skip) as typeof it;

/** The reason printed with a skipped race test (also in its name, so the report shows it). */
export function raceName(name: string): string {
  return onPostgres ? name : `${name} [skipped: ${REASON}]`;
}
