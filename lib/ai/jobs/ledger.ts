import { and, asc, eq, inArray, isNull, lt, type SQLWrapper, sql } from "drizzle-orm";
import type { Db } from "@/db";
import {
  activeJobStatuses,
  aiJobs,
  type AiJob,
  type AiJobType,
  type JobStep,
  type JobStepRecord,
} from "@/db/ai-schema";
import { isUniqueViolation } from "@/db/errors";
import { preparedPerDb } from "@/db/prepared-queries";
import { COST_DECIMALS } from "../pricing";

export interface NewJob {
  jobType: AiJobType;
  targetType: string;
  targetId: string;
  /** The target's container (e.g. a page's story), for history filters. */
  scopeType?: string | null;
  scopeId?: string | null;
  parentJobId?: string | null;
  requestedBy: string | null;
  templateKey: string;
  templateVersion: number;
  provider: string;
  model: string;
  instruction: string;
  promptPayload: unknown;
  contextLeftOut: unknown[];
  baseVersion: number | null;
  retryOf?: string | null;
  /** The content rating the job is held to, the one asked for, and which maximum clamped it (policy is the domain's). */
  contentRating?: AiJob["contentRating"];
  requestedRating?: AiJob["requestedRating"];
  ratingClampedBy?: AiJob["ratingClampedBy"];
  /** A take's sampling (temperature and seed), sent with its model call. */
  sampling?: { temperature: number; seed: number } | null;
  /** A new take: the generation cache is not read for this job (lib/ai/jobs/generation-cache.ts). */
  fresh?: boolean;
  /** A chained workflow's steps (lib/ai/chain.ts); none for a one-call job. */
  steps?: JobStep[] | null;
  /** The prompt rendered when the job was requested (lib/ai/jobs/prerender.ts): its run starts with generate. */
  renderedPrompt?: string | null;
  promptHash?: string | null;
  cacheKey?: string | null;
}

const activeOn = (targetType: SQLWrapper | string, targetId: SQLWrapper | string) =>
  and(eq(aiJobs.targetType, targetType), eq(aiJobs.targetId, targetId), inArray(aiJobs.status, [...activeJobStatuses]));

/** Prepared (db/prepared-queries.ts): every request for a job on a target looks first. */
const activeJobOn = preparedPerDb((db) =>
  db
    .select()
    .from(aiJobs)
    .where(activeOn(sql.placeholder("targetType"), sql.placeholder("targetId")))
    .limit(1)
    .prepare("active_job_on_target"),
);

export async function findActiveJob(db: Db, targetType: string, targetId: string): Promise<AiJob | undefined> {
  const [job] = await activeJobOn(db).execute({ targetType, targetId });
  return job;
}

/** The id of the job active on a target: inside a transaction, where a whole row's query would be built anew. */
async function findActiveJobId(db: Db, targetType: string, targetId: string): Promise<string | undefined> {
  const [job] = await db.select({ id: aiJobs.id }).from(aiJobs).where(activeOn(targetType, targetId)).limit(1);
  return job?.id;
}

/**
 * Decides whether a requester may start another job (budgets, rate limits), given a handle inside the transaction
 * that will insert it; throws to refuse. The caller's rules, so lib/ai knows nothing about them.
 */
export type JobAdmission = (tx: Db) => Promise<void>;

/**
 * Creates a pending job, or returns the job already active on the same target (the database allows one):
 * a double click or a second tab joins the running job instead of starting another.
 *
 * With `admit`, the check and the insert happen in one transaction holding a lock on the requester, so concurrent
 * requests from one user are admitted one at a time and a limit counted from the jobs table cannot be overshot.
 * Joining a running job is not a new request and is never refused.
 */
