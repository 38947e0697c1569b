import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { pages, stories } from "@/db/schema";
import { listChildren, type FanOutPlan } from "@/lib/ai";
import { isAppError } from "@/lib/errors";
import type { TakeSetPayload } from "./payload";
import { buildTakePrompt, takeJob } from "./request";

/**
 * The takes of a set, for the generic fan-out (lib/ai/functions/fan-out-job.ts). The request records the set and
 * its takes in one transaction, so the takes are found here as they were recorded; only a set recorded without them
 * (none today, kept for safety) has them built now, from the page as it is.
 */
export async function planTakes(parent: AiJob): Promise<FanOutPlan> {
  const db = await getDb();
  const payload = parent.promptPayload as TakeSetPayload;
  const existing = new Map((await listChildren(db, parent.id)).map((c) => [c.targetId, c]));
  const plan: FanOutPlan = { children: [], skipped: [] };
  const missing = payload.takes.filter((t) => !existing.has(t.takeId));
  for (const child of existing.values())
    plan.children.push({ ...child, contextLeftOut: child.contextLeftOut as unknown[] });
  if (missing.length === 0) return plan;
  const [row] = await db
    .select({ page: pages, story: stories })
    .from(pages)
    .innerJoin(stories, eq(stories.id, pages.storyId))
    .where(eq(pages.id, payload.pageId))
    .limit(1);
  if (!row || row.page.deletedAt) {
    for (const t of missing) plan.skipped.push({ targetId: t.takeId, reason: "deleted" });
    return plan;
  }
  try {
    const prompt = await buildTakePrompt(db, row.story, row.page, payload.mode, parent.instruction);
    for (const { takeId, ...sampling } of missing) plan.children.push(takeJob(parent, prompt, takeId, sampling));
  } catch (error) {
    if (!isAppError(error)) throw error;
    for (const t of missing) plan.skipped.push({ targetId: t.takeId, reason: "too-long" });
  }
  return plan;
}
