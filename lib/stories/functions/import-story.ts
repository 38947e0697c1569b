import { inngest } from "@/lib/inngest/client";
import { importRequested } from "@/lib/inngest/events/import-requested";
import { failImport, publishImport, stageImport, summarizeImported } from "../import/job";

/**
 * A manuscript import in the background: stage the pages (batches with progress, no transaction held across them),
 * publish them in one short transaction, then schedule their summaries. Any failure before publishing ends the
 * import as failed with its staged pages removed, so no half story is left. No retries: the failures are the
 * file's (a retry would fail the same way) or ours, and the author can start again with one click.
 */
export const importStoryFunction = inngest.createFunction(
  { id: "import-story", name: "Import a manuscript", triggers: [importRequested], retries: 0 },
  async ({ event, step }) => {
    const { importId } = event.data;
    const staged = await step.run("stage", async () => {
      try {
        return await stageImport(importId);
      } catch (error) {
        await failImport(importId, error);
        return null;
      }
    });
    if (!staged) return { importId, status: "failed-or-gone" };
    const published = await step.run("publish", async () => {
      try {
        return await publishImport(importId);
      } catch (error) {
        await failImport(importId, error);
        return null;
      }
    });
    if (!published) return { importId, status: "failed-or-gone" };
    const summaries = await step.run("summaries", () => summarizeImported(importId));
    return { importId, storyId: published.storyId, summaries };
  },
);
