import { describe, expect, it, vi } from "vitest";
import { createOrJoinJob } from "@/lib/ai/jobs/ledger";
import { statementCountingDb } from "../helpers/counting-db";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, pageWriteJob } from "../helpers/fixtures";
import { secondConnection } from "../helpers/pg-url";
import { onPostgres } from "../helpers/postgres-only";

// Generate's admission takes the requester's lock, then looks for a job it raced with. Both are sent together: the
// look waits behind the lock on the transaction's connection, so it still sees what the lock's holder committed.
const testDb = useTestDb();
const POSTGRES_ONLY =
  "PostgreSQL only: the requester's lock is held from a second connection, which PGlite does not have";

describe("Generate's admission: round trips", () => {
  it.skipIf(!onPostgres)(
    onPostgres
      ? "sends the look for a raced job while it waits for the requester's lock, and joins what the lock's holder made"
      : `sends the look for a raced job while it waits for the requester's lock [skipped: ${POSTGRES_ONLY}]`,
    async () => {
      const author = await makeActor();
      const { story, pages } = await makeStory(author, ["Mara climbed the stairs.", ""]);
      const job = pageWriteJob(story.id, pages[1]!.id, author.id);
      const holder = await secondConnection(testDb.db());
      let pending: Promise<unknown> | undefined;
      try {
        const conn = await holder.reserve();
        await conn`select pg_advisory_lock(hashtextextended(${`ai-admission:${author.id}`}, 0))`;
        const counting = statementCountingDb(testDb.handle());
        const admitted = vi.fn(async () => {});
        const request = createOrJoinJob(counting.db, job, admitted);
        pending = request;
        const sentLook = () =>
          counting.statements.some((s) => s.startsWith("select") && s.includes('"target_id" = $2'));
        await vi.waitFor(
          () => expect(counting.statements.some((s) => s.includes("pg_advisory_xact_lock"))).toBe(true),
          {
            timeout: 5_000,
          },
        );
        await vi.waitFor(() => expect(sentLook()).toBe(true), { timeout: 2_000 });
        // While the request waits, the lock's holder records the page's job: the request must join it.
        const { job: first } = await createOrJoinJob(testDb.db(), job);
        await conn`select pg_advisory_unlock(hashtextextended(${`ai-admission:${author.id}`}, 0))`;
        conn.release();
        const outcome = await request;
        expect(outcome).toMatchObject({ created: false, job: { id: first.id } });
        expect(admitted).not.toHaveBeenCalled();
      } finally {
        // Ends the holder's session at once, so a failing check never leaves the code under test waiting on the lock.
        await holder.end({ timeout: 0 });
        await pending?.catch(() => {});
      }
    },
    20_000,
  );
});
