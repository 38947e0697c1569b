import type { PageSummary } from "@/db/memory-schema";
import type { Page, Story } from "@/db/schema";
import type { NewJob, PromptTemplate } from "@/lib/ai";
import { STORY_SCOPE, SUMMARY_JOB_TYPE, SUMMARY_TARGET } from "../job-kinds";

export const SUMMARY_TEMPLATE_KEY = "page_summary";

/** What prompts/page_summary.liquid renders. */
export interface SummaryPromptPayload {
  story: { title: string; language: string };
  page: { number: number; total: number; text: string; shortened: boolean };
  previous: { number: number; summary: string };
  next: { number: number; summary: string };
}

/**
 * The page text a summary prompt can hold: about three characters a token (a cautious estimate, so a prompt never
 * outgrows the model's input budget), less room for the instructions and the neighbours' summaries. A longer page
 * is summarised from its beginning and end.
 */
function fitPageText(text: string, budgetTokens: number): { text: string; shortened: boolean } {
  const maxChars = Math.max(2000, (budgetTokens - 1500) * 3);
  if (text.length <= maxChars) return { text, shortened: false };
  const half = Math.floor(maxChars / 2);
  return { text: `${text.slice(0, half).trimEnd()}\n[…]\n${text.slice(-half).trimStart()}`, shortened: true };
}

/**
 * The `page.summarize` job of one page: the page as it is now (its version is the job's base version, which landing
 * compares with the page's), and its neighbours' summaries when they have them (cheap context for who is who).
 */
export function summaryJobFor(args: {
  story: Story;
  ordered: readonly Page[];
  summaries: ReadonlyMap<string, PageSummary>;
  page: Page;
  requestedBy: string | null;
  template: PromptTemplate;
  model: { provider: string; modelId: string; inputBudgetTokens: number };
}): Omit<NewJob, "parentJobId"> {
  const { story, ordered, summaries, page, template, model } = args;
  const index = ordered.findIndex((p) => p.id === page.id);
  const neighbour = (at: number) => {
    const other = ordered[at];
    return { number: at + 1, summary: other ? (summaries.get(other.id)?.text ?? "") : "" };
  };
  const fitted = fitPageText(page.content, model.inputBudgetTokens);
  const payload: SummaryPromptPayload = {
    story: { title: story.title, language: story.language },
    page: { number: index + 1, total: ordered.length, text: fitted.text, shortened: fitted.shortened },
    previous: neighbour(index - 1),
    next: neighbour(index + 1),
  };
  return {
    jobType: SUMMARY_JOB_TYPE,
    targetType: SUMMARY_TARGET,
    targetId: page.id,
    scopeType: STORY_SCOPE,
    scopeId: story.id,
    requestedBy: args.requestedBy,
    templateKey: template.key,
    templateVersion: template.version,
    provider: model.provider,
    model: model.modelId,
    instruction: "",
    promptPayload: payload,
    // As the page jobs record what did not fit (lib/stories/page-job-input.ts), for the admin's view of the job.
    contextLeftOut: fitted.shortened
      ? [
          {
            id: page.id,
            fit: "shortened",
            droppedChars: page.content.length - fitted.text.length,
            pageNumber: index + 1,
          },
        ]
      : [],
    baseVersion: page.version,
  };
}
