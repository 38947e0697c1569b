import { limits } from "../limits";

/*
 * What a stored summary looks like, whoever wrote it: 1 to 3 sentences, at most SUMMARY_MAX characters (the database
 * refuses more; the browser's editor counts with the same limit from lib/stories/limits.ts).
 */

export const SUMMARY_MAX = limits.summaryMax;
export const SUMMARY_MAX_SENTENCES = 3;

function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?…。！？]["”’»)]?)\s+/u)
    .filter((s) => s.length > 0);
}

/**
 * A model's answer as a summary: whitespace collapsed, a leading "Summary:" label or wrapping quotes dropped, the
 * first three sentences kept, and cut at a word boundary (marked "…") when still over the limit. Empty when nothing
 * usable is left.
 */
export function normalizeAiSummary(answer: string, maxSentences = SUMMARY_MAX_SENTENCES): string {
  const unlabelled = answer
    .trim()
    .replace(/^(?:summary|résumé|resumen)\s*:\s*/i, "")
    .replace(/^["“«](.*)["”»]$/s, "$1");
  const kept = sentencesOf(unlabelled).slice(0, maxSentences).join(" ");
  if (kept.length <= SUMMARY_MAX) return kept;
  const room = kept.slice(0, SUMMARY_MAX - 1);
  const space = room.lastIndexOf(" ");
  return `${(space > SUMMARY_MAX / 2 ? room.slice(0, space) : room).trimEnd()}…`;
}
