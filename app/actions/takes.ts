"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import {
  cancelTakeSet,
  chooseTake,
  getOpenTakeSet,
  requestAnotherTake,
  requestTakes,
  type TakeSetView,
  type TakesRequestOutcome,
} from "@/lib/stories";
import { runAction } from "./run";

/** Takes on a page (lib/stories/takes): each action checks the actor in the domain (`generate`, `read` for reads). */
export async function requestTakesAction(input: unknown): Promise<ActionResult<TakesRequestOutcome>> {
  return runAction("requestTakes", (actor) => requestTakes(actor, input));
}

export async function getOpenTakeSetAction(input: unknown): Promise<ActionResult<TakeSetView | null>> {
  return runAction("getOpenTakeSet", (actor) => getOpenTakeSet(actor, input));
}

export async function requestAnotherTakeAction(input: unknown): Promise<ActionResult<TakeSetView>> {
  return runAction("requestAnotherTake", (actor) => requestAnotherTake(actor, input));
}

export async function chooseTakeAction(input: unknown): Promise<ActionResult<TakeSetView>> {
  return runAction("chooseTake", async (actor) => {
    const set = await chooseTake(actor, input);
    // The chosen take may have become the page's text: the story page reads it on its next render.
    revalidatePath(`/stories/${set.storyId}`);
    return set;
  });
}

export async function cancelTakeSetAction(input: unknown): Promise<ActionResult<TakeSetView>> {
  return runAction("cancelTakeSet", (actor) => cancelTakeSet(actor, input));
}
