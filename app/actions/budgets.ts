"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { getMyAiAllowance, setUserBudget, type AiAllowance, type UserBudgetRow } from "@/lib/stories";
import { runAction } from "./run";

/** The signed-in user's remaining AI budget today, for the hint next to Generate. */
export async function getAiAllowanceAction(): Promise<ActionResult<AiAllowance>> {
  return runAction("getAiAllowance", (actor) => getMyAiAllowance(actor));
}

/** Admins: set a user's daily budgets (blank = the server default). */
export async function setUserBudgetAction(input: unknown): Promise<ActionResult<UserBudgetRow>> {
  return runAction("setUserBudget", async (actor) => {
    const row = await setUserBudget(actor, input);
    revalidatePath("/admin/users");
    return row;
  });
}
