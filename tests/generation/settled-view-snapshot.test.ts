import { eq } from "drizzle-orm";
import { describe, expect } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { getPageJob, type PageJobView } from "@/lib/stories";
import { applyPageJobResult } from "@/lib/stories/page-jobs/land";
import { useTestDb } from "../helpers/db";
import { makeActor, makeAiJob, makeStory } from "../helpers/fixtures";
import { raceName, raceTest } from "../helpers/postgres-only";

useTestDb();

const ANSWER = "The tide came in over the causeway.";

describe("a settled job's view is read from one snapshot", () => {
  // The editor continues from the view's page: "applied" beside the page's old text would put the old text back in
  // the editor over the AI's. Read apart, the page could be read before the landing's commit and its revision after.
  raceTest(
    raceName("while the text lands, a view that says applied always shows the page with the text"),
    async () => {
      const author = await makeActor();
      const seen: PageJobView[] = [];
      for (let round = 0; round < 25; round++) {
        const { pages } = await makeStory(author, [""]);
        const jobId = await makeAiJob(pages[0]!.id, author.id);
        await (await getDb()).update(aiJobs).set({ outputText: ANSWER, baseVersion: 1 }).where(eq(aiJobs.id, jobId));
        const landing = applyPageJobResult(jobId);
        let settled = false;
        const done = () => {
          settled = true;
        };
        landing.then(done, done);
        // Views read while the landing commits, a few at once so that some straddle the commit.
        do {
          seen.push(...(await Promise.all([1, 2, 3].map(() => getPageJob(author, { jobId })))));
        } while (!settled);
        expect(await landing).toBe("applied");
        seen.push(await getPageJob(author, { jobId }));
      }
      const applied = seen.filter((view) => view.resolution === "applied");
      expect(applied.length).toBeGreaterThan(0);
      for (const view of applied) expect(view.page).toMatchObject({ content: ANSWER, version: 2 });
      for (const view of seen.filter((v) => v.resolution === null)) expect(view.page).toMatchObject({ version: 1 });
    },
    60_000,
  );
});
