import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { pageSuggestions } from "@/db/suggestions-schema";
import { AppError } from "@/lib/errors";
import { paragraphChanges, takeParagraphChanges } from "@/lib/text/paragraph-changes";
import { loadPageFor } from "../access";
import { dropIllustrationWaits } from "../illustrations/after-text";
import { writePageContent } from "../pages";
import { requireActor, type Actor } from "../actor";
import { idField, parseInput, versionField } from "../validation";
import { SUGGESTION_RESOLVED_MESSAGE, writeSuggestion } from "./write";

const suggestionActionSchema = z.object({
  suggestionId: idField,
  baseVersion: versionField.optional(),
});

const SUGGESTION_NOT_FOUND = "We couldn't find that suggestion.";

/** A suggestion on a live page the actor may review (NOT_FOUND otherwise, as for a missing id). */
async function loadSuggestionForReview(actor: Actor, suggestionId: string) {
  const db = await getDb();
  const [suggestion] = await db.select().from(pageSuggestions).where(eq(pageSuggestions.id, suggestionId)).limit(1);
  if (!suggestion) throw new AppError("NOT_FOUND", SUGGESTION_NOT_FOUND);
  const { page } = await loadPageFor(db, actor, "review", suggestion.pageId, { notFoundMessage: SUGGESTION_NOT_FOUND });
  return { suggestion, page };
}

/** Applies a suggestion as a new `ai` revision on top of the page's current version (the author chose it). */
export async function applySuggestion(actorOrNull: Actor | null, input: unknown) {
  const actor = requireActor(actorOrNull);
  const { suggestionId, baseVersion } = parseInput(suggestionActionSchema, input);
  const { suggestion, page } = await loadSuggestionForReview(actor, suggestionId);
  if (suggestion.status !== "open") throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE);
  return writeSuggestion(await getDb(), suggestion, { baseVersion: baseVersion ?? page.version, actorId: actor.id });
}

/**
 * Marks an open suggestion discarded. Discarding one already discarded changes nothing (a second tab, a double click);
 * one already applied is refused: its text is the page's now, and "discarded" would misstate what happened.
 */
export async function discardSuggestion(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { suggestionId } = parseInput(suggestionActionSchema, input);
  const { suggestion } = await loadSuggestionForReview(actor, suggestionId);
  if (suggestion.status === "applied") throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE, { resolved: true });
  if (suggestion.status !== "open") return;
  const db = await getDb();
  const marked = await db
    .update(pageSuggestions)
    .set({ status: "discarded", resolvedAt: new Date(), resolvedBy: actor.id })
    .where(and(eq(pageSuggestions.id, suggestion.id), eq(pageSuggestions.status, "open")))
    .returning({ id: pageSuggestions.id });
  if (marked.length > 0) {
    // "With Generate": the illustration waited for this text, which will now never reach the page.
    await dropIllustrationWaits(db, [suggestion]);
    return;
  }
  // Another request resolved it between the read and the update: refused only if that was an apply.
  const [now] = await db
    .select({ status: pageSuggestions.status })
    .from(pageSuggestions)
    .where(eq(pageSuggestions.id, suggestion.id));
  if (now?.status === "applied") throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE, { resolved: true });
}

const takeParagraphsSchema = z.object({
  suggestionId: idField,
  /** The page version the changes were shown against: the changes are computed from it. */
  baseVersion: versionField,
  /** Which of the changes (paragraphChanges of the page and the suggestion) to take. */
  changes: z
    .array(z.int().min(0, "A change is named by its position (0 or more)."))
    .min(1, "Choose at least one change to take.")
    .max(1000, "At most 1,000 changes at once."),
});

/**
 * Takes some paragraphs of a suggestion: the page gets those changes as a new `ai` revision and keeps the rest of
 * its text. The suggestion stays open for the changes not taken, until the page holds all of it (then it is applied)
 * or the author discards the rest. The changes are counted on the page as it is; the write at `baseVersion` refuses a
 * page changed meanwhile (CONFLICT with the current page), so nothing is taken from a comparison the author did not see.
 */
export async function takeSuggestionParagraphs(actorOrNull: Actor | null, input: unknown) {
  const actor = requireActor(actorOrNull);
  const { suggestionId, baseVersion, changes } = parseInput(takeParagraphsSchema, input);
  const { suggestion, page } = await loadSuggestionForReview(actor, suggestionId);
  if (suggestion.status !== "open") throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE, { resolved: true });
  const available = paragraphChanges(page.content, suggestion.content).length;
  const unknown = changes.filter((c) => c >= available);
  if (unknown.length) {
    throw new AppError(
      "VALIDATION",
      `This suggestion has ${available} changes: there is no change ${unknown[0]! + 1}.`,
      {
        fields: { changes: "No such change." },
      },
    );
  }
  const content = takeParagraphChanges(page.content, suggestion.content, new Set(changes));
  if (content === suggestion.content) {
    // Every remaining change taken: the same as applying it.
    const written = await writeSuggestion(await getDb(), suggestion, { baseVersion, actorId: actor.id });
    return { page: written, suggestionApplied: true };
  }
  // A job names one revision (page_revisions_job_key): the one that completes the suggestion. A part taken before it
  // is AI text all the same, without the job link (Undo of the job then undoes only that last step).
  const written = await writePageContent(await getDb(), {
    pageId: page.id,
    content,
    baseVersion,
    authorId: actor.id,
    source: "ai",
  });
  return { page: written, suggestionApplied: false };
}
