import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { openPostgres, type DbHandle } from "@/db/client";
import { rowsOf } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { withDatabase } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";

// Transactions take an idle connection of their own (db/reserved-transactions.ts). These tests run on PostgreSQL with
// a pool of three connections whose pipelines hold two queries, so a BEGIN queued behind busy connections reaches
// postgres.js's pipeline limit in a few queries, as it does under load with the default depth.
const testDb = useTestDb();
let handle: DbHandle | undefined;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  const [row] = rowsOf<{ name: string }>(await testDb.db().execute(sql`select current_database() as name`));
  handle = openPostgres(withDatabase(process.env.DATABASE_URL, row!.name), { max: 3, maxPipeline: 2 });
  await handle.db.execute(sql`create table tx_probe (id int primary key)`);
});

afterAll(async () => {
  await handle?.close();
});

const db = () => handle!.db;
const probeIds = async () =>
  rowsOf<{ id: number }>(await db().execute(sql`select id from tx_probe order by id`)).map((row) => row.id);

describe("transactions on a reserved connection (PostgreSQL)", () => {
  raceTest(
    raceName("a transaction begun while every connection is busy commits, and leaves no connection inside it"),
    async () => {
      const failures: string[] = [];
      for (let round = 0; round < 10; round++) {
        // Drizzle's queries start when awaited: `then` sends each one now, in this order.
        const work: PromiseLike<unknown>[] = [];
        const send = (query: PromiseLike<unknown>) => work.push(query.then((result) => result));
        for (let i = 0; i < 3; i++) send(db().execute(sql`select pg_sleep(0.02)`));
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (let i = 0; i < 3; i++) send(db().execute(sql`select 1`));
        // Each connection now runs a sleep with one query behind it: a BEGIN sent there fills its pipeline.
        await new Promise((resolve) => setImmediate(resolve));
        for (let i = 0; i < 5; i++) {
          const id = round * 10 + i;
          send(db().transaction((tx) => tx.execute(sql`insert into tx_probe (id) values (${id})`)));
        }
        for (const outcome of await Promise.allSettled(work)) {
          if (outcome.status === "rejected") failures.push(String((outcome.reason as Error).message));
        }
      }
      expect(failures).toEqual([]);
      expect(await probeIds()).toHaveLength(50);
      const [open] = rowsOf<{ n: number }>(
        await db().execute(
          sql`select count(*)::int as n from pg_stat_activity
              where datname = current_database() and state like 'idle in transaction%'`,
        ),
      );
      expect(open!.n).toBe(0);
      await db().execute(sql`delete from tx_probe`);
    },
  );

  raceTest(raceName("a failed query rolls the transaction back even when the callback caught its error"), async () => {
    const outcome = db().transaction(async (tx) => {
      await tx.execute(sql`insert into tx_probe (id) values (1001)`);
      await tx.execute(sql`select 1 / 0`).catch(() => undefined);
    });
    await expect(outcome).rejects.toMatchObject({ code: "22012" });
    expect(await probeIds()).not.toContain(1001);
  });

  raceTest(raceName("a nested transaction rolls back to its savepoint and the outer one commits"), async () => {
    await db().transaction(async (tx) => {
      await tx.execute(sql`insert into tx_probe (id) values (2001)`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into tx_probe (id) values (2002)`);
          throw new Error("inner fails");
        })
        .catch(() => undefined);
      await tx.transaction((inner) => inner.execute(sql`insert into tx_probe (id) values (2003)`));
    });
    expect(await probeIds()).toEqual([2001, 2003]);
    await db().execute(sql`delete from tx_probe`);
  });

  raceTest(raceName("a thrown callback rolls back and gives its connection back"), async () => {
    for (let i = 0; i < 6; i++) {
      const outcome = db().transaction(async (tx) => {
        await tx.execute(sql`insert into tx_probe (id) values (${3000 + i})`);
        throw new Error("callback fails");
      });
      await expect(outcome).rejects.toThrow("callback fails");
    }
    // Six transactions on three connections: each was given back, or this would wait forever.
    expect(await probeIds()).toEqual([]);
  });
});
