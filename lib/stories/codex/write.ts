import { and, count, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import { codexEntries, codexNameKeys, type CodexEntry } from "@/db/memory-schema";
import { stories } from "@/db/schema";
import { codexEntryPromptText, countTokens, normalizeNameKey } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { limits } from "../limits";
import type { Tx } from "../pages";
import type { CodexEntryFields } from "./schema";
import { toCodexEntryView } from "./view";

/*
 * The writers of codex entries, without an actor (the callers check access): every write keeps codex_name_keys in step
 * with the entry's name and aliases in the same transaction, so the database's primary key on (story, name key) is
 * what refuses a name or alias used twice in a story, even by two requests at once.
 */

/** The name keys of an entry in field order (name first), each with the field it comes from. */
function keysOf(entry: Pick<CodexEntryFields, "name" | "aliases">): { key: string; field: string; text: string }[] {
  return [
    { key: normalizeNameKey(entry.name), field: "name", text: entry.name },
    ...entry.aliases.map((alias, i) => ({ key: normalizeNameKey(alias), field: `aliases.${i}`, text: alias })),
  ];
}

function tokensOf(entry: CodexEntryFields): number {
  return countTokens(codexEntryPromptText(entry));
}

/**
 * After the database refused a name key: which field clashed, and with which entry, as a VALIDATION error naming both.
 * Read after the failed transaction rolled back, so it sees the entry that holds the key.
 */
async function clashError(
  db: Db,
  storyId: string,
  entry: Pick<CodexEntryFields, "name" | "aliases">,
  selfId: string | null,
  cause: unknown,
): Promise<AppError> {
  const keys = keysOf(entry);
  const held = await db
    .select({ key: codexNameKeys.nameKey, id: codexEntries.id, name: codexEntries.name })
    .from(codexNameKeys)
    .innerJoin(codexEntries, eq(codexEntries.id, codexNameKeys.entryId))
    .where(
      and(
        eq(codexNameKeys.storyId, storyId),
        inArray(
          codexNameKeys.nameKey,
          keys.map((k) => k.key),
        ),
        selfId ? ne(codexNameKeys.entryId, selfId) : undefined,
      ),
    );
  const byKey = new Map(held.map((h) => [h.key, h]));
  const clash = keys.find((k) => byKey.has(k.key));
  if (!clash) {
    // The entry holding it was changed or deleted in between: nothing to name, and nothing was saved.
    return new AppError("CONFLICT", "The codex changed meanwhile. Nothing was saved; please try again.", undefined, {
      cause,
    });
  }
  const other = byKey.get(clash.key)!;
  const isItsName = normalizeNameKey(other.name) === clash.key;
  const message = isItsName
    ? `“${clash.text}” is already the name of another entry.`
    : `“${clash.text}” is already an alias of “${other.name}”.`;
  return new AppError(
    "VALIDATION",
    message,
    { fields: { [clash.field]: message }, clashingEntry: { id: other.id, name: other.name } },
    { cause },
  );
}

/** Locks the story's codex for this transaction: writers of one story's codex take turns (the entry limit holds). */
async function lockCodex(tx: Tx, storyId: string): Promise<void> {
  await tx.select({ id: stories.id }).from(stories).where(eq(stories.id, storyId)).for("update");
}

async function insertKeys(tx: Tx, storyId: string, entryId: string, entry: CodexEntryFields): Promise<void> {
  await tx.insert(codexNameKeys).values(keysOf(entry).map((k) => ({ storyId, nameKey: k.key, entryId })));
}

/** Runs in the entry's transaction after the write (accepting a suggestion marks it there): throwing undoes both. */
export type AlsoInTx = (tx: Tx, row: CodexEntry) => Promise<void>;

export async function insertCodexEntry(
  db: Db,
  storyId: string,
  entry: CodexEntryFields,
  also?: AlsoInTx,
): Promise<CodexEntry> {
  try {
    return await db.transaction(async (tx) => {
      await lockCodex(tx, storyId);
      const [{ n } = { n: 0 }] = await tx
        .select({ n: count() })
        .from(codexEntries)
        .where(eq(codexEntries.storyId, storyId));
      if (Number(n) >= limits.codexEntriesMax) {
        const message = `A story's codex can hold at most ${limits.codexEntriesMax} entries. Delete one before adding another. Nothing was saved.`;
        throw new AppError("VALIDATION", message, { limit: limits.codexEntriesMax, fields: { input: message } });
      }
      const [row] = await tx
        .insert(codexEntries)
        .values({ storyId, ...entry, tokenCount: tokensOf(entry) })
        .returning();
      await insertKeys(tx, storyId, row!.id, entry);
      await also?.(tx, row!);
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw await clashError(db, storyId, entry, null, error);
    throw error;
  }
}

/**
 * Replaces an entry's fields if nobody changed it since `baseVersion`; otherwise CONFLICT with the entry as it is
 * now (`details.entry`), so the author can compare before trying again.
 */
export async function updateCodexEntryRow(
  db: Db,
  current: CodexEntry,
  baseVersion: number,
  entry: CodexEntryFields,
  also?: AlsoInTx,
): Promise<CodexEntry> {
  try {
    return await db.transaction(async (tx) => {
      await lockCodex(tx, current.storyId);
      const [row] = await tx
        .update(codexEntries)
        .set({ ...entry, tokenCount: tokensOf(entry), version: baseVersion + 1, updatedAt: new Date() })
        .where(and(eq(codexEntries.id, current.id), eq(codexEntries.version, baseVersion)))
        .returning();
      if (!row) {
        const [now] = await tx.select().from(codexEntries).where(eq(codexEntries.id, current.id)).limit(1);
        if (!now) throw new AppError("NOT_FOUND", "We couldn't find that codex entry. It may have been deleted.");
        throw new AppError(
          "CONFLICT",
          "This entry was changed somewhere else since you started editing. Your changes were not saved.",
          { entry: toCodexEntryView(now) },
        );
      }
      await tx.delete(codexNameKeys).where(eq(codexNameKeys.entryId, row.id));
      await insertKeys(tx, row.storyId, row.id, entry);
      await also?.(tx, row);
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw await clashError(db, current.storyId, entry, current.id, error);
    throw error;
  }
}
