/*
 * The offline model's answer to a page summary prompt (prompts/page_summary.liquid): an extractive summary, the
 * page's key sentences in their order, so that story memory works with no model configured. Deterministic: the same
 * page always gives the same summary.
 */

/** What the summary prompt says about the page it carries; the offline model dispatches on it. */
export const SUMMARY_PROMPT_MARKER = "PAGE TO SUMMARIZE";

export const EXTRACTIVE_MAX_SENTENCES = 3;
export const EXTRACTIVE_MAX_CHARS = 2000;

const STOPWORDS = new Set(
  "about above after again against also among another around because been before being below between both came come could does doing down during each even ever every from further had has have having here hers herself himself into itself just like made make many more most much must myself never next once only other ought over own same says said shall should some still such than that their theirs them themselves then there these they this those though through under until upon very want was were what when where which while whom whose will with within without would your yours yourself".split(
    " ",
  ),
);

/** Sentences of a text, whitespace collapsed; a text without end punctuation is one sentence. */
export function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?…。！？]["”’»)]?)\s+/u)
    .filter((s) => s.length > 0);
}

function contentWords(sentence: string): string[] {
  return (sentence.toLowerCase().match(/\p{L}[\p{L}'’-]*/gu) ?? []).filter((w) => w.length >= 4 && !STOPWORDS.has(w));
}

/** Cuts a text to `max` characters at a word boundary, marking the cut. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  const space = room.lastIndexOf(" ");
  return `${(space > max / 2 ? room.slice(0, space) : room).trimEnd()}…`;
}

/**
 * The page's key sentences: each sentence scores the page-wide frequency of its content words (per word, so long
 * sentences do not win by length alone), the opening sentence (which usually sets the scene) gets a bonus, and the
 * best ones are kept in page order, at most `EXTRACTIVE_MAX_SENTENCES` and `EXTRACTIVE_MAX_CHARS` characters.
 */
export function extractiveSummary(text: string): string {
  const sentences = splitSentences(text);
  if (sentences.length === 0) return "";
  const frequency = new Map<string, number>();
  for (const sentence of sentences)
    for (const word of contentWords(sentence)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const scored = sentences.map((sentence, index) => {
    const words = contentWords(sentence);
    const weight = words.reduce((sum, w) => sum + (frequency.get(w) ?? 0), 0);
    const score = (words.length === 0 ? 0 : weight / Math.sqrt(words.length)) + (index === 0 ? 1 : 0);
    return { sentence, index, score };
  });
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.index - b.index);
  const chosen: typeof scored = [];
  let length = 0;
  for (const candidate of ranked) {
    if (chosen.length === EXTRACTIVE_MAX_SENTENCES) break;
    const added = candidate.sentence.length + (chosen.length > 0 ? 1 : 0);
    if (length + added > EXTRACTIVE_MAX_CHARS) continue;
    chosen.push(candidate);
    length += added;
  }
  // Only a single sentence longer than the limit gets here empty: its beginning stands for it.
  if (chosen.length === 0) return cutAtWord(ranked[0]!.sentence, EXTRACTIVE_MAX_CHARS);
  return chosen
    .sort((a, b) => a.index - b.index)
    .map((c) => c.sentence)
    .join(" ");
}

/** The page text a summary prompt carries: between `<<<` and `>>>` after the marker. */
function pageOfPrompt(prompt: string): string {
  const marker = prompt.indexOf(SUMMARY_PROMPT_MARKER);
  const from = prompt.indexOf("<<<\n", Math.max(marker, 0));
  if (from < 0) return "";
  const to = prompt.lastIndexOf("\n>>>");
  return prompt.slice(from + 4, to > from ? to : undefined);
}

export function isSummaryPrompt(prompt: string): boolean {
  return prompt.includes(SUMMARY_PROMPT_MARKER);
}

export function offlineSummary(prompt: string): string {
  return extractiveSummary(pageOfPrompt(prompt)) || "The page is blank.";
}

/** What the roll-up prompt says about the summaries it carries (prompts/story_rollup.liquid). */
export const ROLLUP_PROMPT_MARKER = "SUMMARIES TO ROLL UP";

export function isRollupPrompt(prompt: string): boolean {
  return prompt.includes(ROLLUP_PROMPT_MARKER);
}

/**
 * The offline model's roll-up: the key sentences of the children's summaries (their "Pages a–b:" labels taken off),
 * chosen as a page summary's are. Deterministic, so a run's roll-up is the same for the same summaries.
 */
export function offlineRollup(prompt: string): string {
  const marker = prompt.indexOf(ROLLUP_PROMPT_MARKER);
  const from = prompt.indexOf("<<<\n", Math.max(marker, 0));
  const to = prompt.lastIndexOf("\n>>>");
  const body = from < 0 ? "" : prompt.slice(from + 4, to > from ? to : undefined);
  const text = body
    .split("\n")
    .map((line) => line.replace(/^Pages? \d+(?:–\d+)?: /u, "").trim())
    .filter((line) => line !== "" && line !== "(blank page)")
    .join(" ");
  return extractiveSummary(text) || "Nothing happens in these pages.";
}
