"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { type MyRatingLimits, setMyMaxRating, setSiteMaxRating, setUserMaxRating } from "@/lib/stories";
import { runAction } from "./run";

/** The signed-in user lowers (or clears) the highest content rating of their own AI jobs. */
export async function setMyMaxRatingAction(input: unknown): Promise<ActionResult<MyRatingLimits>> {
  return runAction("setMyMaxRating", async (actor) => {
    const limits = await setMyMaxRating(actor, input);
    revalidatePath("/settings");
    return limits;
  });
}

/** Admins: a user's content-rating maximum (blank = the site's). */
export async function setUserMaxRatingAction(
  input: unknown,
): Promise<ActionResult<{ maxContentRating: string | null }>> {
  return runAction("setUserMaxRating", async (actor) => {
    const row = await setUserMaxRating(actor, input);
    revalidatePath("/admin/users");
    return row;
  });
}

/** Admins: the highest content rating any job on this site may have. */
export async function setSiteMaxRatingAction(
  input: unknown,
): Promise<ActionResult<{ maxContentRating: string | null }>> {
  return runAction("setSiteMaxRating", async (actor) => {
    const row = await setSiteMaxRating(actor, input);
    revalidatePath("/admin/users");
    return row;
  });
}
