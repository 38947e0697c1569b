/*
 * The offline model's answer to one section of a page translation (prompts/page_translate): a labelled, deterministic
 * stand-in, not a translation. Proper names stay as they are (or become the glossary's translated names) and every
 * other word is spelled backwards, so a reader sees at once which text "was translated" and that no real model did
 * it; whitespace, punctuation and paragraph breaks are kept, and the length with them (a page near the limit still
 * fits once "translated"). The label opens the page once: in its first section only.
 */

/** Recognises a translation prompt (the marker line of page_translate). */
export const TRANSLATE_PROMPT_MARKER = ">>> SECTION TO TRANSLATE <<<";

export function isTranslatePrompt(prompt: string): boolean {
  return prompt.includes(TRANSLATE_PROMPT_MARKER);
}

/** The label the stand-in translation starts with, naming the target language's code. */
export function offlineTranslationLabel(language: string): string {
  return `[offline translation → ${language}]`;
}

function sectionText(prompt: string): string {
  const start = prompt.indexOf("\n<<<\n", prompt.indexOf(TRANSLATE_PROMPT_MARKER));
  if (start < 0) return "";
  const from = start + "\n<<<\n".length;
  const end = prompt.lastIndexOf("\n>>>");
  return prompt.slice(from, end < from ? undefined : end);
}

/** The glossary's lines ("- Name (also A, B) => Translated"), before the marker: names and their translations. */
function glossaryOf(prompt: string): Map<string, string> {
  const head = prompt.slice(0, prompt.indexOf(TRANSLATE_PROMPT_MARKER));
  const glossary = new Map<string, string>();
  for (const match of head.matchAll(/^- (.+?)(?: \(also (.+?)\))? => (.+)$/gm)) {
    const translated = match[3]!.trim();
    glossary.set(match[1]!.trim(), translated);
    for (const alias of (match[2] ?? "").split(",")) if (alias.trim() !== "") glossary.set(alias.trim(), translated);
  }
  return glossary;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function offlineTranslation(prompt: string): string {
  const body = sectionText(prompt);
  const language = /\(language code "([^"]+)"\)\. Page/.exec(prompt)?.[1] ?? "?";
  const glossary = glossaryOf(prompt);
  // Glossary names first (longest first, whole words), kept out of the word pass by private-use placeholders.
  const names = [...glossary.keys()].sort((a, b) => b.length - a.length);
  const kept: string[] = [];
  let text = body;
  if (names.length > 0) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}])`, "gu");
    text = text.replace(pattern, (name) => {
      kept.push(glossary.get(name) ?? name);
      return `\uE000${kept.length - 1}\uE001`;
    });
  }
  text = text.replace(/\p{L}+/gu, (word) => (/^\p{Lu}/u.test(word) ? word : [...word].reverse().join("")));
  text = text.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => kept[Number(i)]!);
  const first = /This is section 1 of /.test(prompt);
  return first ? `${offlineTranslationLabel(language)} ${text.trimStart()}` : text;
}
