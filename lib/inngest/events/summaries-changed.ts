import { eventType } from "inngest";
import { z } from "zod";

/**
 * Some page summaries of a story changed and the change is committed (an AI summary landed, the author pinned one,
 * Summarize all found nothing left to summarise). The roll-ups are debounced on it per story. `requestedBy` pays for
 * them (null: the story's owner).
 */
export const summariesChanged = eventType("story/summaries.changed", {
  schema: z.object({
    storyId: z.uuid(),
    requestedBy: z.uuid().nullable(),
  }),
});
