"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import {
  applyAllSuggestions,
  cancelBackgroundRevision,
  discardAllSuggestions,
  getBackgroundRevision,
  requestBackgroundRevision,
  type ApplyAllOutcome,
  type BackgroundRequestOutcome,
  type BackgroundRevisionView,
  type DiscardAllOutcome,
} from "@/lib/stories";
import { runAction } from "./run";

export async function requestBackgroundRevisionAction(input: unknown): Promise<ActionResult<BackgroundRequestOutcome>> {
  return runAction("requestBackgroundRevision", (actor) => requestBackgroundRevision(actor, input));
}

export async function getBackgroundRevisionAction(
  input: unknown,
): Promise<ActionResult<BackgroundRevisionView | null>> {
  return runAction("getBackgroundRevision", (actor) => getBackgroundRevision(actor, input));
}

export async function cancelBackgroundRevisionAction(input: unknown): Promise<ActionResult<BackgroundRevisionView>> {
  return runAction("cancelBackgroundRevision", (actor) => cancelBackgroundRevision(actor, input));
}

export async function applyAllSuggestionsAction(input: unknown): Promise<ActionResult<ApplyAllOutcome>> {
  return runAction("applyAllSuggestions", async (actor) => {
    const outcome = await applyAllSuggestions(actor, input);
    revalidatePath(`/stories/${outcome.revision.storyId}`);
    return outcome;
  });
}

export async function discardAllSuggestionsAction(input: unknown): Promise<ActionResult<DiscardAllOutcome>> {
  return runAction("discardAllSuggestions", (actor) => discardAllSuggestions(actor, input));
}
