import { createHash } from "node:crypto";

/*
 * Stored roll-ups: AI summaries of runs of consecutive pages, written in the background and reused by every prompt
 * (DECISIONS.md "Story memory"). Their runs are fixed by page position alone so that the same roll-up serves every
 * request: a level-1 roll-up covers an aligned run of ROLLUP_BASE_PAGES pages and is written from their summaries; a
 * level-L roll-up covers an aligned run twice as long and is written from its two halves' roll-ups. The sizes are the
 * powers of two the assembly splits at (assemble.ts splitPoint), so every full aligned node of 8 pages or more that
 * the assembly keeps as a roll-up can be a stored one. Only full runs exist: the pages past the last full run of a
 * level keep the stand-in.
 */

/** Pages under one level-1 roll-up. Smaller runs sit next to the target, where the budget gives page summaries. */
export const ROLLUP_BASE_PAGES = 8;

/** One stored roll-up's run: pages [start, start + size) (0-based), at `level` (size = 8 · 2^(level-1)). */
export interface RollupBlock {
  start: number;
  size: number;
  level: number;
}

/** Every full aligned run of a document of `pageCount` pages, bottom-up (level, then position). */
export function rollupBlocks(pageCount: number): RollupBlock[] {
  const blocks: RollupBlock[] = [];
  for (let size = ROLLUP_BASE_PAGES, level = 1; size <= pageCount; size *= 2, level++) {
    for (let start = 0; start + size <= pageCount; start += size) blocks.push({ start, size, level });
  }
  return blocks;
}

export function rollupKey(start: number, size: number): string {
  return `${start}:${size}`;
}

/** A page as a roll-up sees it: its summary text, "" for a blank page, null when it has none yet (not ready). */
export interface RollupChildInput {
  id: string;
  summary: string | null;
}

/**
 * Source fingerprints of every run: a level-1 run hashes its pages' ids and summaries in order, a higher run hashes
 * its halves' fingerprints, so a run's fingerprint changes when any summary under it changes, a page moves in or out
 * of it, or the order changes. Null for a run with a page not summarised yet. A roll-up is fresh only when the
 * fingerprint it was written from equals its run's current one.
 */
export function rollupFingerprints(pages: readonly RollupChildInput[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const block of rollupBlocks(pages.length)) {
    let fingerprint: string | null;
    if (block.level === 1) {
      const run = pages.slice(block.start, block.start + block.size);
      if (run.some((p) => p.summary === null)) fingerprint = null;
      else {
        const hash = createHash("sha256").update("rollup-v1");
        for (const p of run) hash.update(`\u0000${p.id}\u0000${p.summary}`);
        fingerprint = hash.digest("hex");
      }
    } else {
      const half = block.size / 2;
      const left = out.get(rollupKey(block.start, half));
      const right = out.get(rollupKey(block.start + half, half));
      fingerprint = left && right ? createHash("sha256").update(`${left}|${right}`).digest("hex") : null;
    }
    out.set(rollupKey(block.start, block.size), fingerprint);
  }
  return out;
}

/**
 * The job ledger's target id of a story's run: a UUID derived from the story and the run, so that "one active job
 * per target" holds per run without a row existing before its first roll-up.
 */
export function rollupTargetId(storyId: string, start: number, size: number): string {
  const hex = createHash("sha256").update(`rollup:${storyId}:${start}:${size}`).digest("hex");
  // Shaped as a version-8 (custom) UUID with the RFC 9562 variant, so PostgreSQL's uuid type takes it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
