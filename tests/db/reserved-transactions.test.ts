import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { openPostgres, type DbHandle } from "@/db/client";
import { rowsOf } from "@/lib/inngest/embedded/testing";
import { useTestDb } from "../helpers/db";
import { testDatabaseUrl } from "../helpers/pg-url";
import { raceName, raceTest } from "../helpers/postgres-only";

// Transactions take an idle connection of their own (db/reserved-transactions.ts). These tests run on PostgreSQL with
// a pool of three connections whose pipelines hold two queries, so a BEGIN queued behind busy connections reaches
// postgres.js's pipeline limit in a few queries, as it does under load with the default depth.
const testDb = useTestDb();
let handle: DbHandle | undefined;
// One connection: what a lost connection does to the transaction on it is then certain.
let single: DbHandle | undefined;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  const url = await testDatabaseUrl(testDb.db());
  handle = openPostgres(url, { max: 3, maxPipeline: 2 });
  single = openPostgres(url, { max: 1 });
  await handle.db.execute(sql`create table tx_probe (id int primary key)`);
});

afterAll(async () => {
  await handle?.close();
  await single?.close();
});

const backendPid = async (db: DbHandle["db"]) =>
  rowsOf<{ pid: number }>(await db.execute(sql`select pg_backend_pid() as pid`))[0]!.pid;
// From the test's own pool: ends another connection's session, as a restart or pg_terminate_backend would.
const terminate = (pid: number) => testDb.db().execute(sql`select pg_terminate_backend(${pid})`);
const settledWithin = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      (value) => ({ settled: "resolved" as const, value }),
      (error: unknown) => ({ settled: "rejected" as const, error }),
    ),
    new Promise<{ settled: "pending" }>((resolve) => setTimeout(() => resolve({ settled: "pending" }), ms)),
  ]);

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

  raceTest(
    raceName("a statement refused because the transaction had aborted reports the error that aborted it"),
    async () => {
      const outcome = db().transaction(async (tx) => {
        await tx.execute(sql`select 1 / 0`).catch(() => undefined);
        // Fails with 25P02 (current transaction is aborted), wrapped by drizzle: the caller hears of the division.
        await tx.execute(sql`insert into tx_probe (id) values (1002)`);
      });
      await expect(outcome).rejects.toMatchObject({ code: "22012" });
      expect(await probeIds()).not.toContain(1002);
    },
  );

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

  raceTest(
    raceName("a transaction waiting for a connection gets one when the busy connection closes meanwhile"),
    async () => {
      const db = single!.db;
      const pid = await backendPid(db);
      const busy = settledWithin(Promise.resolve(db.execute(sql`select pg_sleep(1)`)), 5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Waits for the only connection; postgres.js hands that connection, reconnected, to this waiting request.
      const waiting = settledWithin(
        Promise.resolve(db.transaction((tx) => tx.execute(sql`insert into tx_probe (id) values (4001)`))),
        4000,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      await terminate(pid);
      expect((await busy).settled).toBe("rejected");
      expect((await waiting).settled).toBe("resolved");
      expect(await probeIds()).toEqual([4001]);
      await db.execute(sql`delete from tx_probe`);
    },
  );

  raceTest(
    raceName("a connection lost between two statements fails the transaction; nothing runs outside it"),
    async () => {
      const db = single!.db;
      let other: Promise<unknown> | undefined;
      const outcome = db.transaction(async (tx) => {
        const pid = await backendPid(tx);
        await tx.execute(sql`insert into tx_probe (id) values (5001)`);
        // Waits for the pool's only connection: postgres.js reconnects it for this query once the session ends.
        other = Promise.resolve(db.execute(sql`select 1`));
        await terminate(pid);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.execute(sql`insert into tx_probe (id) values (5002)`);
      });
      await expect(outcome).rejects.toMatchObject({ cause: { code: "CONNECTION_CLOSED" } });
      await other;
      expect(await probeIds()).toEqual([]);
      // The pool still works, and its connection is in no transaction.
      expect(await backendPid(db)).toBeGreaterThan(0);
    },
  );

  raceTest(raceName("a statement sent after its transaction rolled back is not run"), async () => {
    const db = single!.db;
    let late: Promise<unknown> | undefined;
    const outcome = db.transaction(async (tx) => {
      late = new Promise((resolve) => setTimeout(resolve, 50))
        .then(() => tx.execute(sql`insert into tx_probe (id) values (6001)`))
        .catch((error: unknown) => error);
      await tx.execute(sql`select 1 / 0`);
    });
    await expect(outcome).rejects.toMatchObject({ cause: { code: "22012" } });
    // The next transaction takes the same connection; the late statement must not run in it.
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into tx_probe (id) values (6002)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    expect(await late).toMatchObject({ cause: { code: "TRANSACTION_ENDED" } });
    expect(await probeIds()).toEqual([6002]);
    await db.execute(sql`delete from tx_probe`);
  });
});
