"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import {
  createPromptDraft,
  deletePromptDraft,
  previewPromptBody,
  publishPromptVersion,
  updatePromptDraft,
  type PromptPreview,
  type PromptVersionView,
} from "@/lib/stories";
import { runAction } from "./run";

// The admin prompt library: every domain function starts with requireAdmin (others get NOT_FOUND).

export async function createPromptDraftAction(input: unknown): Promise<ActionResult<PromptVersionView>> {
  return runAction("createPromptDraft", async (actor) => {
    const version = await createPromptDraft(actor, input);
    revalidatePath("/admin/prompts");
    return version;
  });
}

export async function updatePromptDraftAction(input: unknown): Promise<ActionResult<PromptVersionView>> {
  return runAction("updatePromptDraft", async (actor) => {
    const version = await updatePromptDraft(actor, input);
    revalidatePath("/admin/prompts");
    return version;
  });
}

export async function deletePromptDraftAction(input: unknown): Promise<ActionResult<{ deleted: true }>> {
  return runAction("deletePromptDraft", async (actor) => {
    const result = await deletePromptDraft(actor, input);
    revalidatePath("/admin/prompts");
    return result;
  });
}

export async function publishPromptVersionAction(input: unknown): Promise<ActionResult<PromptVersionView>> {
  return runAction("publishPromptVersion", async (actor) => {
    const version = await publishPromptVersion(actor, input);
    revalidatePath("/admin/prompts");
    return version;
  });
}

export async function previewPromptAction(input: unknown): Promise<ActionResult<PromptPreview>> {
  return runAction("previewPromptBody", (actor) => previewPromptBody(actor, input));
}
