import { z } from "zod";
import { codexKinds, type CodexKind } from "@/db/memory-schema";
import { GenerationError } from "@/lib/ai";
import { limits } from "../../limits";

/*
 * The model's answer to codex_suggest: a JSON array of {kind, name, aliases, description}. The answer as a whole must
 * have that shape (otherwise the batch fails with GEN_MALFORMED_OUTPUT); within it, each entry is taken as far as it
 * is usable (an unknown kind is "other", texts are cut to the limits, entries without a name are dropped), since a
 * model that found nine good entries and one odd one should not lose the nine.
 */

export interface SuggestedEntry {
  kind: CodexKind;
  name: string;
  aliases: string[];
  description: string;
}

const cut = (max: number) => (text: string) => text.replace(/\s+/g, " ").trim().slice(0, max).trim();

const itemSchema = z.object({
  kind: z
    .string()
    .optional()
    .transform((kind): CodexKind => {
      const k = kind?.trim().toLowerCase();
      return (codexKinds as readonly string[]).includes(k ?? "") ? (k as CodexKind) : "other";
    }),
  name: z.string().transform(cut(limits.codexNameMax)),
  aliases: z
    .array(z.unknown())
    .optional()
    .transform((aliases) =>
      (aliases ?? [])
        .filter((a): a is string => typeof a === "string")
        .map(cut(limits.codexNameMax))
        .filter((a) => a !== ""),
    ),
  description: z
    .string()
    .nullish()
    .transform((d) => cut(limits.codexDescriptionMax)(d ?? "")),
});

const answerSchema = z.array(z.unknown());

function malformed(detail: string): GenerationError {
  return new GenerationError("GEN_MALFORMED_OUTPUT", `codex suggestions: ${detail}`, false);
}

/** The JSON in an answer: a bare array, one inside a ```json fence, an {"entries": [...]} object, or JSON lines. */
function jsonOf(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const body = (fenced ? fenced[1]! : text).trim();
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && "entries" in parsed)
      return (parsed as { entries: unknown }).entries;
    return parsed;
  } catch {
    const lines = body.split("\n").filter((line) => line.trim() !== "");
    try {
      return lines.map((line) => JSON.parse(line) as unknown);
    } catch {
      throw malformed(`the answer is not JSON (starts with ${JSON.stringify(body.slice(0, 60))})`);
    }
  }
}

/** Parses an answer; throws GEN_MALFORMED_OUTPUT when it is not an array of entries. */
export function parseSuggestAnswer(text: string): SuggestedEntry[] {
  const parsed = answerSchema.safeParse(jsonOf(text));
  if (!parsed.success) throw malformed("the answer is not a JSON array of entries");
  const entries: SuggestedEntry[] = [];
  for (const [i, item] of parsed.data.entries()) {
    if (item === null || typeof item !== "object" || Array.isArray(item))
      throw malformed(`element ${i} is not an object`);
    const entry = itemSchema.safeParse(item);
    if (entry.success && entry.data.name !== "") entries.push(entry.data);
  }
  return entries;
}
