import net from "node:net";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transactionsOnReservedConnections } from "@/db/reserved-transactions";
import { useTestDb } from "../helpers/db";
import { testDatabaseUrl } from "../helpers/pg-url";
import { onPostgres } from "../helpers/postgres-only";

// A transaction's BEGIN leaves with the callback's first statement (db/reserved-transactions.ts): one round trip less
// on every transaction, Generate's admission and the engine's claims among them. Observed on the wire: what each
// write to the socket carried. PostgreSQL only (PGlite has no socket).
const testDb = useTestDb();
let client: Sql | undefined;
const writes: string[] = [];

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  const url = new URL(await testDatabaseUrl(testDb.db()));
  client = postgres(url.toString(), {
    max: 1,
    onnotice: () => {},
    // postgres.js's own option (documented; missing from its typings): the socket to talk to PostgreSQL over.
    ...({ socket: recordingSocket(url) } as object),
  });
  transactionsOnReservedConnections(client);
  await client`create table begin_probe (id int primary key)`;
});

function recordingSocket(url: URL) {
  return () => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
    const write = socket.write.bind(socket) as (chunk: Uint8Array, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      writes.push(Buffer.from(chunk).toString("latin1"));
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };
}

afterAll(async () => {
  await client?.end({ timeout: 5 });
});

/** The writes from now on that carried a BEGIN, and whether each also carried the given statement. */
async function recorded(run: () => Promise<unknown>): Promise<string[]> {
  const from = writes.length;
  await run().catch(() => undefined);
  return writes.slice(from);
}

const SOCKET_ONLY = "PostgreSQL only: the test watches the writes to its socket, and PGlite has none";
const onPostgresIt = (name: string, fn: () => Promise<void>) =>
  it.skipIf(!onPostgres)(onPostgres ? name : `${name} [skipped: ${SOCKET_ONLY}]`, fn);

const ids = async () => (await client!`select id from begin_probe order by id`).map((row) => row.id as number);

describe("a transaction's BEGIN (PostgreSQL)", () => {
  onPostgresIt("leaves in the same write as the callback's first statement, and the transaction commits", async () => {
    const sent = await recorded(() => client!.begin((tx) => tx`insert into begin_probe (id) values (1)`));
    const withBegin = sent.filter((chunk) => /\bbegin\b/i.test(chunk));
    expect(withBegin).toHaveLength(1);
    expect(withBegin[0]).toMatch(/insert into begin_probe/);
    expect(await ids()).toEqual([1]);
  });

  onPostgresIt("still rolls back what the callback did when a later statement fails", async () => {
    const outcome = client!.begin(async (tx) => {
      await tx`insert into begin_probe (id) values (2)`;
      await tx`select 1 / 0`;
    });
    await expect(outcome).rejects.toMatchObject({ code: "22012" });
    expect(await ids()).toEqual([1]);
  });

  onPostgresIt("comes before a statement of the callback that is started at once, which runs inside it", async () => {
    // `then` hands a postgres.js query to its connection a microtask later; BEGIN must already be there.
    const outcome = client!.begin((tx) => {
      const inserted = tx`insert into begin_probe (id) values (4)`.then((rows) => rows);
      return inserted.then(() => {
        throw new Error("the callback fails after its insert");
      });
    });
    await expect(outcome).rejects.toThrow("the callback fails after its insert");
    // Run outside the transaction (before its BEGIN), the insert would have been committed on its own.
    expect(await ids()).toEqual([1]);
  });

  onPostgresIt(
    "with a mode, which PostgreSQL could refuse on its own, is answered before anything follows",
    async () => {
      const sent = await recorded(() => client!.begin("read only", (tx) => tx`select count(*) from begin_probe`));
      const withBegin = sent.filter((chunk) => /\bbegin\b/i.test(chunk));
      expect(withBegin).toHaveLength(1);
      expect(withBegin[0]).not.toMatch(/begin_probe/);
      // A refused mode fails the transaction before its statements are sent: none runs outside it.
      const refused = client!.begin("isolation level nonsense", (tx) => tx`insert into begin_probe (id) values (3)`);
      await expect(refused).rejects.toMatchObject({ code: "42601" });
      expect(await ids()).toEqual([1]);
    },
  );
});
