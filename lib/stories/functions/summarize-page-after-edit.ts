import { inngest } from "@/lib/inngest/client";
import { pageTextChanged } from "@/lib/inngest/events/page-text-changed";
import { summarizeAfterEdit, summaryDebounceSeconds } from "../summaries/schedule";

/**
 * The summary after an edit: debounced per page (SUMMARY_DEBOUNCE_SECONDS after its last change, with that change's
 * event), then one `page.summarize` job if the page still needs one. The job itself runs under the background limit
 * (run-ai-child-job), so it never takes Generate's slots. Built on call: the period is read from the environment.
 */
export function createSummarizePageAfterEdit(options: { debounceSeconds?: number } = {}) {
  const seconds = options.debounceSeconds ?? summaryDebounceSeconds();
  return inngest.createFunction(
    {
      id: "summarize-page-after-edit",
      name: "Summarize a page after an edit",
      triggers: [pageTextChanged],
      debounce: { key: "event.data.pageId", period: `${seconds}s` },
      retries: 3,
    },
    async ({ event, step }) => {
      const { pageId, requestedBy } = event.data;
      return step.run("submit", () => summarizeAfterEdit(pageId, requestedBy));
    },
  );
}
