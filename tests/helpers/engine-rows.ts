import { eq, sql } from "drizzle-orm";
import type { EngineDb } from "@/lib/inngest/embedded";
import {
  inngestAttempts,
  inngestEvents,
  inngestQueue,
  inngestRuns,
  inngestSteps,
  rowsOf,
  type RunStatus,
  ulid,
} from "@/lib/inngest/embedded/testing";
import { waitFor } from "../engine/harness";

/** Engine rows written straight into the tables, with chosen ages: what retention finds after weeks of work. */

export const DAY = 86_400_000;
let seq = 0;

export interface SeededRun {
  runId: string;
  eventId: string;
}

/**
 * A run of `functionId` (its event received when the run was created, two steps, one call per step and a leftover
 * queue item) created `ageMs` ago; a finished run ended a minute after it was created.
 */
export async function seedRun(
  db: EngineDb,
  {
    ageMs,
    status = "completed",
    data = {},
    functionId = "story-sprout-fn",
    output = { b: 1, a: [2] },
  }: { ageMs: number; status?: RunStatus; data?: Record<string, unknown>; functionId?: string; output?: unknown },
): Promise<SeededRun> {
  seq++;
  const created = new Date(Date.now() - ageMs);
  const ended = new Date(created.getTime() + 60_000);
  const finished = status !== "queued" && status !== "running";
  const runId = `run-${seq}-${created.getTime()}`;
  const eventId = `evt-${seq}-${created.getTime()}`;
  const event = { name: "test/retention", data, id: eventId, ts: created.getTime() };
  await db.insert(inngestEvents).values({ id: eventId, name: event.name, data, ts: event.ts, receivedAt: created });
  await db.insert(inngestRuns).values({
    id: runId,
    functionId,
    status,
    event,
    eventId,
    output: finished && status === "completed" ? output : null,
    error: status === "failed" ? { name: "Error", message: "boom", code: "X" } : null,
    createdAt: created,
    startedAt: created,
    endedAt: finished ? ended : null,
  });
  for (const [i, name] of ["first", "second"].entries()) {
    const stepEnd = new Date(created.getTime() + (i + 1) * 10_000);
    await db.insert(inngestSteps).values({
      runId,
      id: `step-${name}`,
      name,
      op: finished || i === 0 ? "StepRun" : "Sleep",
      status: finished || i === 0 ? "completed" : "sleeping",
      data: finished || i === 0 ? { z: name, y: i } : null,
      attempts: i,
      seq: finished || i === 0 ? i : null,
      createdAt: created,
      endedAt: finished || i === 0 ? stepEnd : null,
    });
    await db.insert(inngestAttempts).values({
      runId,
      stepId: `step-${name}`,
      attempt: 0,
      outcome: "steps",
      httpStatus: 206,
      startedAt: created,
      endedAt: stepEnd,
    });
  }
  await db.insert(inngestQueue).values({ runId, kind: "wake", stepId: "step-second", availableAt: ended });
  return { runId, eventId };
}

/** An event with no run, received `ageMs` ago. */
export async function seedEvent(db: EngineDb, ageMs: number): Promise<string> {
  seq++;
  const received = new Date(Date.now() - ageMs);
  const id = `lone-${seq}-${received.getTime()}`;
  await db
    .insert(inngestEvents)
    .values({ id, name: "test/lone", data: {}, ts: received.getTime(), receivedAt: received });
  return id;
}

export async function countRows(db: EngineDb) {
  const n = async (table: string) =>
    Number(rowsOf<{ n: number }>(await db.execute(sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n);
  return {
    runs: await n("inngest_runs"),
    steps: await n("inngest_steps"),
    attempts: await n("inngest_attempts"),
    queue: await n("inngest_queue"),
    events: await n("inngest_events"),
  };
}

export async function exists(db: EngineDb, table: "inngest_runs" | "inngest_events", id: string): Promise<boolean> {
  return rowsOf(await db.execute(sql`select 1 from ${sql.identifier(table)} where id = ${id}`)).length > 0;
}

/**
 * A running run with one discovery call leased to `owner` for a minute, as a worker holds it mid-call (for driving the
 * engine's recording statements directly); `parent` makes it the child of a step.invoke.
 */
export async function runWithLeasedCall(
  db: EngineDb,
  { owner, parent }: { owner: string; parent?: string },
): Promise<{ runId: string; itemId: number }> {
  const runId = ulid();
  await db.insert(inngestRuns).values({
    id: runId,
    functionId: "leased-call-test",
    status: "running",
    event: { name: "test/leased-call", data: {} },
    ...(parent ? { parentRunId: parent, parentStepId: "invoke-step" } : {}),
  });
  return { runId, itemId: await leasedCall(db, runId, owner) };
}

/** A discovery call of `runId`, leased to `owner` for a minute as a worker holds it mid-call; returns its id. */
export async function leasedCall(db: EngineDb, runId: string, owner: string): Promise<number> {
  const [item] = await db
    .insert(inngestQueue)
    .values({
      runId,
      kind: "call",
      availableAt: new Date(),
      leaseOwner: owner,
      leaseUntil: new Date(Date.now() + 60_000),
    })
    .returning({ id: inngestQueue.id });
  return item!.id;
}

/**
 * The steps of a job's run, in the order they were recorded, once the run has completed: a finish step lands the
 * job's text before the engine records the step, so a job seen finished does not mean its steps are all there yet.
 */
export async function completedJobRunSteps(db: EngineDb, jobId: string): Promise<{ name: string; data: unknown }[]> {
  await waitFor(
    async () => {
      const [run] = await db
        .select({ status: inngestRuns.status })
        .from(inngestRuns)
        .where(sql`${inngestRuns.event}->'data'->>'jobId' = ${jobId}`);
      return run?.status === "completed" ? true : null;
    },
    { timeoutMs: 10_000, what: `the run of job ${jobId} to complete` },
  );
  return db
    .select({ name: inngestSteps.name, data: inngestSteps.data })
    .from(inngestSteps)
    .innerJoin(inngestRuns, eq(inngestRuns.id, inngestSteps.runId))
    .where(sql`${inngestRuns.event}->'data'->>'jobId' = ${jobId}`)
    .orderBy(inngestSteps.createdAt);
}
