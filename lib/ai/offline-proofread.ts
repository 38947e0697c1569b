/*
 * The offline model's answer to a proofreading prompt (prompts/page_proofread, the second step of "Revise, then
 * proofread"): mechanical corrections only, deterministic, so a reader sees the step did something and that no real
 * model did it. Runs of spaces inside a line become one (indentation stays), no space before , . ; : ! ? and one after a comma, and a
 * sentence starts with a capital letter. Line and paragraph breaks are kept.
 */

/** Recognises a proofreading prompt (the marker line of page_proofread). */
export const PROOFREAD_PROMPT_MARKER = ">>> TEXT TO PROOFREAD <<<";

export function isProofreadPrompt(prompt: string): boolean {
  return prompt.includes(PROOFREAD_PROMPT_MARKER);
}

function textToProofread(prompt: string): string {
  const start = prompt.indexOf("\n<<<\n", prompt.indexOf(PROOFREAD_PROMPT_MARKER));
  if (start < 0) return "";
  const from = start + "\n<<<\n".length;
  const end = prompt.lastIndexOf("\n>>>");
  return prompt.slice(from, end < from ? undefined : end);
}

export function proofreadText(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const indent = /^\s*/.exec(line)![0];
      const fixed = line
        .slice(indent.length)
        .replace(/[ \t]{2,}/g, " ")
        .replace(/[ \t]+([,.;:!?])/g, "$1")
        .replace(/([,;])(?=\p{L})/gu, "$1 ")
        .replace(
          /(^|[.!?]["'”’»)]*\s+)(\p{Ll})/gu,
          (_m, before: string, letter: string) => before + letter.toUpperCase(),
        );
      return indent + fixed;
    })
    .join("\n");
}

export function offlineProofread(prompt: string): string {
  return proofreadText(textToProofread(prompt));
}
