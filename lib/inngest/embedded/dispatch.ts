import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { inngestDebounces, inngestEvents, inngestQueue, inngestRuns, inngestSteps } from "./schema";
import type { EngineContext } from "./types";
import { eventNameMatches, type FunctionDef } from "./function-config";
import { activeFunctions } from "./function-store";
import { compileExpression } from "./expressions";
import { cancelRunInTx } from "./lifecycle";
import { WAKE_CHANNEL } from "./wake-channel";
import { claimEventRun, createRuns, type NewRun, startEventRun } from "./runs";
import type { Tx } from "./sql";
import { enqueueDiscoveryIfIdle, isActive, lockRun, memoizeStep } from "./steps";
import type { EventPayload } from "./types";

/**
 * What a newly received event does, in this order: cancel the runs it cancels (cancelOn), resolve the
 * step.waitForEvent calls it satisfies, then start (or debounce) the functions it triggers. Cancelling first means
 * an event that both triggers and cancels a function never cancels the run it just started.
 * Returns the number of runs started or debounced.
 */
export async function dispatchEvent(ctx: EngineContext, tx: Tx, event: EventPayload, now: Date): Promise<number> {
  return dispatchEvents(ctx, tx, [event], now);
}

/**
 * dispatchEvent for stored events, in their order, with what does not depend on the order done once per batch: the
 * names some step.waitForEvent waits for are looked up in one statement (a wait only begins when its run is called,
 * never inside this transaction; a wait another transaction begins meanwhile is not resolved by this batch, as none
 * of its events came after it), and the runs the events start are created together, in one statement, after their
 * idempotency keys were claimed event by event — in the events' order, so that workers take them up in that order.
 * Before an event that may cancel runs, the runs gathered so far are created, so that it finds them as it would one
 * event at a time. Debounced functions record their event as they come.
 */
export async function dispatchEvents(
  ctx: EngineContext,
  tx: Tx,
  events: readonly EventPayload[],
  now: Date,
): Promise<number> {
  if (events.length === 0) return 0;
  const functions = await activeFunctions(tx, ctx.db);
  const waitedFor = await namesWaitedFor(tx, [...new Set(events.map((e) => e.name))]);
  const gathered: NewRun[] = [];
  const createGathered = async () => {
    if (gathered.length) await createRuns(tx, gathered.splice(0));
  };
  let started = 0;
  for (const event of events) {
    if (functions.some((fn) => fn.cancel.some((c) => eventNameMatches(c.event, event.name)))) {
      await createGathered();
      await applyCancellations(ctx, tx, functions, event, now);
    }
    if (waitedFor.has(event.name)) await resolveWaits(tx, event, now);
    for (const fn of functions) {
      if (!triggers(fn, event)) continue;
      if (fn.debounce) {
        await debounce(tx, fn, event, now);
        started++;
        continue;
      }
      const run = await claimEventRun(tx, fn, event, now);
      if (run) {
        gathered.push(run);
        started++;
      } else
        ctx.log("info", "inngest run skipped: idempotency key already used", { functionId: fn.id, eventId: event.id });
    }
  }
  await createGathered();
  if (started) ctx.log("debug", "inngest runs queued", { runs: started, events: events.length });
  return started;
}

/** Of these event names, those some step.waitForEvent is waiting for now. */
async function namesWaitedFor(tx: Tx, names: string[]): Promise<Set<string>> {
  const rows = await tx
    .selectDistinct({ name: sql<string>`${inngestSteps.opts}->>'event'` })
    .from(inngestSteps)
    .where(and(eq(inngestSteps.status, "waiting"), inArray(sql`${inngestSteps.opts}->>'event'`, names)));
  return new Set(rows.map((r) => r.name));
}

async function startOrDebounce(ctx: EngineContext, tx: Tx, fn: FunctionDef, event: EventPayload, now: Date) {
  if (fn.debounce) {
    await debounce(tx, fn, event, now);
    return true;
  }
  const runId = await startEventRun(tx, fn, event, now);
  if (runId) ctx.log("debug", "inngest run queued", { runId, functionId: fn.id, event: event.name });
  else ctx.log("info", "inngest run skipped: idempotency key already used", { functionId: fn.id, eventId: event.id });
  return runId !== null;
}

/**
 * Starts, for stored events, the runs their dispatch could not start because the functions they trigger were not
 * registered yet (events received before this engine's first sync). Only the start part is repeated — cancellations
 * and waits did not depend on the registered functions — and never for a function that already has a run (or a
 * pending debounce) from the event, so replaying is safe however often it happens. Returns the runs started.
 */
