import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { storyRollups, type StoryRollup } from "@/db/memory-schema";
import {
  rollupBlocks,
  rollupFingerprints,
  rollupKey,
  type RollupBlock,
  type RollupChildInput,
  type StoredRollupInput,
} from "@/lib/ai";

/*
 * Where a story's roll-ups stand. The fingerprints are recomputed from the summaries as they are now, whenever they
 * are needed (a prompt, the scheduler, a landing): a roll-up is fresh only while the summaries under it are those it
 * was written from, so nothing has to mark roll-ups stale when a summary changes.
 */

/** A page as roll-ups see it: its summary's text; a blank page counts as summarised (there is nothing to say). */
export function rollupChildren(
  ordered: readonly { id: string; content: string }[],
  summaryText: (pageId: string) => string | undefined,
): RollupChildInput[] {
  return ordered.map((p) => ({
    id: p.id,
    summary: summaryText(p.id) ?? (p.content.trim() === "" ? "" : null),
  }));
}

export async function storedRollupsOf(db: Db, storyId: string): Promise<Map<string, StoryRollup>> {
  const rows = await db.select().from(storyRollups).where(eq(storyRollups.storyId, storyId));
  return new Map(rows.map((r) => [rollupKey(r.start, r.size), r]));
}

export type RollupState = "fresh" | "stale" | "missing" | "waiting";

export interface RollupRun extends RollupBlock {
  /** The run's fingerprint now; null while a page under it has no summary. */
  fingerprint: string | null;
  stored: StoryRollup | undefined;
  /** `waiting`: not writable yet (a page without a summary, or a half without a fresh roll-up). */
  state: RollupState;
}

/** Every run of the story with its state, bottom-up. */
export function rollupRuns(children: readonly RollupChildInput[], stored: ReadonlyMap<string, StoryRollup>) {
  const fingerprints = rollupFingerprints(children);
  const runs: RollupRun[] = [];
  const fresh = new Set<string>();
  for (const block of rollupBlocks(children.length)) {
    const key = rollupKey(block.start, block.size);
    const fingerprint = fingerprints.get(key) ?? null;
    const row = stored.get(key);
    let state: RollupState;
    if (fingerprint === null) state = "waiting";
    else if (row?.sourceHash === fingerprint) state = "fresh";
    else if (
      block.level > 1 &&
      !(
        fresh.has(rollupKey(block.start, block.size / 2)) &&
        fresh.has(rollupKey(block.start + block.size / 2, block.size / 2))
      )
    )
      state = "waiting";
    else state = row ? "stale" : "missing";
    if (state === "fresh") fresh.add(key);
    runs.push({ ...block, fingerprint, stored: row, state });
  }
  return runs;
}

/** The stored roll-ups a prompt may use: those still fresh, as the assembly takes them (1-based page ranges). */
export function freshRollupInputs(
  children: readonly RollupChildInput[],
  stored: ReadonlyMap<string, StoryRollup>,
): StoredRollupInput[] {
  if (stored.size === 0) return [];
  return rollupRuns(children, stored)
    .filter((r) => r.state === "fresh")
    .map((r) => ({ from: r.start + 1, to: r.start + r.size, text: r.stored!.text, tokenCount: r.stored!.tokenCount }));
}
