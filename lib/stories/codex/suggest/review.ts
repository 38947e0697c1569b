import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { codexEntries, codexSuggestions, type CodexSuggestion } from "@/db/memory-schema";
import { stories, type Story } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { assertCan, loadStoryFor, storyWithMembers } from "../../access";
import { requireActor, type Actor } from "../../actor";
import { idField, parseInput, storyIdSchema } from "../../validation";
import { codexEntryFieldsSchema } from "../schema";
import { toCodexEntryView, type CodexEntryView } from "../view";
import { insertCodexEntry, updateCodexEntryRow, type AlsoInTx } from "../write";

/*
 * The author's review of suggested entries: accept (possibly edited; validated like a new entry, and checked against
 * the codex as it is now), or reject. Accepting is what writes the codex, in the same transaction that marks the
 * suggestion accepted.
 */

export interface CodexSuggestionView {
  id: string;
  storyId: string;
  /** Set when it proposes an update of an existing entry. */
  entryId: string | null;
  kind: CodexSuggestion["kind"];
  name: string;
  aliases: string[];
  description: string;
  status: CodexSuggestion["status"];
  createdAt: string;
}

function toView(row: CodexSuggestion): CodexSuggestionView {
  return {
    id: row.id,
    storyId: row.storyId,
    entryId: row.entryId,
    kind: row.kind,
    name: row.name,
    aliases: row.aliases,
    description: row.description,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  };
}

const NOT_FOUND = "We couldn't find that suggestion.";

async function loadSuggestionFor(
  db: Db,
  actor: Actor,
  suggestionId: string,
): Promise<{ suggestion: CodexSuggestion; story: Story }> {
  const [row] = await db
    .select({ suggestion: codexSuggestions, story: storyWithMembers })
    .from(codexSuggestions)
    .innerJoin(stories, eq(stories.id, codexSuggestions.storyId))
    .where(eq(codexSuggestions.id, suggestionId))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", NOT_FOUND);
  assertCan(actor, "edit", row.story, NOT_FOUND);
  return row;
}

/** The story's suggestions waiting for review, oldest first. */
export async function listCodexSuggestions(actorOrNull: Actor | null, input: unknown): Promise<CodexSuggestionView[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  const rows = await db
    .select()
    .from(codexSuggestions)
    .where(and(eq(codexSuggestions.storyId, story.id), eq(codexSuggestions.status, "open")))
    // Suggestions of one batch share their time: by name within it, so the list reads the same every time.
    .orderBy(asc(codexSuggestions.createdAt), asc(codexSuggestions.name), asc(codexSuggestions.id));
  return rows.map(toView);
}

// The edits are checked with the suggestion, as a whole entry (codexEntryFieldsSchema), so errors name the entry's fields.
const editsSchema = z
  .object({
    kind: z.unknown(),
    name: z.unknown(),
    aliases: z.unknown(),
    description: z.unknown(),
    activation: z.unknown(),
  })
  .partial()
  .optional()
  .transform((edits) => Object.fromEntries(Object.entries(edits ?? {}).filter(([, v]) => v !== undefined)));

const acceptSchema = z.object({ suggestionId: idField, edits: editsSchema });
const rejectSchema = z.object({ suggestionId: idField });

function alreadyResolved(suggestion: CodexSuggestion): AppError {
  return new AppError("CONFLICT", `This suggestion was already ${suggestion.status}.`, {
    status: suggestion.status,
  });
}

/** Marks the suggestion accepted in the entry's transaction, unless someone resolved it meanwhile (then nothing is written). */
function markAccepted(suggestion: CodexSuggestion, actor: Actor): AlsoInTx {
  return async (tx) => {
    const [done] = await tx
      .update(codexSuggestions)
      .set({ status: "accepted", resolvedAt: new Date(), resolvedBy: actor.id })
      .where(and(eq(codexSuggestions.id, suggestion.id), eq(codexSuggestions.status, "open")))
      .returning({ id: codexSuggestions.id });
    if (!done) throw new AppError("CONFLICT", "This suggestion was resolved meanwhile. Nothing was saved.");
  };
}

/**
 * Accepts a suggestion, with the author's edits if any: a new entry, or the update of the entry it names. Field
 * errors name the field (as for a new entry); nothing is saved on any error.
 */
export async function acceptCodexSuggestion(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ suggestion: CodexSuggestionView; entry: CodexEntryView }> {
  const actor = requireActor(actorOrNull);
  const { suggestionId, edits } = parseInput(acceptSchema, input);
  const db = await getDb();
  const { suggestion } = await loadSuggestionFor(db, actor, suggestionId);
  if (suggestion.status !== "open") throw alreadyResolved(suggestion);

  if (suggestion.entryId) {
    const [entry] = await db.select().from(codexEntries).where(eq(codexEntries.id, suggestion.entryId)).limit(1);
    if (!entry) throw new AppError("NOT_FOUND", "The entry this suggestion updates was deleted.");
    const fields = parseInput(codexEntryFieldsSchema, {
      kind: suggestion.kind,
      name: suggestion.name,
      aliases: suggestion.aliases,
      description: suggestion.description,
      // A suggestion proposes text facts only; the author's appearance of the entry is kept.
      appearance: entry.appearance,
      activation: entry.activation,
      ...edits,
    });
    const row = await updateCodexEntryRow(db, entry, entry.version, fields, markAccepted(suggestion, actor));
    return { suggestion: toView({ ...suggestion, status: "accepted" }), entry: toCodexEntryView(row) };
  }
  const fields = parseInput(codexEntryFieldsSchema, {
    kind: suggestion.kind,
    name: suggestion.name,
    aliases: suggestion.aliases,
    description: suggestion.description,
    ...edits,
  });
  const row = await insertCodexEntry(db, suggestion.storyId, fields, markAccepted(suggestion, actor));
  return { suggestion: toView({ ...suggestion, status: "accepted" }), entry: toCodexEntryView(row) };
}

/** Rejects a suggestion; rejecting one already rejected answers it as it is. */
export async function rejectCodexSuggestion(actorOrNull: Actor | null, input: unknown): Promise<CodexSuggestionView> {
  const actor = requireActor(actorOrNull);
  const { suggestionId } = parseInput(rejectSchema, input);
  const db = await getDb();
  const { suggestion } = await loadSuggestionFor(db, actor, suggestionId);
  if (suggestion.status === "rejected") return toView(suggestion);
  if (suggestion.status !== "open") throw alreadyResolved(suggestion);
  const [row] = await db
    .update(codexSuggestions)
    .set({ status: "rejected", resolvedAt: new Date(), resolvedBy: actor.id })
    .where(and(eq(codexSuggestions.id, suggestion.id), eq(codexSuggestions.status, "open")))
    .returning();
  if (!row) throw new AppError("CONFLICT", "This suggestion was resolved meanwhile.");
  return toView(row);
}
