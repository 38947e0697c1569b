import { and, eq } from "drizzle-orm";
import { inngestSteps } from "./schema";
import type { EngineContext } from "./types";
import { withItem, type Applied, type ClaimedItem } from "./item";
import { enqueueDiscoveryIfIdle, memoizeStep } from "./steps";

/** A sleep ended, or an invoke / waitForEvent timed out. */
export async function applyTimer(
  ctx: EngineContext,
  item: ClaimedItem,
  owner: string,
  continueLeaseMs?: number,
): Promise<Applied> {
  return withItem(ctx, item, owner, async (tx, run, now) => {
    if (!item.stepId) return null;
    const [step] = await tx
      .select()
      .from(inngestSteps)
      .where(and(eq(inngestSteps.runId, run.id), eq(inngestSteps.id, item.stepId)));
    if (!step) return null;
    const info = { id: step.id, name: step.name, op: step.op, opts: step.opts };
    if (item.kind === "wake" && step.status === "sleeping") {
      await memoizeStep(tx, run.id, info, { data: null }, now);
    } else if (item.kind === "timeout" && step.status === "invoking") {
      const error = {
        name: "InngestInvokeTimeoutError",
        message: "Timed out waiting for invoked function to complete",
      };
      await memoizeStep(tx, run.id, info, { error }, now);
    } else if (item.kind === "timeout" && step.status === "waiting") {
      await memoizeStep(tx, run.id, info, { data: null }, now);
    } else return null;
    const lease = continueLeaseMs ? { owner, until: new Date(now.getTime() + continueLeaseMs) } : undefined;
    const nextId = await enqueueDiscoveryIfIdle(tx, run, now, lease);
    return nextId !== null && lease ? { id: nextId } : null;
  });
}
