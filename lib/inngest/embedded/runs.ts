import { inngestRuns } from "./schema";
import type { FunctionDef } from "./function-config";
import { ulid } from "./ids";
import type { Tx } from "./sql";
import { enqueue } from "./steps";
import type { EventPayload } from "./types";

export interface NewRun {
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
function concurrencyFor(fn: FunctionDef, event: EventPayload): { keys: string[]; limits: number[] } {
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
  const id = ulid(input.now.getTime());
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