export async function startMissingRuns(ctx: EngineContext, eventIds: string[], now = new Date()): Promise<number> {
  let started = 0;
  for (const eventId of new Set(eventIds)) {
    started += await ctx.db.transaction(async (tx) => {
      const [row] = await tx.select().from(inngestEvents).where(eq(inngestEvents.id, eventId));
      if (!row) return 0;
      const event: EventPayload = { name: row.name, data: row.data as Record<string, unknown>, id: row.id, ts: row.ts };
      const functions = (await activeFunctions(tx, ctx.db)).filter((fn) => triggers(fn, event));
      if (!functions.length) return 0;
      const ids = functions.map((fn) => fn.id);
      const ran = await tx
        .select({ functionId: inngestRuns.functionId })
        .from(inngestRuns)
        .where(and(eq(inngestRuns.eventId, eventId), inArray(inngestRuns.functionId, ids)));
      const debounced = await tx
        .select({ functionId: inngestDebounces.functionId })
        .from(inngestDebounces)
        .where(and(eq(inngestDebounces.eventId, eventId), inArray(inngestDebounces.functionId, ids)));
      const done = new Set([...ran, ...debounced].map((r) => r.functionId));
      let count = 0;
      for (const fn of functions) {
        if (done.has(fn.id)) continue;
        if (await startOrDebounce(ctx, tx, fn, event, now)) count++;
      }
      if (count) await tx.execute(sql`select pg_notify(${WAKE_CHANNEL}, '')`);
      return count;
    });
  }
  if (started) {
    ctx.wake();
    ctx.log("info", "inngest started runs for events received before registration", { runs: started });
  }
  return started;
}

/** Whether the event starts a run of the function (its name and, if any, its expression). */
export function triggers(fn: FunctionDef, event: EventPayload): boolean {
  return fn.eventTriggers.some((t) => {
    // Internal events (inngest/…) reach only functions that name them exactly, never through a wildcard.
    const matches = event.name.startsWith("inngest/") ? t.event === event.name : eventNameMatches(t.event, event.name);
    return matches && (!t.expression || t.expression.test({ event }));
  });
}

async function applyCancellations(
  ctx: EngineContext,
  tx: Tx,
  functions: FunctionDef[],
  event: EventPayload,
  now: Date,
) {
  for (const fn of functions) {
    const rules = fn.cancel.filter((c) => eventNameMatches(c.event, event.name));
    if (!rules.length) continue;
    // Newest first: a child run created by step.invoke is newer than its parent, and ending it locks the parent —
    // the same lock order as a worker finishing that child, so the two cannot deadlock.
    const active = await tx
      .select({ id: inngestRuns.id, event: inngestRuns.event, createdAt: inngestRuns.createdAt })
      .from(inngestRuns)
      .where(and(eq(inngestRuns.functionId, fn.id), inArray(inngestRuns.status, ["queued", "running"])))
      .orderBy(desc(inngestRuns.id));
    for (const run of active) {
      const hit = rules.some(
        (rule) =>
          (!rule.timeoutMs || run.createdAt.getTime() + rule.timeoutMs >= now.getTime()) &&
          (!rule.expression || rule.expression.test({ event: run.event, async: event })),
      );
      if (hit) await cancelRunInTx(ctx, tx, run.id, `Cancelled by event "${event.name}" (${event.id})`, now);
    }
  }
}

/** step.waitForEvent: the first matching event after the wait began is memoized as the step's result. */
async function resolveWaits(tx: Tx, event: EventPayload, now: Date) {
  const waiting = await tx
    .select({
      runId: inngestSteps.runId,
      id: inngestSteps.id,
      name: inngestSteps.name,
      op: inngestSteps.op,
      opts: inngestSteps.opts,
    })
    .from(inngestSteps)
    .where(and(eq(inngestSteps.status, "waiting"), sql`${inngestSteps.opts}->>'event' = ${event.name}`));
  for (const wait of waiting) {
    const opts = (wait.opts ?? {}) as { if?: string };
    const run = await lockRun(tx, wait.runId);
    if (!run || !isActive(run)) continue;
    // The expression was compiled when the wait began (apply.ts), so it is known to parse.
    if (opts.if && !compileExpression(opts.if, ["event", "async"]).test({ event: run.event, async: event })) continue;
    const done = await memoizeStep(tx, run.id, wait, { data: event }, now);
    if (!done) continue;
    await tx
      .delete(inngestQueue)
      .where(and(eq(inngestQueue.runId, run.id), eq(inngestQueue.kind, "timeout"), eq(inngestQueue.stepId, wait.id)));
    await enqueueDiscoveryIfIdle(tx, run, now);
  }
}

/**
 * debounce: keep only the latest event per (function, key) and fire period after the last one; with a timeout,
 * never later than timeout after the first. The scheduler starts the run when fire_at passes.
 */
async function debounce(tx: Tx, fn: FunctionDef, event: EventPayload, now: Date) {
  const d = fn.debounce!;
  const key = d.key ? JSON.stringify(d.key.value({ event }) ?? null) : "";
  const fireAt = new Date(now.getTime() + d.periodMs);
  await tx
    .insert(inngestDebounces)
    .values({
      functionId: fn.id,
      key,
      event,
      eventId: event.id,
      fireAt,
      deadline: d.timeoutMs ? new Date(now.getTime() + d.timeoutMs) : null,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [inngestDebounces.functionId, inngestDebounces.key],
      set: {
        event: sql`excluded.event`,
        eventId: sql`excluded.event_id`,
        fireAt: sql`case when ${inngestDebounces.deadline} is not null and ${inngestDebounces.deadline} < excluded.fire_at
          then ${inngestDebounces.deadline} else excluded.fire_at end`,
      },
    });
}
