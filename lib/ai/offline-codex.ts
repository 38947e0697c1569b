/*
 * The offline model's answer to a codex_suggest prompt (prompts/codex_suggest.liquid): entries for the names the
 * pages repeat, built without any model. A name is a run of capitalised words; it counts when it appears at least
 * twice and at least once inside a sentence, so capitalised sentence openers ("Suddenly", "Later") are not names.
 * The description is taken from the sentences that mention it. Deterministic: same prompt, same answer.
 */

/** The marker line of the codex_suggest template that tells the offline model what is asked. */
const MARKER = "CODEX SUGGESTIONS";

export function isCodexSuggestPrompt(prompt: string): boolean {
  return prompt.includes(`\n${MARKER}\n`);
}

// Words that open sentences or are capitalised for other reasons; never a name, and dropped from a name's front.
const NOT_NAMES = new Set(
  `The A An And But Or If In On At Of To For With From By As It Its He She They We I You Her His Him Them Their Our My
  Your This That These Those There Here When Then Than What Who Why How Where Which While Once After Before Every Some
  Each All Any Not Nothing No Yes Only Just Even Still Yet So Now Later Soon Suddenly Perhaps Maybe Because Although
  Though Until Since During Over Under Above Below Into Out Up Down Off Again Also Both Either Neither Most Many Much
  Few Such One Two Three Four Five First Second Last Next Page Chapter Mr Mrs Ms Dr Sir Lady Lord Oh Ah Well Please
  Thank Thanks Good Hello Yesterday Today Tomorrow Tonight Morning Evening Night Let Do Did Does Don't Is Was Were Be
  Are Had Has Have Will Would Could Should Can May Might Must Shall`.split(/\s+/),
);

const PLACE_BEFORE = /\b(?:in|at|from|near|across|toward|towards|inside|outside|reached|left)\s+(?:the\s+)?$/i;

const PLACE_WORD =
  /\b(?:Point|Harbou?r|Street|Town|City|Castle|Hill|River|Lake|Forest|Wood|Island|Bay|Bridge|Tower|Hall|Inn|Road|Lane|Mountains?|Valley|Village|Port|Cove|Square|Abbey|Manor|Sea|Ocean)$/u;

function section(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  if (from < 0) return "";
  const to = text.indexOf(end, from + start.length);
  return text.slice(from + start.length, to < 0 ? undefined : to);
}

function sentencesOf(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.trim().split(/(?<=[.!?…]["”’»]?)\s+/))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const isCapitalised = (word: string) => /^\p{Lu}/u.test(word) && word.length >= 2 && !/^\p{Lu}+$/u.test(word);
const stripPossessive = (word: string) => word.replace(/['’]s$/u, "");

interface Occurrence {
  name: string;
  initial: boolean;
  sentence: string;
  before: string;
}

/** Runs of capitalised words (names of one or more words) in a sentence, without leading common words. */
function namesIn(sentence: string): Occurrence[] {
  const words = [...sentence.matchAll(/[\p{L}\p{M}][\p{L}\p{M}'’-]*/gu)];
  const found: Occurrence[] = [];
  let i = 0;
  while (i < words.length) {
    if (!isCapitalised(words[i]![0])) {
      i++;
      continue;
    }
    let j = i;
    // Extend while the next word is capitalised and only a space separates them.
    while (
      j + 1 < words.length &&
      isCapitalised(words[j + 1]![0]) &&
      /^ $/.test(sentence.slice(words[j]!.index + words[j]![0].length, words[j + 1]!.index)) &&
      !/['’]s$/u.test(words[j]![0])
    )
      j++;
    let start = i;
    while (start <= j && NOT_NAMES.has(stripPossessive(words[start]![0]))) start++;
    if (start <= j) {
      const parts = words.slice(start, j + 1).map((w) => w[0]);
      parts[parts.length - 1] = stripPossessive(parts[parts.length - 1]!);
      const name = parts.join(" ");
      if (!NOT_NAMES.has(name) && name.length >= 2)
        found.push({
          name,
          initial: start === 0,
          sentence,
          before: sentence.slice(0, words[start]!.index),
        });
    }
    i = j + 1;
  }
  return found;
}

interface OfflineEntry {
  kind: "character" | "place";
  name: string;
  aliases: string[];
  description: string;
}

const MAX_ENTRIES = 30;
const MAX_DESCRIPTION = 400;

export function offlineCodexSuggestions(prompt: string): string {
  const pagesText = section(prompt, "=== PAGES ===\n", "=== END OF PAGES ===")
    .split("\n")
    .filter((line) => !/^--- Page \d+/.test(line))
    .join("\n");
  const existing = new Map<string, string>();
  for (const line of section(prompt, "=== EXISTING ENTRIES ===\n", "=== END OF EXISTING ENTRIES ===").split("\n")) {
    const match = /^[a-z]+: (.+)$/.exec(line.trim());
    if (match) existing.set(match[1]!.toLocaleLowerCase(), match[1]!);
  }

  const byName = new Map<string, Occurrence[]>();
  for (const sentence of sentencesOf(pagesText)) {
    for (const occurrence of namesIn(sentence)) {
      const list = byName.get(occurrence.name) ?? [];
      list.push(occurrence);
      byName.set(occurrence.name, list);
    }
  }
  // A one-word name that is part of a longer name ("Mara" in "Mara Quinn") counts as that name, as its alias; with
  // several longer names, the most frequent one (then the first alphabetically) takes it.
  const multi = [...byName.entries()]
    .filter(([name]) => name.includes(" "))
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const aliasOf = new Map<string, string>();
  for (const [name] of byName) {
    if (name.includes(" ")) continue;
    const owner = multi.find(([m]) => m.split(" ").includes(name));
    if (owner) aliasOf.set(name, owner[0]);
  }

  const entries: (OfflineEntry & { count: number })[] = [];
  for (const [name, list] of byName) {
    if (aliasOf.has(name)) continue;
    const parts = [...aliasOf.entries()].filter(([, owner]) => owner === name).map(([alias]) => alias);
    const all = [...list, ...parts.flatMap((a) => byName.get(a) ?? [])];
    if (all.length < 2 || all.every((o) => o.initial)) continue;
    // Only the parts the pages use on their own are aliases.
    const aliases = parts.filter((a) => (byName.get(a) ?? []).length > 0).sort();
    const places = all.filter((o) => PLACE_BEFORE.test(o.before)).length;
    const sentences = [...new Set(all.map((o) => o.sentence))];
    let description = "";
    for (const sentence of sentences) {
      const next = description === "" ? sentence : `${description} ${sentence}`;
      if (next.length > MAX_DESCRIPTION) break;
      description = next;
      if (description.length > MAX_DESCRIPTION / 2) break;
    }
    if (description === "") description = sentences[0]!.slice(0, MAX_DESCRIPTION);
    entries.push({
      kind: PLACE_WORD.test(name) || places * 2 > all.length ? "place" : "character",
      name: existing.get(name.toLocaleLowerCase()) ?? name,
      aliases,
      description,
      count: all.length,
    });
  }
  entries.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const answer = entries.slice(0, MAX_ENTRIES).map(({ count: _count, ...entry }) => JSON.stringify(entry));
  return answer.length === 0 ? "[]" : `[\n${answer.join(",\n")}\n]`;
}