export async function createOrJoinJob(
  db: Db,
  job: NewJob,
  admit?: JobAdmission,
): Promise<{ job: AiJob; created: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // With `admit` the transaction below looks under the requester's lock anyway (and its caller has usually just
    // looked): a look out here too would be one more round trip on every admitted request.
    if (!admit) {
      const existing = await findActiveJob(db, job.targetType, job.targetId);
      if (existing) return { job: existing, created: false };
    }
    try {
      const insert = async (handle: Db) => {
        const [row] = await handle
          .insert(aiJobs)
          .values({
            ...job,
            promptPayload: job.promptPayload as object,
            contextLeftOut: job.contextLeftOut as object[],
          })
          .returning();
        return row!;
      };
      const outcome = admit
        ? await db.transaction(async (tx) => {
            // A request that waited for the lock may find the job it raced with committed: it joins that job
            // rather than being counted against it. The two are sent together: PostgreSQL runs them in order on the
            // transaction's connection, so the look still happens under the lock, and once the lock's statement is
            // prepared on that connection (postgres.js holds back what follows one it is preparing), a round trip
            // sooner. lockRequester must stay first to reach the driver (see there).
            const [, raced] = await Promise.all([
              lockRequester(tx, job.requestedBy),
              findActiveJobId(tx, job.targetType, job.targetId),
            ]);
            if (raced) return { racedId: raced };
            await admit(tx);
            return { job: await insert(tx), created: true };
          })
        : { job: await insert(db), created: true };
      if (outcome.racedId === undefined) return outcome;
      // Read whole once committed, through the prepared read; a job that ended meanwhile is joined as it is now.
      const raced = await getJob(db, outcome.racedId);
      if (raced) return { job: raced, created: false };
    } catch (error) {
      // Lost a race with a concurrent request: loop and join the winner's job.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error(`Could not create or find the active job for ${job.targetType} ${job.targetId}`);
}

/**
 * Serializes admission decisions for one requester until the transaction ends (new requests, and background pages
 * about to start), so that limits counted from the jobs table hold under concurrency. Its statement starts at its
 * first and only await: createOrJoinJob sends its look right behind it and relies on this reaching the driver first.
 */
export async function lockRequester(tx: Db, requestedBy: string | null): Promise<void> {
  if (requestedBy)
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`ai-admission:${requestedBy}`}, 0))`);
}

const jobById = preparedPerDb((db) =>
  db
    .select()
    .from(aiJobs)
    .where(eq(aiJobs.id, sql.placeholder("jobId")))
    .limit(1)
    .prepare("ai_job_by_id"),
);

export async function getJob(db: Db, jobId: string): Promise<AiJob | undefined> {
  const [job] = await jobById(db).execute({ jobId });
  return job;
}

/**
 * Marks the job running and returns what rendering its prompt needs. Returns null when the job is no longer active
 * (e.g. cancelled before it started).
 */
export async function markRunning(
  db: Db,
  jobId: string,
): Promise<Pick<
  AiJob,
  | "templateKey"
  | "templateVersion"
  | "promptPayload"
  | "scopeId"
  | "jobType"
  | "provider"
  | "model"
  | "requestedBy"
  | "fresh"
  | "steps"
> | null> {
  const [job] = await db
    .update(aiJobs)
    .set({
      status: "running",
      startedAt: sql`coalesce(${aiJobs.startedAt}, now())`,
      partialText: null,
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, jobId), inArray(aiJobs.status, [...activeJobStatuses])))
    .returning({
      templateKey: aiJobs.templateKey,
      templateVersion: aiJobs.templateVersion,
      promptPayload: aiJobs.promptPayload,
      scopeId: aiJobs.scopeId,
      jobType: aiJobs.jobType,
      provider: aiJobs.provider,
      model: aiJobs.model,
      requestedBy: aiJobs.requestedBy,
      fresh: aiJobs.fresh,
      steps: aiJobs.steps,
    });
  return job ?? null;
}

/** What an attempt at the model call reads of its job (countAttempt, startRenderedAttempt). */
export const attemptColumns = {
  provider: aiJobs.provider,
  model: aiJobs.model,
  jobType: aiJobs.jobType,
  renderedPrompt: aiJobs.renderedPrompt,
  partialText: aiJobs.partialText,
  sampling: aiJobs.sampling,
};

/**
 * Counts one attempt at the model call (each execution of the generate step, retries included). The previous
 * attempt's partial text stays: the attempt resumes from it (lib/ai/workflows/continuation.ts) or clears it
 * (startOver). Returns null when the job is no longer running (cancelled meanwhile).
 */
export async function countAttempt(
  db: Db,
  jobId: string,
): Promise<Pick<AiJob, "provider" | "model" | "jobType" | "renderedPrompt" | "partialText" | "sampling"> | null> {
  const [job] = await db
    .update(aiJobs)
    .set({ attempts: sql`${aiJobs.attempts} + 1`, retryAt: null, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")))
    .returning(attemptColumns);
  return job ?? null;
}

/**
 * Sets finished jobs' results aside (takes not chosen, a dismissed take set): they stay in the ledger, with their
 * text, tokens and cost, and are never written anywhere. Returns the ids newly discarded.
 */
export async function markDiscarded(db: Db, jobIds: readonly string[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const rows = await db
    .update(aiJobs)
    .set({ discardedAt: new Date(), updatedAt: new Date() })
    .where(and(inArray(aiJobs.id, [...jobIds]), isNull(aiJobs.discardedAt)))
    .returning({ id: aiJobs.id });
  return rows.map((r) => r.id);
}

/**
 * An attempt failed and another follows at `retryAt`: why (a catalog code) and when, for the job's live view. Only
 * while running (a cancelled or finished job keeps its outcome).
 */
export async function markRetrying(db: Db, jobId: string, code: string, retryAt: Date): Promise<void> {
  await db
    .update(aiJobs)
    .set({ retryCode: code, retryAt, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
}

/** An attempt that continues the previous attempt's partial text, counted for the admin's view. */
export async function markResumed(db: Db, jobId: string): Promise<void> {
  await db
    .update(aiJobs)
    .set({ resumedAttempts: sql`${aiJobs.resumedAttempts} + 1`, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
}

/** An attempt that starts from zero: the previous attempt's partial text is no longer the job's text so far. */
export async function startOver(db: Db, jobId: string): Promise<void> {
  await db
    .update(aiJobs)
    .set({ partialText: null, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
}

/**
 * Adds what an interrupted attempt spent (the provider bills the tokens it streamed before the cut) to the job's
 * totals, so budgets and reports count every attempt; markSucceeded adds the last attempt's usage on top. Only while
 * running (a cancelled job keeps what it had).
 */
export async function addAttemptUsage(
  db: Db,
  jobId: string,
  usage: { inputTokens: number; outputTokens: number; costUsd: number | null },
): Promise<void> {
  await db
    .update(aiJobs)
    .set({
      inputTokens: sql`coalesce(${aiJobs.inputTokens}, 0) + ${usage.inputTokens}`,
      outputTokens: sql`coalesce(${aiJobs.outputTokens}, 0) + ${usage.outputTokens}`,
      costUsd: addedCost(usage.costUsd),
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
}

/** A cost added to the job's (an unpriced model, null, leaves it as it is). */
function addedCost(costUsd: number | null) {
  return costUsd === null
    ? undefined
    : sql`coalesce(${aiJobs.costUsd}, 0) + ${costUsd.toFixed(COST_DECIMALS)}::numeric`;
}

/**
 * The render step's outcome: the hash (kept for good) and, for a one-piece job, the prompt its generate step will
 * send (kept while the job runs: every way a job ends clears it). Only while running, so a job cancelled meanwhile
 * keeps no prompt nobody will clear.
 */
export async function recordRenderedPrompt(
  db: Db,
  jobId: string,
  promptHash: string,
  renderedPrompt: string | null = null,
): Promise<void> {
  await db
    .update(aiJobs)
    .set({ promptHash, renderedPrompt, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")));
}

/**
 * Partial text for listeners that poll (a reload, another tab, another app instance). Only while running: the answer
 * says whether the job still is, so the generating step notices a cancel without another query.
 */
const partialSave = preparedPerDb((db) =>
  db
    .update(aiJobs)
    .set({
      partialText: sql`${sql.placeholder("text")}::text`,
      // The first token's time is kept once set; a null leaves it as it is.
      firstTokenAt: sql`coalesce(${aiJobs.firstTokenAt}, ${sql.placeholder("firstTokenAt")}::timestamptz)`,
      updatedAt: sql`${sql.placeholder("updatedAt")}::timestamptz`,
    })
    .where(and(eq(aiJobs.id, sql.placeholder("jobId")), eq(aiJobs.status, "running")))
    .returning({ id: aiJobs.id })
    .prepare("save_partial_text"),
);

export async function savePartial(db: Db, jobId: string, text: string, firstTokenAt: Date | null): Promise<boolean> {
  // Prepared (db/prepared-queries.ts): a streaming job saves its text every 200 ms.
  const updated = await partialSave(db).execute({
    jobId,
    text,
    firstTokenAt: firstTokenAt?.toISOString() ?? null,
    updatedAt: new Date().toISOString(),
  });
  return updated.length > 0;
}

export async function markSucceeded(
  db: Db,
  jobId: string,
  result: {
    text: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number | null;
    firstTokenAt: Date | null;
  },
): Promise<Pick<AiJob, "status" | "targetType" | "targetId"> | null> {
  const [job] = await db
    .update(aiJobs)
    .set({
      status: "succeeded",
      outputText: result.text,
      partialText: null,
      // Added to what interrupted attempts spent (addAttemptUsage); a job without any has nulls there.
      inputTokens: sql`coalesce(${aiJobs.inputTokens}, 0) + ${result.inputTokens}`,
      outputTokens: sql`coalesce(${aiJobs.outputTokens}, 0) + ${result.outputTokens}`,
      costUsd: addedCost(result.costUsd),
      firstTokenAt: result.firstTokenAt
        ? sql`coalesce(${aiJobs.firstTokenAt}, ${result.firstTokenAt.toISOString()}::timestamptz)`
        : undefined,
      renderedPrompt: null,
      completedAt: new Date(),
      updatedAt: new Date(),
      errorCode: null,
      errorMessage: null,
    })
    .where(and(eq(aiJobs.id, jobId), inArray(aiJobs.status, [...activeJobStatuses])))
    .returning({ status: aiJobs.status, targetType: aiJobs.targetType, targetId: aiJobs.targetId });
  return job ?? null;
}

/** Final failure bookkeeping; a job that already ended (e.g. cancelled) keeps its outcome. */
export async function markFailed(
  db: Db,
  jobId: string,
  errorCode: string,
  errorMessage: string,
): Promise<AiJob | null> {
  const [job] = await db
    .update(aiJobs)
    .set({
      status: "failed",
      errorCode,
      errorMessage: errorMessage.slice(0, 4000),
      renderedPrompt: null,
      retryAt: null,
      completedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, jobId), inArray(aiJobs.status, [...activeJobStatuses])))
    .returning();
  return job ?? null;
}

export async function markCancelled(db: Db, jobId: string): Promise<AiJob | null> {
  const [job] = await db
    .update(aiJobs)
    .set({
      status: "cancelled",
      errorCode: "GEN_CANCELLED",
      errorMessage: "cancelled by the user",
      partialText: null,
      renderedPrompt: null,
      retryAt: null,
      completedAt: new Date(),
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, jobId), inArray(aiJobs.status, [...activeJobStatuses])))
    .returning();
  return job ?? null;
}

/** What re-sending a pending job's event needs (lib/ai/jobs/queue.ts enqueueJob). */
export type StalePendingJob = Pick<AiJob, "id" | "jobType" | "targetType" | "targetId" | "parentJobId"> & {
  prerendered: boolean;
};

/**
 * Top-level jobs still pending after `olderThanMs`, oldest first: their event may never have been sent (the row is
 * the outbox). Children of a fan-out are left out: their parent's run sends their events from a durable step, and
 * they legitimately wait pending behind the background limit for as long as a large revision takes, so sweeping them
 * would fill every batch with events already delivered while a plain job that really was lost waits.
 */
export async function stalePendingJobs(db: Db, olderThanMs: number, limit = 100): Promise<StalePendingJob[]> {
  return db
    .select({
      id: aiJobs.id,
      jobType: aiJobs.jobType,
      targetType: aiJobs.targetType,
      targetId: aiJobs.targetId,
      parentJobId: aiJobs.parentJobId,
      // Whether, not what: a Generate's prompt (up to 400 KB) is in its row from the start.
      prerendered: sql<boolean>`${aiJobs.renderedPrompt} is not null`,
    })
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.status, "pending"),
        isNull(aiJobs.parentJobId),
        lt(aiJobs.createdAt, new Date(Date.now() - olderThanMs)),
      ),
    )
    .orderBy(asc(aiJobs.createdAt))
    .limit(limit);
}

/**
 * Records that the target's owner has handled a succeeded job's output. Idempotent: the first landing time stays.
 * A fan-out parent counts a succeeded child as ended only once it has landed (lib/ai/jobs/fan-out.ts).
 */
export async function markLanded(db: Db, jobId: string): Promise<void> {
  await db
    .update(aiJobs)
    .set({ landedAt: sql`coalesce(${aiJobs.landedAt}, now())` })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "succeeded")));
}

/**
 * countAttempt for one section of a job revised section by section: counts the attempt, shows the sections revised
 * so far as the job's partial text (the section's own answer streams after it) and returns what rendering the section
 * needs. Null when the job is no longer running: a cancel stops every later section here.
 */
/**
 * Counts one attempt at a later step of a chained job (lib/ai/chain.ts): the step streams from nothing (a later section
 * of a sectioned step, from the sections before it), so an earlier step's or attempt's partial text goes. Null when
 * the job is no longer running.
 */
export async function countStepAttempt(
  db: Db,
  jobId: string,
  /** A sectioned step's answers to the sections before this call: the text shown so far. */
  soFar = "",
): Promise<Pick<AiJob, "provider" | "model" | "jobType" | "steps" | "startedAt"> | null> {
  const [job] = await db
    .update(aiJobs)
    .set({ attempts: sql`${aiJobs.attempts} + 1`, partialText: soFar || null, retryAt: null, updatedAt: new Date() })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")))
    .returning({
      provider: aiJobs.provider,
      model: aiJobs.model,
      jobType: aiJobs.jobType,
      steps: aiJobs.steps,
      startedAt: aiJobs.startedAt,
    });
  return job ?? null;
}

/** Records what step `index` of a chained job spent; a repeated step writes the same record again. */
export async function recordJobStep(db: Db, jobId: string, index: number, record: JobStepRecord): Promise<void> {
  await db
    .update(aiJobs)
    .set({
      steps: sql`jsonb_set(${aiJobs.steps}, ${`{${index},record}`}::text[], ${JSON.stringify(record)}::jsonb)`,
      updatedAt: new Date(),
    })
    .where(eq(aiJobs.id, jobId));
}

export async function countSectionAttempt(
  db: Db,
  jobId: string,
  revisedSoFar: string,
): Promise<Pick<AiJob, "provider" | "model" | "jobType" | "templateKey" | "templateVersion" | "promptPayload"> | null> {
  const [job] = await db
    .update(aiJobs)
    .set({
      attempts: sql`${aiJobs.attempts} + 1`,
      partialText: revisedSoFar || null,
      retryAt: null,
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, jobId), eq(aiJobs.status, "running")))
    .returning({
      provider: aiJobs.provider,
      model: aiJobs.model,
      jobType: aiJobs.jobType,
      templateKey: aiJobs.templateKey,
      templateVersion: aiJobs.templateVersion,
      promptPayload: aiJobs.promptPayload,
    });
  return job ?? null;
}
