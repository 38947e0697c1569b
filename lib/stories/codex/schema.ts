import { z } from "zod";
import { codexActivations, codexKinds } from "@/db/memory-schema";
import { normalizeNameKey } from "@/lib/ai";
import { limits } from "../limits";
import { idField, versionField } from "../validation";

/*
 * What a codex entry may hold, checked at the boundary with messages that name the field. The database checks the
 * same limits (db/memory-schema.ts) and refuses a name or alias used twice in a story (codex_name_keys); the checks
 * across entries are in write.ts, where the database answers them.
 */

const { codexNameMax, codexAliasesMax, codexDescriptionMax, codexAppearanceMax } = limits;

const kindField = z.enum(codexKinds, { message: "Choose a kind: character, place, thing, lore or other." });
const activationField = z.enum(codexActivations, {
  message: "Choose when the entry is used: always, when mentioned, or never.",
});
const nameField = z
  .string({ message: "A name is required." })
  .trim()
  .min(1, "A name is required.")
  .max(codexNameMax, `A name can be at most ${codexNameMax} characters.`);
const aliasField = z
  .string({ message: "An alias must be text." })
  .trim()
  .min(1, "An alias cannot be empty.")
  .max(codexNameMax, `An alias can be at most ${codexNameMax} characters.`);
const aliasesField = z
  .array(aliasField, { message: "Aliases must be a list of names." })
  .max(codexAliasesMax, `An entry can have at most ${codexAliasesMax} aliases.`);
const descriptionField = z
  .string({ message: "A description must be text." })
  .trim()
  .max(codexDescriptionMax, `A description can be at most ${codexDescriptionMax.toLocaleString("en-US")} characters.`);
const appearanceField = z
  .string({ message: "An appearance must be text." })
  .trim()
  .max(codexAppearanceMax, `An appearance can be at most ${codexAppearanceMax.toLocaleString("en-US")} characters.`);

export interface EntryNames {
  name: string;
  aliases: string[];
}

/**
 * Within one entry: its name and every alias normalised the way the story's name keys are (so "Mara", "MARA" and
 * "Ｍａｒａ" are the same name), no alias repeating the name or another alias, and no key over the limit once
 * normalised (NFKC can lengthen a name).
 */
export function checkEntryNames(entry: EntryNames, ctx: z.RefinementCtx): void {
  const nameKey = normalizeNameKey(entry.name);
  if (nameKey.length === 0)
    ctx.addIssue({ code: "custom", path: ["name"], message: "A name needs at least one letter or digit." });
  else if (nameKey.length > codexNameMax)
    ctx.addIssue({ code: "custom", path: ["name"], message: `A name can be at most ${codexNameMax} characters.` });
  const seen = new Map<string, string>();
  for (const [i, alias] of entry.aliases.entries()) {
    const key = normalizeNameKey(alias);
    const path = ["aliases", i];
    if (key.length === 0)
      ctx.addIssue({ code: "custom", path, message: "An alias needs at least one letter or digit." });
    else if (key.length > codexNameMax)
      ctx.addIssue({ code: "custom", path, message: `An alias can be at most ${codexNameMax} characters.` });
    else if (key === nameKey)
      ctx.addIssue({ code: "custom", path, message: `“${alias}” is already this entry's name.` });
    else if (seen.has(key))
      ctx.addIssue({ code: "custom", path, message: `“${alias}” is listed twice (as “${seen.get(key)}”).` });
    else seen.set(key, alias);
  }
}

/**
 * The fields of an entry, complete (create, accept), with defaults for what may be left out; without the checks
 * across fields, so that the REST document can describe it (refined schemas cannot be picked or extended).
 */
export const codexEntryBodySchema = z.object({
  kind: kindField,
  name: nameField,
  aliases: aliasesField.default([]),
  description: descriptionField.default(""),
  appearance: appearanceField.default(""),
  activation: activationField.default("mentioned"),
});
export const codexEntryFieldsSchema = codexEntryBodySchema.superRefine(checkEntryNames);
export type CodexEntryFields = z.output<typeof codexEntryFieldsSchema>;

export const codexCreateSchema = codexEntryBodySchema.extend({ storyId: idField }).superRefine(checkEntryNames);

/** A change of some fields, from the version the author started from (optimistic concurrency). */
export const codexUpdateSchema = z.object({
  entryId: idField,
  baseVersion: versionField,
  kind: kindField.optional(),
  name: nameField.optional(),
  aliases: aliasesField.optional(),
  description: descriptionField.optional(),
  appearance: appearanceField.optional(),
  activation: activationField.optional(),
});

export const codexSuggestionIdSchema = z.object({ suggestionId: idField });

export const codexDeleteSchema = z.object({ entryId: idField });

export const codexListSchema = z.object({
  storyId: idField,
  q: z.string().trim().max(200, "A search can be at most 200 characters.").optional(),
});

export const codexEntryIdSchema = z.object({ entryId: idField });
