/** What a translation run's parent job records: the translation's pages to translate; the fan-out adds `skipped`. */
export interface TranslationParentPayload {
  pageIds: string[];
  sourceStoryId: string;
  language: string;
  skipped?: { targetId: string; reason: string }[];
}

/** Why a page of the run got no job: its source page was deleted or blanked, it was already current, or too long. */
export type TranslationSkipReason = "deleted" | "blank" | "current" | "too-long" | "busy";

/** What a page's translation job records besides its sections: which source page and version it translates. */
export interface PageTranslationPayload {
  sourcePageId: string;
  sourceVersion: number;
}
