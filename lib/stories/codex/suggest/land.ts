import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { codexEntries, codexNameKeys, codexSuggestions, type CodexSuggestion } from "@/db/memory-schema";
import { stories } from "@/db/schema";
import { normalizeNameKey } from "@/lib/ai";
import { limits } from "../../limits";
import { parseSuggestAnswer, type SuggestedEntry } from "./answer";

/*
 * Landing of one batch of Suggest entries: its proposals become open codex suggestions, never codex entries. Batches
 * of one run (and runs before it) that propose the same name are merged into one suggestion; a name the codex already
 * has becomes a proposed update of that entry, kept only when it adds something. Aliases that another entry already
 * uses are dropped here, so that accepting a suggestion does not fail on them.
 */

const fold = (text: string) => text.normalize("NFKC").toLocaleLowerCase();

/** Appends `extra` to `text` unless it is already there, within the description limit. */
function addDescription(text: string, extra: string): string {
  const add = extra.trim();
  if (add === "" || fold(text).includes(fold(add))) return text;
  const joined = text.trim() === "" ? add : `${text.trim()} ${add}`;
  return joined.slice(0, limits.codexDescriptionMax).trim();
}

/** `base` plus the aliases of `extra` not already among its keys (nor in `taken`), within the alias limit. */
function addAliases(base: readonly string[], extra: readonly string[], keys: Set<string>): string[] {
  const result = [...base];
  for (const alias of extra) {
    const key = normalizeNameKey(alias);
    if (key === "" || keys.has(key) || result.length >= limits.codexAliasesMax) continue;
    keys.add(key);
    result.push(alias);
  }
  return result;
}

export async function landCodexSuggestions(job: AiJob): Promise<string> {
  if (job.status !== "succeeded" || job.outputText === null || job.scopeId === null) return "skipped";
  let proposed: SuggestedEntry[];
  try {
    proposed = parseSuggestAnswer(job.outputText);
  } catch {
    // The answer passed the same check before it was stored; nothing usable to land.
    return "skipped";
  }
  const storyId = job.scopeId;
  const runId = job.parentJobId ?? job.id;
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Landings of one story take turns (sibling batches merge into the same rows), and a repeated landing of this job
    // finds it landed.
    const [story] = await tx.select({ id: stories.id }).from(stories).where(eq(stories.id, storyId)).for("update");
    if (!story) return "skipped";
    const [fresh] = await tx.select({ landedAt: aiJobs.landedAt }).from(aiJobs).where(eq(aiJobs.id, job.id));
    if (!fresh || fresh.landedAt !== null) return "skipped";
    // A batch whose answer came in just before the author cancelled the run proposes nothing: cancel means no new
    // suggestions appear afterwards. The run's row is locked so that a cancel either waits for this landing (which
    // then came first) or is seen by it.
    if (job.parentJobId) {
      const [run] = await tx
        .select({ status: aiJobs.status })
        .from(aiJobs)
        .where(eq(aiJobs.id, job.parentJobId))
        .for("update");
      if (run?.status === "cancelled") return "cancelled";
    }

    const keyRows = await tx
      .select({ key: codexNameKeys.nameKey, entryId: codexNameKeys.entryId })
      .from(codexNameKeys)
      .where(eq(codexNameKeys.storyId, storyId));
    const entryOfKey = new Map(keyRows.map((r) => [r.key, r.entryId]));
    const entries = new Map(
      (await tx.select().from(codexEntries).where(eq(codexEntries.storyId, storyId))).map((e) => [e.id, e]),
    );
    const open = await tx
      .select()
      .from(codexSuggestions)
      .where(and(eq(codexSuggestions.storyId, storyId), eq(codexSuggestions.status, "open")));
    // What the author already turned down is not proposed again: a new entry by its name, an update by what it said.
    const rejected = await tx
      .select()
      .from(codexSuggestions)
      .where(and(eq(codexSuggestions.storyId, storyId), eq(codexSuggestions.status, "rejected")));
    const rejectedNames = new Set(rejected.filter((s) => !s.entryId).map((s) => normalizeNameKey(s.name)));
    // For an update: what a rejected update of the entry said counts as known, so it is not proposed again.
    const rejectedOf = (entryId: string) => rejected.filter((s) => s.entryId === entryId);
    const openByEntry = new Map(open.filter((s) => s.entryId).map((s) => [s.entryId!, s]));
    const openByName = new Map(open.filter((s) => !s.entryId).map((s) => [normalizeNameKey(s.name), s]));

    let written = 0;
    const save = async (
      existing: CodexSuggestion | undefined,
      values: Pick<CodexSuggestion, "kind" | "name" | "aliases" | "description" | "entryId">,
    ) => {
      if (existing) {
        if (
          existing.description === values.description &&
          existing.aliases.length === values.aliases.length &&
          existing.aliases.every((a, i) => a === values.aliases[i])
        )
          return existing;
        const [row] = await tx
          .update(codexSuggestions)
          .set({ aliases: values.aliases, description: values.description })
          .where(eq(codexSuggestions.id, existing.id))
          .returning();
        written += 1;
        return row!;
      }
      const [row] = await tx
        .insert(codexSuggestions)
        .values({ storyId, jobId: runId, status: "open", ...values })
        .returning();
      written += 1;
      return row!;
    };

    for (const item of proposed) {
      const nameKey = normalizeNameKey(item.name);
      const entryId = entryOfKey.get(nameKey);
      const entry = entryId ? entries.get(entryId) : undefined;
      if (entry) {
        // An update of an existing entry: its aliases plus new ones no entry uses, its description plus what is new.
        const current = openByEntry.get(entry.id);
        const base = current ?? { aliases: entry.aliases, description: entry.description };
        const turnedDown = rejectedOf(entry.id);
        const keys = new Set([
          normalizeNameKey(entry.name),
          ...base.aliases.map(normalizeNameKey),
          ...entryOfKey.keys(),
          ...turnedDown.flatMap((r) => r.aliases.map(normalizeNameKey)),
        ]);
        const aliases = addAliases(base.aliases, item.aliases, keys);
        const seenBefore = turnedDown.some((r) => fold(r.description).includes(fold(item.description.trim())));
        const description = seenBefore ? base.description : addDescription(base.description, item.description);
        if (!current && aliases.length === entry.aliases.length && description === entry.description) continue;
        const row = await save(current, {
          kind: entry.kind,
          name: entry.name,
          aliases,
          description,
          entryId: entry.id,
        });
        openByEntry.set(entry.id, row);
        continue;
      }
      const current = openByName.get(nameKey);
      if (!current && rejectedNames.has(nameKey)) continue;
      const base = current ?? { aliases: [], description: "" };
      const keys = new Set([nameKey, ...base.aliases.map(normalizeNameKey), ...entryOfKey.keys()]);
      const aliases = addAliases(base.aliases, item.aliases, keys);
      const description = addDescription(base.description, item.description);
      const row = await save(current, {
        kind: current?.kind ?? item.kind,
        name: current?.name ?? item.name,
        aliases,
        description,
        entryId: null,
      });
      openByName.set(nameKey, row);
    }

    await tx
      .update(aiJobs)
      .set({ landedAt: new Date() })
      .where(and(eq(aiJobs.id, job.id), isNull(aiJobs.landedAt)));
    return written === 0 ? "nothing-new" : `suggested:${written}`;
  });
}
