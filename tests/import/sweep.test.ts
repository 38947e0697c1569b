import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { storyImportPages, storyImports } from "@/db/import-schema";
import { stories } from "@/db/schema";
import { errorCatalog } from "@/lib/errors";
import type { Actor } from "@/lib/stories";
import { storyInngestFunctions } from "@/lib/stories/functions";
import {
  getImport,
  IMPORT_STALE_MS,
  publishImport,
  runImport,
  stageImport,
  startImport,
  sweepStaleImports,
} from "@/lib/stories/import/job";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor } from "../helpers/fixtures";

/** Imports whose function crashed: the sweep ends them as failed, and only them. */
useTestDb();

let author: Actor;
beforeAll(async () => {
  author = await makeActor();
});

const manuscript = { name: "book.md", bytes: Buffer.from("# One\n\nFirst.\n\n# Two\n\nSecond.", "utf8") };
const start = () => startImport(author, { file: manuscript, options: { mode: "headings" } });

/** Makes an import look as if nothing had happened to it for `ms`. */
async function age(importId: string, ms: number) {
  const db = await getDb();
  await db
    .update(storyImports)
    .set({ updatedAt: new Date(Date.now() - ms) })
    .where(eq(storyImports.id, importId));
}

async function ownStories() {
  const db = await getDb();
  return db.select({ id: stories.id }).from(stories).where(eq(stories.ownerId, author.id));
}

describe("sweeping stalled imports", () => {
  it("a running import whose function died mid-way ends as failed: staged pages and file gone, no story, a clear message", async () => {
    const started = await start();
    // The function staged the pages and then crashed before publishing.
    expect(await stageImport(started.id)).toEqual({ staged: 2 });
    await age(started.id, IMPORT_STALE_MS + 60_000);
    const before = (await ownStories()).length;

    expect(await sweepStaleImports()).toEqual([started.id]);

    const view = await getImport(author, { importId: started.id });
    expect(view).toMatchObject({
      status: "failed",
      storyId: null,
      error: { code: "IMPORT_STALLED", message: errorCatalog.IMPORT_STALLED.message },
    });
    expect(view.error!.message).toMatch(/import the file again/);
    expect(view.completedAt).not.toBeNull();
    const db = await getDb();
    const [row] = await db.select().from(storyImports).where(eq(storyImports.id, started.id));
    expect(row!.file).toBeNull();
    expect(await db.select().from(storyImportPages).where(eq(storyImportPages.importId, started.id))).toEqual([]);
    // A late publish of the dead run finds it ended: still no half story.
    expect(await publishImport(started.id)).toBeNull();
    expect(await stageImport(started.id)).toBeNull();
    expect((await ownStories()).length).toBe(before);
  });

  it("a pending import whose event never ran is ended the same way", async () => {
    const started = await start();
    await age(started.id, IMPORT_STALE_MS + 1);
    expect(await sweepStaleImports()).toEqual([started.id]);
    expect((await getImport(author, { importId: started.id })).status).toBe("failed");
  });

  it("leaves alone an import still within the limit, and finished ones", async () => {
    const fresh = await start();
    await age(fresh.id, IMPORT_STALE_MS - 60_000);
    const done = await start();
    expect((await runImport(done.id))!.status).toBe("succeeded");
    await age(done.id, IMPORT_STALE_MS * 4);

    expect(await sweepStaleImports()).toEqual([]);
    expect((await getImport(author, { importId: fresh.id })).status).toBe("pending");
    expect((await getImport(author, { importId: done.id })).status).toBe("succeeded");
    // The limit is the caller's to choose.
    expect(await sweepStaleImports({ olderThanMs: 30_000 })).toEqual([fresh.id]);
  });

  it("a staging run that outlives the sweep stops at its next batch instead of staging for an ended import", async () => {
    const started = await start();
    const db = await getDb();
    // The sweep ending the import between the run's reading of the file and its batch: a trigger plays the sweep.
    await db.execute(sql`
      create function play_sweep() returns trigger language plpgsql as $$
      begin
        update story_imports set status = 'failed' where id = new.import_id;
        return new;
      end $$`);
    await db.execute(sql`
      create trigger play_sweep after insert on story_import_pages for each row execute function play_sweep()`);
    try {
      await expectAppError(stageImport(started.id), "IMPORT_STALLED");
    } finally {
      await db.execute(sql`drop trigger play_sweep on story_import_pages`);
      await db.execute(sql`drop function play_sweep()`);
    }
    expect(await db.select().from(storyImportPages).where(eq(storyImportPages.importId, started.id))).toEqual([]);
  });

  it("runs from a cron function every five minutes", () => {
    const ids = storyInngestFunctions().map((f) => f.id());
    expect(ids.some((id) => id.endsWith("sweep-stale-imports"))).toBe(true);
  });
});
