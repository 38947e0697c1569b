/*
 * The offline model's answer to one section of a page revised section by section (prompts/page_revise_section):
 * the section's own text, revised in place — every paragraph, line break and indentation kept, so the sections join
 * back into the page as the author laid it out. Deterministic: the caller seeds `random` from the prompt.
 */

/** Recognises a section prompt (the marker line of page_revise_section). */
export const SECTION_PROMPT_MARKER = ">>> SECTION TO REVISE <<<";

const SWAPS: [RegExp, string][] = [
  [/\bvery\b/g, "deeply"],
  [/\bsaid\b/g, "murmured"],
  [/\blooked\b/g, "gazed"],
  [/\bwalked\b/g, "made her way"],
  [/\bbig\b/g, "vast"],
  [/\bsmall\b/g, "slight"],
];

function sectionText(prompt: string): string {
  const start = prompt.indexOf("\n<<<\n", prompt.indexOf(SECTION_PROMPT_MARKER));
  if (start < 0) return "";
  const from = start + "\n<<<\n".length;
  const end = prompt.indexOf("\n>>>", from);
  return prompt.slice(from, end < 0 ? undefined : end);
}

/** A line's sentences, each with the whitespace after it, so that keeping them all gives the line back. */
function sentencesOf(line: string): string[] {
  return line.split(/(?<=[.!?…]["”’)]?\s+)/).filter((s) => s !== "");
}

function reviseLine(line: string, shorter: boolean): string {
  const indent = /^\s*/.exec(line)![0];
  let parts = sentencesOf(line.slice(indent.length));
  if (shorter && parts.length > 1) parts = parts.filter((_s, i) => i % 2 === 0 || i === parts.length - 1);
  const text = parts.join("").trimEnd();
  return indent + SWAPS.reduce((revised, [from, to]) => revised.replace(from, to), text);
}

/**
 * The revised section: each line's sentences with a few word swaps (every other sentence dropped when the
 * instruction asks for shorter text). The first section also gains the one line the instruction's mood asks for, so
 * a page gets it once however many sections it has.
 */
export function reviseSection(prompt: string, random: () => number): string {
  const body = sectionText(prompt);
  // Read after the marker: the story memory before it quotes other pages, which may contain anything.
  const own = prompt.slice(Math.max(0, prompt.indexOf(SECTION_PROMPT_MARKER)));
  const instruction = (/The writer's instruction: (.*)/.exec(own)?.[1] ?? "").toLowerCase();
  const first = /This is section 1 of /.test(prompt);
  const shorter = /short|half|concise|trim|tight/.test(instruction);
  // Line breaks (and the blank lines between paragraphs) are kept as they are; only the lines' words change.
  let revised = body
    .split(/(\n\s*)/)
    .map((piece, i) => (i % 2 === 1 ? piece : reviseLine(piece, shorter)))
    .join("");
  if (first && !shorter) {
    const line = /dark|grim|ominous/.test(instruction)
      ? "Somewhere beneath it all, something old and cold was paying attention."
      : /light|funny|hopeful|warm/.test(instruction)
        ? "For the first time in days, she almost laughed."
        : instruction
          ? ["Nothing about it was simple any more.", "She let the moment settle before moving on."][
              Math.floor(random() * 2)
            ]!
          : "For a moment everything was quiet.";
    // After the first paragraph's first sentence, inside that paragraph, so no paragraph is added.
    revised = revised.replace(/^(\s*[^\n]*?[.!?…]["”’)]?)(\s|$)/, (_m, sentence: string, space: string) =>
      space === "" ? `${sentence} ${line}` : `${sentence} ${line}${space}`,
    );
  }
  return revised.trim() === "" ? body : revised;
}
