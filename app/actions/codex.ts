"use server";

import type { ActionResult } from "@/lib/action-result";
import {
  acceptCodexSuggestion,
  cancelCodexSuggestRun,
  createCodexEntry,
  deleteCodexEntry,
  getCodexSuggestRun,
  listCodex,
  listCodexSuggestions,
  rejectCodexSuggestion,
  requestCodexSuggestions,
  updateCodexEntry,
  type CodexEntryView,
  type CodexSuggestionView,
  type CodexSuggestOutcome,
  type CodexSuggestRunView,
} from "@/lib/stories";
import { runAction } from "./run";

export async function listCodexAction(input: unknown): Promise<ActionResult<CodexEntryView[]>> {
  return runAction("listCodex", (actor) => listCodex(actor, input));
}

export async function createCodexEntryAction(input: unknown): Promise<ActionResult<CodexEntryView>> {
  return runAction("createCodexEntry", (actor) => createCodexEntry(actor, input));
}

export async function updateCodexEntryAction(input: unknown): Promise<ActionResult<CodexEntryView>> {
  return runAction("updateCodexEntry", (actor) => updateCodexEntry(actor, input));
}

export async function deleteCodexEntryAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  return runAction("deleteCodexEntry", (actor) => deleteCodexEntry(actor, input));
}

export async function requestCodexSuggestionsAction(input: unknown): Promise<ActionResult<CodexSuggestOutcome>> {
  return runAction("requestCodexSuggestions", (actor) => requestCodexSuggestions(actor, input));
}

export async function getCodexSuggestRunAction(input: unknown): Promise<ActionResult<CodexSuggestRunView | null>> {
  return runAction("getCodexSuggestRun", (actor) => getCodexSuggestRun(actor, input));
}

export async function cancelCodexSuggestRunAction(input: unknown): Promise<ActionResult<CodexSuggestRunView>> {
  return runAction("cancelCodexSuggestRun", (actor) => cancelCodexSuggestRun(actor, input));
}

export async function listCodexSuggestionsAction(input: unknown): Promise<ActionResult<CodexSuggestionView[]>> {
  return runAction("listCodexSuggestions", (actor) => listCodexSuggestions(actor, input));
}

export async function acceptCodexSuggestionAction(
  input: unknown,
): Promise<ActionResult<{ suggestion: CodexSuggestionView; entry: CodexEntryView }>> {
  return runAction("acceptCodexSuggestion", (actor) => acceptCodexSuggestion(actor, input));
}

export async function rejectCodexSuggestionAction(input: unknown): Promise<ActionResult<CodexSuggestionView>> {
  return runAction("rejectCodexSuggestion", (actor) => rejectCodexSuggestion(actor, input));
}
