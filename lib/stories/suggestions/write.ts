import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { pageSuggestions, type PageSuggestion } from "@/db/suggestions-schema";
import { AppError } from "@/lib/errors";
import { releaseIllustrationWait } from "../illustrations/after-text";
import { writePageContent } from "../pages";

export const SUGGESTION_RESOLVED_MESSAGE = "This suggestion was already applied or discarded.";

/**
 * Writes a suggestion's text as an `ai` revision at `baseVersion` and marks the suggestion applied, in one
 * transaction: a crash or a concurrent Apply/Discard can never leave the text written with the suggestion still
 * open (or the other way round). A suggestion resolved meanwhile is a CONFLICT with `details.resolved`.
 */
export async function writeSuggestion(
  db: Db,
  suggestion: Pick<PageSuggestion, "id" | "pageId" | "jobId" | "content">,
  args: { baseVersion: number; actorId: string },
) {
  const written = await writePageContent(
    db,
    {
      pageId: suggestion.pageId,
      content: suggestion.content,
      baseVersion: args.baseVersion,
      authorId: args.actorId,
      source: "ai",
      jobId: suggestion.jobId,
    },
    async (tx) => {
      const [marked] = await tx
        .update(pageSuggestions)
        .set({ status: "applied", resolvedAt: new Date(), resolvedBy: args.actorId })
        .where(and(eq(pageSuggestions.id, suggestion.id), eq(pageSuggestions.status, "open")))
        .returning({ id: pageSuggestions.id });
      if (!marked) throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE, { resolved: true });
    },
  );
  // "With Generate": an illustration waiting for this text starts now that it is on the page.
  if (suggestion.jobId) await releaseIllustrationWait(db, suggestion.pageId, suggestion.jobId);
  return written;
}
