"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import { adminCancelJob, adminRetryJob, type PageJobView } from "@/lib/stories";
import { runAction } from "./run";

/** Retries a finished job as a new job linked to it (admins: any job). */
export async function adminRetryJobAction(input: unknown): Promise<ActionResult<PageJobView>> {
  return runAction("adminRetryJob", async (actor) => {
    const job = await adminRetryJob(actor, input);
    revalidatePath("/admin/jobs");
    return job;
  });
}

export async function adminCancelJobAction(input: unknown): Promise<ActionResult<PageJobView>> {
  return runAction("adminCancelJob", async (actor) => {
    const job = await adminCancelJob(actor, input);
    revalidatePath("/admin/jobs");
    return job;
  });
}
