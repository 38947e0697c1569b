import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { openPostgres, type DbHandle } from "@/db/client";
import { PREPARE_MAX_PARAMETERS } from "@/db/prepared-statements";
import { rowsOf } from "@/lib/inngest/embedded/testing";

const url = process.env.DATABASE_URL;
const preparedTexts = async (handle: DbHandle) =>
  rowsOf<{ statement: string }>(await handle.db.execute(sql`select statement from pg_prepared_statements`)).map(
    (row) => row.statement,
  );

// One connection, so the statement cache read is the one the queries used.
describe.skipIf(!url)("prepared statements on PostgreSQL (db/prepared-statements.ts)", () => {
  let handle: DbHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  it("prepares a parameterised statement once per connection, in transactions and savepoints too", async () => {
    handle = openPostgres(url!, { max: 1 });
    for (let i = 0; i < 3; i++) await handle.db.execute(sql`select ${i}::int as outside`);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select ${1}::int as in_transaction`);
      await tx.transaction(async (inner) => {
        await inner.execute(sql`select ${2}::int as in_savepoint`);
      });
    });
    const texts = await preparedTexts(handle);
    expect(texts.filter((text) => text.includes("as outside"))).toHaveLength(1);
    expect(texts.some((text) => text.includes("as in_transaction"))).toBe(true);
    expect(texts.some((text) => text.includes("as in_savepoint"))).toBe(true);
  });

  it("leaves a statement with many parameters unprepared, and answers it", async () => {
    handle = openPostgres(url!, { max: 1 });
    const values = Array.from({ length: PREPARE_MAX_PARAMETERS + 1 }, (_, i) => sql`${i}::int`);
    const [row] = rowsOf<{ many_total: number }>(
      await handle.db.execute(sql`select (${sql.join(values, sql` + `)})::int as many_total`),
    );
    expect(row?.many_total).toBe(((PREPARE_MAX_PARAMETERS + 1) * PREPARE_MAX_PARAMETERS) / 2);
    expect((await preparedTexts(handle)).some((text) => text.includes("many_total"))).toBe(false);
  });

  it("plans each execution with its values, as an unprepared statement is", async () => {
    handle = openPostgres(url!, { max: 1 });
    const [row] = rowsOf<{ mode: string }>(
      await handle.db.execute(sql`select current_setting('plan_cache_mode') as mode`),
    );
    expect(row?.mode).toBe("force_custom_plan");
  });

  it("can be turned off (DATABASE_PREPARED_STATEMENTS=off, e.g. behind a pooler in transaction mode)", async () => {
    handle = openPostgres(url!, { max: 1, prepare: false });
    await handle.db.execute(sql`select ${1}::int as unprepared`);
    // A query built once (db/prepared-queries.ts) is named, and Drizzle asks to prepare named queries: off still wins.
    const named = handle.db
      .select({ unpreparedNamed: sql<number>`${sql.placeholder("n")}::int`.as("unprepared_named_value") })
      .from(sql`(select 1) as one`)
      .prepare("unprepared_named");
    for (let i = 0; i < 3; i++) expect(await named.execute({ n: i })).toEqual([{ unpreparedNamed: i }]);
    const texts = await preparedTexts(handle);
    expect(texts.some((text) => text.includes("as unprepared"))).toBe(false);
    expect(texts.some((text) => text.includes("unprepared_named_value"))).toBe(false);
  });
});
