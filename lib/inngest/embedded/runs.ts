import { lte, sql } from "drizzle-orm";
import { inngestRunIdempotency, inngestRuns } from "./schema";
import type { FunctionDef } from "./function-config";
import { ulid } from "./ids";
import type { Tx } from "./sql";
import { enqueue } from "./steps";
import type { EventPayload } from "./types";

/** A function's `idempotency` key holds for this long, as in Inngest. */
export const RUN_IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface NewRun {
  /** Chosen by the caller when something (an idempotency key) must name the run before it exists. */
  id?: string;
  fn: FunctionDef;
  event: EventPayload;
  eventId?: string | null;
  parent?: { runId: string; stepId: string };
  now: Date;
}

/**
 * Concurrency keys are fixed when the run is created (from its event), like Inngest: `fnId:<n>` for a function-wide
 * limit, `fnId:<n>:<json of key value>` for a keyed one.
 */
export function concurrencyFor(fn: FunctionDef, event: EventPayload): { keys: string[]; limits: number[] } {
  const keys: string[] = [];
  const limits: number[] = [];
  fn.concurrency.forEach((c, i) => {
    const base = `${fn.id}:${i}`;
    keys.push(c.key ? `${base}:${JSON.stringify(c.key.value({ event }) ?? null)}` : base);
    limits.push(c.limit);
  });
  return { keys, limits };
}

/** Creates a queued run and its first (discovery) call. */
export async function createRun(tx: Tx, input: NewRun): Promise<string> {
  const id = input.id ?? ulid(input.now.getTime());
  const { keys, limits } = concurrencyFor(input.fn, input.event);
  await tx.insert(inngestRuns).values({
    id,
    functionId: input.fn.id,
    status: "queued",
    event: input.event,
    eventId: input.eventId ?? null,
    concurrencyKeys: keys,
    concurrencyLimits: limits,
    parentRunId: input.parent?.runId ?? null,
    parentStepId: input.parent?.stepId ?? null,
    createdAt: input.now,
  });
  await enqueue(tx, {
    runId: id,
    kind: "call",
    stepId: null,
    attempt: 0,
    availableAt: input.now,
    concurrencyKeys: keys,
    concurrencyLimits: limits,
  });
  return id;
}

/**
 * Starts a run of `fn` for an event, unless the function's `idempotency` key for this event already belongs to a run
 * started in the last 24 h. The key is claimed in the caller's transaction, so two events with the same key (on any
 * instance) start one run. Returns the run id, or null when the key was taken.
 */
export async function startEventRun(tx: Tx, fn: FunctionDef, event: EventPayload, now: Date): Promise<string | null> {
  const id = ulid(now.getTime());
  if (fn.idempotency) {
    const value = fn.idempotency.value({ event });
    if (value !== undefined && value !== null) {
      const expiresAt = new Date(now.getTime() + RUN_IDEMPOTENCY_WINDOW_MS);
      const claimed = await tx
        .insert(inngestRunIdempotency)
        .values({ functionId: fn.id, key: JSON.stringify(value), runId: id, expiresAt })
        .onConflictDoUpdate({
          target: [inngestRunIdempotency.functionId, inngestRunIdempotency.key],
          set: { runId: sql`excluded.run_id`, expiresAt: sql`excluded.expires_at` },
          setWhere: lte(inngestRunIdempotency.expiresAt, now),
        })
        .returning({ runId: inngestRunIdempotency.runId });
      if (!claimed.length) return null;
    }
  }
  return createRun(tx, { id, fn, event, eventId: event.id, now });
}
