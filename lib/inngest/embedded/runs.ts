import { lte, sql } from "drizzle-orm";
import { inngestRunIdempotency, inngestRuns } from "./schema";
import type { FunctionDef } from "./function-config";
import { ulid } from "./ids";
import type { Tx } from "./sql";
import { enqueueAll } from "./steps";
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
  const [id] = await createRuns(tx, [input]);
  return id!;
}

/** Rows per statement when runs are created together: far below PostgreSQL's 65,535 parameters. */
const RUNS_PER_STATEMENT = 1000;

/**
 * Creates queued runs and their first calls, in two statements per RUNS_PER_STATEMENT runs however many there are
 * (a batch of events, a fan-out of a thousand pages). Returns the runs' ids in order.
 */
export async function createRuns(tx: Tx, inputs: readonly NewRun[]): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < inputs.length; from += RUNS_PER_STATEMENT) {
    const chunk = inputs.slice(from, from + RUNS_PER_STATEMENT).map((input) => ({
      input,
      id: input.id ?? ulid(input.now.getTime()),
      ...concurrencyFor(input.fn, input.event),
    }));
    await tx.insert(inngestRuns).values(
      chunk.map(({ input, id, keys, limits }) => ({
        id,
        functionId: input.fn.id,
        status: "queued" as const,
        event: input.event,
        eventId: input.eventId ?? null,
        concurrencyKeys: keys,
        concurrencyLimits: limits,
        parentRunId: input.parent?.runId ?? null,
        parentStepId: input.parent?.stepId ?? null,
        createdAt: input.now,
      })),
    );
    await enqueueAll(
      tx,
      chunk.map(({ input, id, keys, limits }) => ({
        runId: id,
        kind: "call" as const,
        stepId: null,
        attempt: 0,
        availableAt: input.now,
        concurrencyKeys: keys,
        concurrencyLimits: limits,
      })),
    );
    ids.push(...chunk.map((c) => c.id));
  }
  return ids;
}

/**
 * Starts a run of `fn` for an event, unless the function's `idempotency` key for this event already belongs to a run
 * started in the last 24 h. The key is claimed in the caller's transaction, so two events with the same key (on any
 * instance) start one run. Returns the run id, or null when the key was taken.
 */
export async function startEventRun(tx: Tx, fn: FunctionDef, event: EventPayload, now: Date): Promise<string | null> {
  const run = await claimEventRun(tx, fn, event, now);
  return run ? createRun(tx, run) : null;
}

/**
 * The run an event would start: its id chosen, and the function's `idempotency` key for the event claimed for it
 * (null when the key was taken). createRun or createRuns then creates it.
 */
export async function claimEventRun(tx: Tx, fn: FunctionDef, event: EventPayload, now: Date): Promise<NewRun | null> {
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
  return { id, fn, event, eventId: event.id, now };
}
