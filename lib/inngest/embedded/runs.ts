import { lte, sql } from "drizzle-orm";
import { inngestQueue, inngestRunIdempotency, inngestRuns } from "./schema";
import type { FunctionDef } from "./function-config";
import { ulid } from "./ids";
import type { Tx } from "./sql";
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

/**
 * Runs per statement when runs are created together. The rows travel as one JSON parameter, so the limit is not
 * PostgreSQL's 65,535 parameters but the size of one value: a statement also ends once its JSON passes
 * JSON_CHARS_PER_STATEMENT (events are capped at 3 MB each, so a thousand large ones would pass jsonb's 256 MB).
 */
const RUNS_PER_STATEMENT = 1000;
const JSON_CHARS_PER_STATEMENT = 32 * 1024 * 1024;

/**
 * Creates queued runs and their first calls, in one statement per RUNS_PER_STATEMENT runs however many there are
 * (a batch of events, a fan-out of a thousand pages). Returns the runs' ids in order.
 *
 * The rows go as one JSON array unpacked by `jsonb_to_recordset`, not as a multi-row VALUES list: building a
 * 1,000-row insert with the query builder took over 100 ms of this thread (a parameter object and type checks per
 * value), time every request of the process waited for; serialising the array takes about a millisecond.
 */
export async function createRuns(tx: Tx, inputs: readonly NewRun[]): Promise<string[]> {
  const ids: string[] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const input of inputs) {
    const { keys, limits } = concurrencyFor(input.fn, input.event);
    const id = input.id ?? ulid(input.now.getTime());
    const row = (ord: number) =>
      JSON.stringify({
        ord,
        id,
        function_id: input.fn.id,
        event: input.event,
        event_id: input.eventId ?? null,
        concurrency_keys: keys,
        concurrency_limits: limits,
        parent_run_id: input.parent?.runId ?? null,
        parent_step_id: input.parent?.stepId ?? null,
        created_at: input.now.toISOString(),
      });
    let json = row(chunk.length);
    // A statement ends before the run that would take it past either limit (a lone run always fits).
    if (chunk.length >= RUNS_PER_STATEMENT || (chunk.length > 0 && chars + json.length > JSON_CHARS_PER_STATEMENT)) {
      await insertRuns(tx, chunk);
      chunk = [];
      chars = 0;
      json = row(0);
    }
    chunk.push(json);
    chars += json.length;
    ids.push(id);
  }
  if (chunk.length) await insertRuns(tx, chunk);
  return ids;
}

/** One statement: the runs (each row a JSON object) and their first calls, the calls in the runs' order. */
async function insertRuns(tx: Tx, rows: string[]): Promise<void> {
  // The queue rows are inserted in the runs' order (`ord`), so that their ids, which break ties between items due at
  // the same time, keep the order the runs were asked for.
  await tx.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${`[${rows.join(",")}]`}::jsonb) as r(ord integer, id text, function_id text,
        event jsonb, event_id text, concurrency_keys text[], concurrency_limits integer[], parent_run_id text,
        parent_step_id text, created_at timestamptz)
    ),
    created as (
      insert into ${inngestRuns} (id, function_id, status, event, event_id, concurrency_keys, concurrency_limits,
        parent_run_id, parent_step_id, created_at)
      select id, function_id, 'queued', event, event_id, concurrency_keys, concurrency_limits, parent_run_id,
        parent_step_id, created_at
      from input order by ord
    )
    insert into ${inngestQueue} (run_id, kind, step_id, attempt, available_at, concurrency_keys, concurrency_limits)
    select id, 'call', null, 0, created_at, concurrency_keys, concurrency_limits from input order by ord
    on conflict do nothing`);
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
