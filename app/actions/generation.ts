"use server";

import { revalidatePath } from "next/cache";
import type { Page } from "@/db/schema";
import type { PageSuggestion } from "@/db/suggestions-schema";
import type { ActionResult } from "@/lib/action-result";
import {
  applySuggestion,
  takeSuggestionParagraphs,
  cancelPageJob,
  checkPageTextRequest,
  discardSuggestion,
  getLatestPageJob,
  listActivePageJobs,
  listOpenSuggestions,
  requestPageText,
  undoPageJob,
  type PageJobView,
  type PageTextCheck,
} from "@/lib/stories";
import { runAction } from "./run";

export async function requestPageTextAction(input: unknown): Promise<ActionResult<PageJobView>> {
  return runAction("requestPageText", (actor) => requestPageText(actor, input));
}

export async function cancelPageJobAction(input: unknown): Promise<ActionResult<PageJobView>> {
  return runAction("cancelPageJob", (actor) => cancelPageJob(actor, input));
}

export async function getLatestPageJobAction(input: unknown): Promise<ActionResult<PageJobView | null>> {
  return runAction("getLatestPageJob", (actor) => getLatestPageJob(actor, input));
}

export async function listOpenSuggestionsAction(input: unknown): Promise<ActionResult<PageSuggestion[]>> {
  return runAction("listOpenSuggestions", (actor) => listOpenSuggestions(actor, input));
}

export async function applySuggestionAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("applySuggestion", async (actor) => {
    const page = await applySuggestion(actor, input);
    revalidatePath(`/stories/${page.storyId}`);
    return page;
  });
}

/** Takes some paragraphs of a suggestion; the rest stays open until taken or discarded. */
export async function takeSuggestionParagraphsAction(
  input: unknown,
): Promise<ActionResult<{ page: Page; suggestionApplied: boolean }>> {
  return runAction("takeSuggestionParagraphs", async (actor) => {
    const taken = await takeSuggestionParagraphs(actor, input);
    revalidatePath(`/stories/${taken.page.storyId}`);
    return taken;
  });
}

export async function discardSuggestionAction(input: unknown): Promise<ActionResult<null>> {
  return runAction("discardSuggestion", async (actor) => {
    await discardSuggestion(actor, input);
    return null;
  });
}

export async function listActivePageJobsAction(input: unknown): Promise<ActionResult<PageJobView[]>> {
  return runAction("listActivePageJobs", (actor) => listActivePageJobs(actor, input));
}

export async function undoPageJobAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("undoPageJob", async (actor) => {
    const page = await undoPageJob(actor, input);
    revalidatePath(`/stories/${page.storyId}`);
    return page;
  });
}

/** The prompt preview beside Generate: every check of a request, and what its prompt would hold, without a job. */
export async function checkPageTextRequestAction(input: unknown): Promise<ActionResult<PageTextCheck>> {
  return runAction("checkPageTextRequest", (actor) => checkPageTextRequest(actor, input));
}
