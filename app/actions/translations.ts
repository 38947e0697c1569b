"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import {
  cancelTranslation,
  getTranslationPair,
  listTranslations,
  setCodexNameTranslation,
  translateStory,
  updateTranslation,
  type StoryTranslations,
  type TranslationOutcome,
  type TranslationPair,
  type TranslationView,
} from "@/lib/stories";
import { runAction } from "./run";

export async function translateStoryAction(input: unknown): Promise<ActionResult<TranslationOutcome>> {
  return runAction("translateStory", async (actor) => {
    const outcome = await translateStory(actor, input);
    revalidatePath("/stories");
    return outcome;
  });
}

export async function updateTranslationAction(input: unknown): Promise<ActionResult<TranslationOutcome>> {
  return runAction("updateTranslation", async (actor) => {
    const outcome = await updateTranslation(actor, input);
    revalidatePath(`/stories/${outcome.translation.storyId}`);
    return outcome;
  });
}

export async function listTranslationsAction(input: unknown): Promise<ActionResult<StoryTranslations>> {
  return runAction("listTranslations", (actor) => listTranslations(actor, input));
}

export async function cancelTranslationAction(input: unknown): Promise<ActionResult<TranslationView>> {
  return runAction("cancelTranslation", (actor) => cancelTranslation(actor, input));
}

export async function getTranslationPairAction(input: unknown): Promise<ActionResult<TranslationPair>> {
  return runAction("getTranslationPair", (actor) => getTranslationPair(actor, input));
}

export async function setCodexNameTranslationAction(
  input: unknown,
): Promise<ActionResult<{ entryId: string; language: string; name: string }>> {
  return runAction("setCodexNameTranslation", (actor) => setCodexNameTranslation(actor, input));
}
