import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { codexNameTranslations } from "@/db/translations-schema";
import { requireActor, type Actor } from "../actor";
import { codexRows, loadCodexEntryFor } from "../codex/entries";
import { idField, parseInput } from "../validation";
import { translationLanguageField } from "./language";

/** One name of the source's codex as a translation's prompt lists it ("" translated: keep the name as it is). */
export interface GlossaryEntry {
  entryId: string;
  name: string;
  aliases: string;
  translated: string;
}

/**
 * The source story's codex as a glossary for `language`: every entry's name and aliases, with the author's
 * translated name for that language when there is one. Entries set to `never` are left out, as from every prompt.
 */
export async function glossaryFor(db: Db, sourceStoryId: string, language: string): Promise<GlossaryEntry[]> {
  const entries = (await codexRows(db, sourceStoryId)).filter((e) => e.activation !== "never");
  if (entries.length === 0) return [];
  const names = await db
    .select()
    .from(codexNameTranslations)
    .where(
      and(
        eq(codexNameTranslations.language, language),
        inArray(
          codexNameTranslations.entryId,
          entries.map((e) => e.id),
        ),
      ),
    );
  const byEntry = new Map(names.map((n) => [n.entryId, n.name]));
  return entries.map((e) => ({
    entryId: e.id,
    name: e.name,
    aliases: e.aliases.join(", "),
    translated: byEntry.get(e.id) ?? "",
  }));
}

const nameSchema = z.object({
  entryId: idField,
  language: translationLanguageField,
  // Empty clears it: the name then stays as it is in the translation.
  name: z.string().trim().max(100, "A name can be at most 100 characters."),
});

/** Sets (or, with an empty name, clears) a codex entry's name in one language, for the translations into it. */
export async function setCodexNameTranslation(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ entryId: string; language: string; name: string }> {
  const actor = requireActor(actorOrNull);
  const { entryId, language, name } = parseInput(nameSchema, input);
  const db = await getDb();
  await loadCodexEntryFor(db, actor, "edit", entryId);
  if (name === "") {
    await db
      .delete(codexNameTranslations)
      .where(and(eq(codexNameTranslations.entryId, entryId), eq(codexNameTranslations.language, language)));
  } else {
    await db
      .insert(codexNameTranslations)
      .values({ entryId, language, name })
      .onConflictDoUpdate({
        target: [codexNameTranslations.entryId, codexNameTranslations.language],
        set: { name, updatedAt: new Date() },
      });
  }
  return { entryId, language, name };
}
