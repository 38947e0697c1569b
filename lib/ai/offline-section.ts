/*
 * The offline model's answer to one section of a page revised section by section (prompts/page_revise_section):
 * the section's own text, revised in place — every paragraph, line break and indentation kept, so the sections join
 * back into the page as the author laid it out. Deterministic: the caller seeds `random` from the prompt.
 */
import { readInstruction, reviseText, SentenceMaker, storyWords } from "./offline-writer";

/** Recognises a section prompt (the marker line of page_revise_section). */
export const SECTION_PROMPT_MARKER = ">>> SECTION TO REVISE <<<";

function sectionText(prompt: string): string {
  const start = prompt.indexOf("\n<<<\n", prompt.indexOf(SECTION_PROMPT_MARKER));
  if (start < 0) return "";
  const from = start + "\n<<<\n".length;
  const end = prompt.indexOf("\n>>>", from);
  return prompt.slice(from, end < 0 ? undefined : end);
}

/** The story's words a section prompt carries: title, summary, the section and the context around it. */
function storyOf(prompt: string, body: string): string {
  const title = /^Story title: (.*)$/m.exec(prompt)?.[1] ?? "";
  const summary = /^Story summary: (.*)$/m.exec(prompt)?.[1] ?? "";
  const before = /already written \(context only: do not repeat it\):\n\[…\] (.*)/.exec(prompt)?.[1] ?? "";
  const after = /\(context only: do not include it\):\n(.*) \[…\]/.exec(prompt)?.[1] ?? "";
  return [title, summary, before, body, after].filter(Boolean).join("\n");
}

/**
 * The revised section, following the instruction as a whole page would (lib/ai/offline-writer.ts). The one-off
 * additions (a dialogue line, a mood line, a point of view) go into the first section only, so a page gets them
 * once however many sections it has.
 */
export function reviseSection(prompt: string, random: () => number): string {
  const body = sectionText(prompt);
  if (body.trim() === "") return body;
  const story = storyOf(prompt, body);
  const words = storyWords(story);
  // Read after the marker: the story memory before it quotes other pages, which may contain anything.
  const own = prompt.slice(Math.max(0, prompt.indexOf(SECTION_PROMPT_MARKER)));
  const asked = /The writer's instruction: (.*)/.exec(own)?.[1] ?? "";
  const instruction = readInstruction(asked, words.names, story);
  const maker = new SentenceMaker(words, random);
  maker.remember(story);
  const first = /This is section 1 of /.test(prompt);
  const revised = reviseText(body, instruction, maker, { first });
  return revised.trim() === "" ? body : revised;
}
