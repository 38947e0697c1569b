"use server";

import { revalidatePath } from "next/cache";
import type { Page, Story } from "@/db/schema";
import type { ActionResult } from "@/lib/action-result";
import {
  addPage,
  createStory,
  deletePage,
  deleteStory,
  listRevisions,
  movePage,
  restoreRevision,
  savePage,
  undeletePage,
  updateStory,
  type RevisionEntry,
} from "@/lib/stories";
import { runAction } from "./run";

function refreshStory(storyId: string) {
  revalidatePath("/stories");
  revalidatePath(`/stories/${storyId}`);
}

export async function createStoryAction(input: unknown): Promise<ActionResult<Story>> {
  return runAction("createStory", async (actor) => {
    const story = await createStory(actor, input);
    revalidatePath("/stories");
    return story;
  });
}

export async function updateStoryAction(input: unknown): Promise<ActionResult<Story>> {
  return runAction("updateStory", async (actor) => {
    const story = await updateStory(actor, input);
    refreshStory(story.id);
    return story;
  });
}

export async function deleteStoryAction(input: unknown): Promise<ActionResult<null>> {
  return runAction("deleteStory", async (actor) => {
    await deleteStory(actor, input);
    revalidatePath("/stories");
    return null;
  });
}

export async function addPageAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("addPage", async (actor) => {
    const page = await addPage(actor, input);
    refreshStory(page.storyId);
    return page;
  });
}

export async function savePageAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("savePage", async (actor) => {
    const page = await savePage(actor, input);
    refreshStory(page.storyId);
    return page;
  });
}

export async function movePageAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("movePage", async (actor) => {
    const page = await movePage(actor, input);
    refreshStory(page.storyId);
    return page;
  });
}

export async function deletePageAction(input: unknown): Promise<ActionResult<null>> {
  return runAction("deletePage", async (actor) => {
    await deletePage(actor, input);
    // The story id is not known here; revalidate every story page under the layout.
    revalidatePath("/stories", "layout");
    return null;
  });
}

export async function undeletePageAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("undeletePage", async (actor) => {
    const page = await undeletePage(actor, input);
    refreshStory(page.storyId);
    return page;
  });
}

export async function listRevisionsAction(input: unknown): Promise<ActionResult<RevisionEntry[]>> {
  return runAction("listRevisions", (actor) => listRevisions(actor, input));
}

export async function restoreRevisionAction(input: unknown): Promise<ActionResult<Page>> {
  return runAction("restoreRevision", async (actor) => {
    const page = await restoreRevision(actor, input);
    refreshStory(page.storyId);
    return page;
  });
}
