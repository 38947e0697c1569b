import { eventType } from "inngest";
import { z } from "zod";

/** A manuscript import was accepted and its file stored: the import-story function stages and publishes it. */
export const importRequested = eventType("story/import.requested", {
  schema: z.object({ importId: z.uuid() }),
});
