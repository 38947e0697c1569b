import { countTokens } from "../tokens";
import {
  assembleContext,
  type ContextBreakdown,
  type ContextPart,
  type ContextSectionInput,
  type MemoryEntryInput,
  type StoredRollupInput,
} from "./assemble";
import { scaleTokens, type TokenCounting } from "./counting";

/**
 * The variables of the page_write / page_revise templates (version 2), exactly as recorded in a job's prompt payload:
 * rendering a job again means rendering its template version with this object. `contextBreakdown` is recorded with
 * it (the admin job detail shows it); the templates do not use it.
 */
export interface DocumentPromptPayload {
  story: { title: string; description: string; language: string };
  pageCount: number;
  target: { number: number; hasNext: boolean; currentText: string };
  instruction: string;
  /** Rules the text must follow whatever the instruction says (the story's content rating, for one). */
  constraints: string[];
  codex: { name: string; kind: string; aliases: string; description: string }[];
  /**
   * The parts in reading order. `heading` is the part's header line ("Page 4 of 9", "Page 1 of 9 (summary)", "Pages
   * 5–9 of 9 (in brief)"): made here rather than in the template because a 1,000-part context rendered through a
   * chain of Liquid conditions per part cost several times more than the rest of the assembly.
   */
  context: (Pick<ContextPart, "kind" | "from" | "to" | "text" | "source"> & { heading: string })[];
  contextBreakdown: ContextBreakdown;
}

const templateTokens = new Map<string, number>();

/** Tokens of a template's text, remembered: a handful of templates, counted once per process. */
function templateCost(body: string): number {
  let tokens = templateTokens.get(body);
  if (tokens === undefined) {
    tokens = countTokens(body);
    if (templateTokens.size < 100) templateTokens.set(body, tokens);
  }
  return tokens;
}

/**
 * Builds the payload for writing or revising one section ("page") of a document within the model's input budget.
 * The target's text is what the template shows as its current text (empty when writing a blank page). Generic over
 * documents made of ordered sections so that lib/ai needs no knowledge of stories.
 */
export function buildDocumentPrompt(args: {
  document: { title: string; description: string; language: string };
  sections: readonly ContextSectionInput[];
  targetId: string;
  instruction: string;
  templateBody: string;
  budgetTokens: number;
  counting: TokenCounting;
  memory?: readonly MemoryEntryInput[];
  rollups?: readonly StoredRollupInput[];
  neighbours?: number;
  constraints?: readonly string[];
}): DocumentPromptPayload {
  const { document } = args;
  const constraints = [...(args.constraints ?? [])];
  const fixedTokens = scaleTokens(
    templateCost(args.templateBody) +
      countTokens(
        `${document.title}\n${document.description}\n${document.language} ${args.sections.length}\n${constraints.join("\n")}`,
      ),
    args.counting,
  );
  const assembled = assembleContext({
    sections: args.sections,
    targetId: args.targetId,
    neighbours: args.neighbours,
    instruction: args.instruction,
    fixedTokens,
    memory: args.memory,
    rollups: args.rollups,
    budgetTokens: args.budgetTokens,
    counting: args.counting,
  });
  const t = assembled.targetIndex;
  return {
    story: { title: document.title, description: document.description, language: document.language },
    pageCount: args.sections.length,
    target: { number: t + 1, hasNext: t < args.sections.length - 1, currentText: args.sections[t]!.text },
    instruction: args.instruction,
    constraints,
    codex: assembled.memory.map((m) => ({
      name: m.name,
      kind: m.kind,
      aliases: m.aliases.join(", "),
      description: m.description,
    })),
    context: assembled.parts.map((p) => ({
      kind: p.kind,
      from: p.from,
      to: p.to,
      text: p.text,
      source: p.source,
      heading: headingOf(p, args.sections.length),
    })),
    contextBreakdown: assembled.breakdown,
  };
}

/** At most 20 o200k tokens with the template's "--- " and " ---" around it (HEADER_TOKENS in assemble.ts). */
function headingOf(part: ContextPart, pageCount: number): string {
  if (part.kind === "rollup") return `Pages ${part.from}–${part.to} of ${pageCount} (in brief)`;
  if (part.kind === "summary") return `Page ${part.from} of ${pageCount} (summary)`;
  return `Page ${part.from} of ${pageCount}`;
}

/** What one section's prompt of a page revised section by section gets of the story's memory (page_revise_section v2). */
export interface SectionMemory {
  codex: DocumentPromptPayload["codex"];
  /** The other pages as in a whole-page prompt; the target's own part carries no text (the section is shown instead). */
  context: DocumentPromptPayload["context"];
  contextBreakdown: ContextBreakdown;
}

/**
 * The story memory of one section's prompt: the same assembly as a whole-page prompt (codex entries that are
 * `always` or mentioned in the instruction, this section or the neighbouring pages; neighbours whole when they fit;
 * the other pages as summaries and roll-ups, nearest first), with the section standing in for the target page and
 * only the budget the section's prompt leaves. `usedTokens` is everything of that prompt but the section's text and
 * the memory, in the counting mode's tokens. Deterministic; ContextBudgetError when the section leaves no room.
 */
export function buildSectionMemory(args: {
  sections: readonly ContextSectionInput[];
  targetId: string;
  sectionText: string;
  instruction: string;
  usedTokens: number;
  budgetTokens: number;
  counting: TokenCounting;
  memory?: readonly MemoryEntryInput[];
  neighbours?: number;
}): SectionMemory {
  const sections = args.sections.map(
    (s): ContextSectionInput =>
      s.id === args.targetId ? { id: s.id, text: args.sectionText, tokenCount: null, summary: null } : s,
  );
  const assembled = assembleContext({
    sections,
    targetId: args.targetId,
    neighbours: args.neighbours,
    instruction: args.instruction,
    fixedTokens: args.usedTokens,
    memory: args.memory,
    budgetTokens: args.budgetTokens,
    counting: args.counting,
  });
  return {
    codex: assembled.memory.map((m) => ({
      name: m.name,
      kind: m.kind,
      aliases: m.aliases.join(", "),
      description: m.description,
    })),
    context: assembled.parts.map((p) => ({
      kind: p.kind,
      from: p.from,
      to: p.to,
      text: p.kind === "target" ? "" : p.text,
      source: p.source,
      heading: headingOf(p, sections.length),
    })),
    contextBreakdown: assembled.breakdown,
  };
}
