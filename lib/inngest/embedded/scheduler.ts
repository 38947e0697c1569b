import { and, asc, eq, lt, lte } from "drizzle-orm";
import { inngestCrons, inngestDebounces, inngestEvents, inngestIdempotency, inngestRunIdempotency } from "./schema";
import type { EngineContext } from "./types";
import { nextCronTime } from "./cron";
import { findFunction } from "./function-store";
import { hashedUlid } from "./ids";
import { createRun, startEventRun } from "./runs";
import type { EventPayload } from "./types";

/**
 * Time-based triggers. Due rows are claimed with FOR UPDATE SKIP LOCKED and consumed in the same transaction that
 * starts the run, so each cron tick and each debounced event starts exactly one run however many instances poll.
 * Returns the number of runs started.
 */
export async function fireDueCrons(ctx: EngineContext, now = new Date()): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(inngestCrons)
      .where(lte(inngestCrons.nextAt, now))
      .orderBy(asc(inngestCrons.nextAt))
      .limit(50)
      .for("update", { skipLocked: true });
    let started = 0;
    for (const cron of due) {
      const fn = await findFunction(tx, ctx.db, cron.functionId);
      // A missed tick (server down) fires once; the next one is computed from now, not replayed tick by tick.
      const next = nextCronTime(cron.cron, now > cron.nextAt ? now : cron.nextAt);
      await tx
        .update(inngestCrons)
        .set({ nextAt: next })
        .where(and(eq(inngestCrons.functionId, cron.functionId), eq(inngestCrons.cron, cron.cron)));
      if (!fn) continue;
      const tick = cron.nextAt.getTime();
      const event: EventPayload = {
        name: "inngest/scheduled.timer",
        data: { cron: cron.cron },
        id: hashedUlid(tick, `${cron.functionId}|${cron.cron}|${tick}`),
        ts: tick,
      };
      const inserted = await tx
        .insert(inngestEvents)
        .values({ id: event.id, name: event.name, data: event.data, ts: event.ts, receivedAt: now })
        .onConflictDoNothing()
        .returning({ id: inngestEvents.id });
      if (!inserted.length) continue;
      const runId = await createRun(tx, { fn, event, eventId: event.id, now });
      ctx.log("info", "inngest cron fired", { functionId: fn.id, cron: cron.cron, runId });
      started++;
    }
    return started;
  });
}

export async function fireDueDebounces(ctx: EngineContext, now = new Date()): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(inngestDebounces)
      .where(lte(inngestDebounces.fireAt, now))
      .orderBy(asc(inngestDebounces.fireAt))
      .limit(50)
      .for("update", { skipLocked: true });
    let started = 0;
    for (const d of due) {
      await tx
        .delete(inngestDebounces)
        .where(and(eq(inngestDebounces.functionId, d.functionId), eq(inngestDebounces.key, d.key)));
      const fn = await findFunction(tx, ctx.db, d.functionId);
      if (!fn) continue;
      const runId = await startEventRun(tx, fn, d.event as EventPayload, now);
      ctx.log("info", "inngest debounce fired", { functionId: fn.id, runId });
      if (runId) started++;
    }
    return started;
  });
}

/** Expired idempotency keys (event ids and functions' keys) are no longer needed. */
export async function purgeExpired(ctx: EngineContext, now = new Date()): Promise<void> {
  await ctx.db.delete(inngestIdempotency).where(lt(inngestIdempotency.expiresAt, now));
  await ctx.db.delete(inngestRunIdempotency).where(lt(inngestRunIdempotency.expiresAt, now));
}
