/**
 * Limits shared by the server's validation and the browser's forms. Client-safe: no server imports, so client
 * components take their limits from here instead of re-declaring them. Text limits are also enforced by check
 * constraints in db/schema.ts; keep the two in step.
 */
export const limits = {
  titleMax: 200,
  descriptionMax: 5000,
  pageMax: 100_000,
  /** Characters of an AI instruction (Generate, Revise in background). */
  instructionMax: 500,
  /** Pages one background revision may cover. */
  backgroundPagesMax: 200,
  /** The story codex (DECISIONS.md, "Story memory"); db/memory-schema.ts checks the same numbers. */
  codexEntriesMax: 500,
  codexAliasesMax: 20,
  codexNameMax: 100,
  codexDescriptionMax: 2000,
  /** An entry's appearance (used in image prompts only). */
  codexAppearanceMax: 1000,
  /** Characters of a page's summary (the AI's, cut to fit, or the author's own). */
  summaryMax: 2000,
  /** Bytes of a manuscript to import (README states it); a .docx may unpack to at most importUnpackedMax bytes. */
  importFileMax: 10 * 1024 * 1024,
  importUnpackedMax: 60 * 1024 * 1024,
  /** Pages one import may create. */
  importPagesMax: 2000,
  /** Characters per page when splitting by length: the author's target, within these bounds. */
  importTargetMin: 500,
  importTargetDefault: 12_000,
  /** Takes asked for at once (Generate takes), and at most in one set with "another take". */
  takesMin: 2,
  takesMax: 4,
  takesDefault: 3,
  takesPerSetMax: 8,
} as const;

export const INSTRUCTION_MAX = limits.instructionMax;
export const BACKGROUND_PAGES_MAX = limits.backgroundPagesMax;
