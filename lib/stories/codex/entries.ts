import { eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { codexEntries, codexKinds, type CodexEntry } from "@/db/memory-schema";
import { stories, type Story } from "@/db/schema";
import { normalizeNameKey } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { assertCan, loadStoryFor, storyWithMembers, type StoryAction } from "../access";
import { requireActor, type Actor } from "../actor";
import { parseInput } from "../validation";
import {
  codexCreateSchema,
  codexDeleteSchema,
  codexEntryFieldsSchema,
  codexListSchema,
  codexUpdateSchema,
} from "./schema";
import { toCodexEntryView, type CodexEntryView } from "./view";
import { insertCodexEntry, updateCodexEntryRow } from "./write";

const ENTRY_NOT_FOUND = "We couldn't find that codex entry. It may have been deleted.";

/** An entry and its story for `action`; a missing entry and one of a story the actor may not see are both NOT_FOUND. */
export async function loadCodexEntryFor(
  db: Db,
  actor: Actor,
  action: StoryAction,
  entryId: string,
): Promise<{ entry: CodexEntry; story: Story }> {
  const [row] = await db
    .select({ entry: codexEntries, story: storyWithMembers })
    .from(codexEntries)
    .innerJoin(stories, eq(stories.id, codexEntries.storyId))
    .where(eq(codexEntries.id, entryId))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", ENTRY_NOT_FOUND);
  assertCan(actor, action, row.story, ENTRY_NOT_FOUND);
  return row;
}

const kindOrder = new Map<string, number>(codexKinds.map((k, i) => [k, i]));
const byKindThenName = (a: CodexEntry, b: CodexEntry) =>
  kindOrder.get(a.kind)! - kindOrder.get(b.kind)! ||
  a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) ||
  a.id.localeCompare(b.id);

/** Folds case and compatibility forms, so a search finds "Élodie" from "élodie" and "Ｍａｒａ" from "mara". */
const fold = (text: string) => text.normalize("NFKC").toLocaleLowerCase();

/** Every entry of a story's codex (at most 500), in memory. */
export async function codexRows(db: Db, storyId: string): Promise<CodexEntry[]> {
  const rows = await db.select().from(codexEntries).where(eq(codexEntries.storyId, storyId));
  return rows.sort(byKindThenName);
}

/**
 * A story's codex, grouped by kind (character, place, thing, lore, other) and by name within a kind; `q` keeps the
 * entries whose name, an alias or the description contains it. A codex holds at most 500 entries, so the search
 * runs here, with the same Unicode folding everywhere, rather than in the database's locale.
 */
export async function listCodex(actorOrNull: Actor | null, input: unknown): Promise<CodexEntryView[]> {
  const actor = requireActor(actorOrNull);
  const { storyId, q } = parseInput(codexListSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  let rows = await codexRows(db, story.id);
  if (q) {
    const needle = fold(q);
    const nameNeedle = normalizeNameKey(q);
    rows = rows.filter(
      (row) =>
        [row.name, ...row.aliases].some((n) => fold(n).includes(needle) || normalizeNameKey(n).includes(nameNeedle)) ||
        fold(row.description).includes(needle),
    );
  }
  return rows.map(toCodexEntryView);
}

export async function getCodexEntry(actorOrNull: Actor | null, input: unknown): Promise<CodexEntryView> {
  const actor = requireActor(actorOrNull);
  const { entryId } = parseInput(codexDeleteSchema, input);
  const db = await getDb();
  return toCodexEntryView((await loadCodexEntryFor(db, actor, "read", entryId)).entry);
}

/** Adds an entry to a story's codex. Nothing is saved unless every field is valid and no name or alias is taken. */
export async function createCodexEntry(actorOrNull: Actor | null, input: unknown): Promise<CodexEntryView> {
  const actor = requireActor(actorOrNull);
  const { storyId, ...fields } = parseInput(codexCreateSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "edit", storyId);
  return toCodexEntryView(await insertCodexEntry(db, story.id, fields));
}

/**
 * Changes the given fields of an entry, from the version the author started from: a stale version is a CONFLICT
 * carrying the entry as it is now. The result is validated as a whole (an alias may not repeat the new name).
 */
export async function updateCodexEntry(actorOrNull: Actor | null, input: unknown): Promise<CodexEntryView> {
  const actor = requireActor(actorOrNull);
  const { entryId, baseVersion, ...changes } = parseInput(codexUpdateSchema, input);
  const db = await getDb();
  const { entry } = await loadCodexEntryFor(db, actor, "edit", entryId);
  const merged = parseInput(codexEntryFieldsSchema, {
    kind: changes.kind ?? entry.kind,
    name: changes.name ?? entry.name,
    aliases: changes.aliases ?? entry.aliases,
    description: changes.description ?? entry.description,
    appearance: changes.appearance ?? entry.appearance,
    activation: changes.activation ?? entry.activation,
  });
  return toCodexEntryView(await updateCodexEntryRow(db, entry, baseVersion, merged));
}

/** Deletes an entry (its name keys go with it). Deleting one that is already gone is NOT_FOUND. */
export async function deleteCodexEntry(actorOrNull: Actor | null, input: unknown): Promise<{ id: string }> {
  const actor = requireActor(actorOrNull);
  const { entryId } = parseInput(codexDeleteSchema, input);
  const db = await getDb();
  const { entry } = await loadCodexEntryFor(db, actor, "edit", entryId);
  await db.delete(codexEntries).where(eq(codexEntries.id, entry.id));
  return { id: entry.id };
}
