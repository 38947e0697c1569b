import { inngest } from "@/lib/inngest/client";
import { sweepStaleImports } from "../import/job";

/**
 * An import whose function crashed (or whose process died, or whose event was lost) would stay pending or running
 * forever, its author watching a progress bar that never moves: every five minutes those without a sign of life for
 * IMPORT_STALE_MS are ended as failed with a message saying to import again (import-story has no retries to wait for).
 */
export const sweepStaleImportsFunction = inngest.createFunction(
  {
    id: "sweep-stale-imports",
    name: "End stalled manuscript imports",
    triggers: [{ cron: "*/5 * * * *" }],
    retries: 1,
  },
  async ({ step }) => step.run("sweep", async () => ({ failed: (await sweepStaleImports()).length })),
);
