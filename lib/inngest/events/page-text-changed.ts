import { eventType } from "inngest";
import { z } from "zod";

/**
 * A page's text changed and the change is committed (a save, an AI result landing, an undo, a new page with text).
 * Sent after the transaction; the summary after an edit is debounced on it per page. `requestedBy` is who made the
 * change, who pays for the follow-up (null when nobody is known: the story's owner then).
 */
export const pageTextChanged = eventType("story/page.text-changed", {
  schema: z.object({
    pageId: z.uuid(),
    storyId: z.uuid(),
    version: z.number().int().min(1),
    requestedBy: z.uuid().nullable(),
  }),
});
