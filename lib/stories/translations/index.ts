/**
 * Translations: a translation is a story of its own, linked to its source in one language (db/translations-schema.ts).
 * Translate story creates it and runs `story.translate`, a fan-out of one `page.translate` job per stale page
 * (./plan.ts), each landing in its page or, when the page was edited by hand, as a suggestion (./land.ts). Update
 * translation mirrors the source's pages (./sync.ts) and re-translates only the stale ones.
 */
export { translateStory, updateTranslation, type TranslationOutcome } from "./request";
export {
  cancelTranslation,
  getTranslationPair,
  listTranslations,
  type StoryTranslations,
  type TranslationPair,
} from "./read";
export { setCodexNameTranslation } from "./glossary";
export type { TranslationRunView, TranslationView } from "./view";
