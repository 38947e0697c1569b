import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { pageSuggestions } from "@/db/suggestions-schema";
import { AppError } from "@/lib/errors";
import { loadPageFor } from "../access";
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
  if (marked.length > 0) return;
  // Another request resolved it between the read and the update: refused only if that was an apply.
  const [now] = await db
    .select({ status: pageSuggestions.status })
    .from(pageSuggestions)
    .where(eq(pageSuggestions.id, suggestion.id));
  if (now?.status === "applied") throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE, { resolved: true });
}
