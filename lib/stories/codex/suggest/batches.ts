import { countTokens, renderTemplate, type PromptTemplate } from "@/lib/ai";
import type { CodexKind } from "@/db/memory-schema";

/** What one codex_suggest prompt is rendered with (recorded as the child job's payload). */
export interface BatchPayload {
  story: { title: string; language: string };
  pages: { number: number; text: string; cut: boolean }[];
  existing: { kind: CodexKind; name: string }[];
  batch: { number: number; of: number; firstPage: number; lastPage: number };
}

export interface PageText {
  id: string;
  number: number;
  text: string;
}

export interface Batch {
  /** The batch's first page: the child job's target id. */
  firstPageId: string;
  payload: BatchPayload;
}

/** Some room for the page markers and the batch line, which the empty render does not count. */
const PAGE_OVERHEAD_TOKENS = 12;

/**
 * The pages with text, in order, packed into as few prompts as fit the prompt budget with the template and the
 * codex's names. A page too long for a prompt on its own is read from its beginning, cut to fit (the codex reads
 * names and facts; a page that long is rare and its opening usually introduces who is in it).
 */
export async function planBatches(args: {
  story: { title: string; language: string };
  pages: readonly PageText[];
  existing: BatchPayload["existing"];
  template: PromptTemplate;
  budgetTokens: number;
}): Promise<Batch[]> {
  const withText = args.pages.filter((p) => p.text.trim() !== "");
  if (withText.length === 0) return [];
  const empty: BatchPayload = {
    story: args.story,
    pages: [],
    existing: args.existing,
    batch: { number: 1, of: 1, firstPage: 1, lastPage: 1 },
  };
  const fixed = countTokens(await renderTemplate(args.template, empty as unknown as Record<string, unknown>));
  // Never fewer than a few hundred tokens of pages: a budget smaller than the codex's names still reads the story.
  const room = Math.max(args.budgetTokens - fixed, 300);

  const groups: { page: PageText; text: string; cut: boolean }[][] = [];
  let current: { page: PageText; text: string; cut: boolean }[] = [];
  let used = 0;
  for (const page of withText) {
    let text = page.text;
    let tokens = countTokens(text) + PAGE_OVERHEAD_TOKENS;
    let cut = false;
    while (tokens > room) {
      text = text.slice(0, Math.floor(text.length * (room / tokens) * 0.95));
      tokens = countTokens(text) + PAGE_OVERHEAD_TOKENS;
      cut = true;
    }
    if (used + tokens > room && current.length > 0) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push({ page, text, cut });
    used += tokens;
  }
  if (current.length > 0) groups.push(current);

  return groups.map((group, i) => ({
    firstPageId: group[0]!.page.id,
    payload: {
      story: args.story,
      pages: group.map((g) => ({ number: g.page.number, text: g.text, cut: g.cut })),
      existing: args.existing,
      batch: {
        number: i + 1,
        of: groups.length,
        firstPage: group[0]!.page.number,
        lastPage: group[group.length - 1]!.page.number,
      },
    },
  }));
}
