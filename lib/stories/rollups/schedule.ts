import { and, eq, gt, inArray, isNull, ne, or, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { activeJobStatuses, type AiJob, aiJobs } from "@/db/ai-schema";
import { storyRollups } from "@/db/memory-schema";
import { stories } from "@/db/schema";
import { announceJob, createOrJoinJob, resolveModel, resolveTemplate, rollupKey, rollupTargetId } from "@/lib/ai";
import { inngest } from "@/lib/inngest/client";
import { processEngine } from "@/lib/inngest/embedded";
import { summariesChanged } from "@/lib/inngest/events/summaries-changed";
import { inngestMode } from "@/lib/inngest/mode";
import { log } from "@/lib/log";
import { ROLLUP_JOB_TYPE } from "../job-kinds";
import { automaticJobsMayRun } from "../spending-policy";
import { livePagesForSummaries, summariesOf } from "../summaries/state";
import { ROLLUP_TEMPLATE_KEY, rollupJobFor } from "./job";
import { rollupChildren, rollupRuns, storedRollupsOf } from "./state";

/*
 * Roll-ups are written bottom-up in the background: after a story's summaries change (debounced per story,
 * lib/stories/functions/rollup-story.ts), one `story.rollup` job per run that is missing or stale and whose children
 * are ready; each roll-up that lands asks again, so the level above follows as soon as both its halves are fresh.
 */

/**
 * Announces committed summary changes of a story. Like the page-text announcement, it never fails or holds up its
 * caller: a lost one leaves the roll-ups stale (the context then uses the stand-in) until the next change.
 */
export function announceSummariesChanged(storyId: string, requestedBy: string | null): Promise<void> {
  if (inngestMode() === "embedded" && !processEngine()) return Promise.resolve();
  return inngest.send(summariesChanged.create({ storyId, requestedBy })).then(
    () => undefined,
    (error) => log("warn", "summary change not announced; roll-ups wait for the next change", { storyId, error }),
  );
}

/** How long a succeeded roll-up waits to land before the run may be asked for again (a landing lost for good). */
const LANDING_GRACE_MS = 5 * 60_000;

/**
 * Runs with a roll-up job under way: active, or succeeded and not landed yet (recently). Read before the roll-ups
 * themselves, so that a job landing meanwhile is either seen here or its roll-up is read as stored: two landings at
 * once (the two halves of a run) must not each ask for the other's run again.
 */
async function rollupsInFlight(db: Db, storyId: string, landingJobId: string | undefined): Promise<Set<string>> {
  const rows = await db
    .select({ targetId: aiJobs.targetId })
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.scopeId, storyId),
        eq(aiJobs.jobType, ROLLUP_JOB_TYPE),
        // The job whose landing is asking is not in flight any more (a discarded one must be asked for again).
        landingJobId ? ne(aiJobs.id, landingJobId) : undefined,
        or(
          inArray(aiJobs.status, [...activeJobStatuses]),
          and(
            eq(aiJobs.status, "succeeded"),
            isNull(aiJobs.landedAt),
            gt(aiJobs.completedAt, sql`${new Date(Date.now() - LANDING_GRACE_MS).toISOString()}::timestamptz`),
          ),
        ),
      ),
    );
  return new Set(rows.map((r) => r.targetId));
}

export interface RollupScheduling {
  submitted: number;
  joined: number;
  fresh: number;
  waiting: number;
  outcome: "scheduled" | "deleted" | "budget";
}

/**
 * Submits a roll-up job for every run that needs one and can be written now. Safe to call any number of times: a
 * run with a job already active joins it (one active job per target). Roll-ups of runs the story no longer has (it
 * got shorter) are deleted. The payer is whoever changed the summaries, else the story's owner; with their budget
 * used up nothing is submitted and the context keeps the stand-ins.
 *
 * Callers for one story (the debounced scheduler, each landing roll-up) are taken one at a time, under a lock held
 * until their jobs are recorded: otherwise one could read "nothing in flight", another's job for the same run could be
 * written and finish meanwhile, and the first would then ask the model for that run a second time.
 */
export async function scheduleRollups(
  storyId: string,
  requestedBy: string | null,
  options: { landingJobId?: string } = {},
): Promise<RollupScheduling> {
  const db = await getDb();
  const created: AiJob[] = [];
  const scheduling = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`story-rollups:${storyId}`}, 0))`);
    return scheduleUnderLock(tx, storyId, requestedBy, options.landingJobId, created);
  });
  for (const job of created) await announceJob(job);
  return scheduling;
}

async function scheduleUnderLock(
  db: Db,
  storyId: string,
  requestedBy: string | null,
  landingJobId: string | undefined,
  created: AiJob[],
): Promise<RollupScheduling> {
  const [story] = await db.select().from(stories).where(eq(stories.id, storyId)).limit(1);
  const none = { submitted: 0, joined: 0, fresh: 0, waiting: 0 };
  if (!story) return { ...none, outcome: "deleted" };
  const inFlight = await rollupsInFlight(db, story.id, landingJobId);
  const ordered = await livePagesForSummaries(db, story.id);
  await db
    .delete(storyRollups)
    .where(
      and(eq(storyRollups.storyId, story.id), gt(sql`${storyRollups.start} + ${storyRollups.size}`, ordered.length)),
    );
  const summaries = await summariesOf(
    db,
    ordered.map((p) => p.id),
  );
  const children = rollupChildren(ordered, (id) => summaries.get(id)?.text);
  const stored = await storedRollupsOf(db, story.id);
  const runs = rollupRuns(children, stored);
  const due = runs.filter((r) => r.state === "missing" || r.state === "stale");
  const counts = {
    ...none,
    fresh: runs.filter((r) => r.state === "fresh").length,
    waiting: runs.filter((r) => r.state === "waiting").length,
  };
  if (due.length === 0) return { ...counts, outcome: "scheduled" };
  const payer = requestedBy ?? story.ownerId;
  if (!(await automaticJobsMayRun(db, payer))) {
    log("info", "roll-ups skipped: spending budget used", { storyId });
    return { ...counts, outcome: "budget" };
  }
  const template = await resolveTemplate(ROLLUP_TEMPLATE_KEY, undefined, db);
  const model = resolveModel(process.env, { task: "rollup" });
  for (const run of due) {
    const targetId = rollupTargetId(story.id, run.start, run.size);
    if (inFlight.has(targetId)) {
      // Its job is running or about to land (which asks again): a second job now would write the same run twice.
      counts.joined++;
      continue;
    }
    const parts =
      run.level === 1
        ? children
            .slice(run.start, run.start + run.size)
            .map((c, i) => ({ from: run.start + i + 1, to: run.start + i + 1, text: c.summary ?? "" }))
        : [run.start, run.start + run.size / 2].map((start) => ({
            from: start + 1,
            to: start + run.size / 2,
            text: stored.get(rollupKey(start, run.size / 2))!.text,
          }));
    const job = rollupJobFor({
      story,
      pageCount: ordered.length,
      run: { ...run, fingerprint: run.fingerprint!, targetId },
      parts,
      requestedBy: payer,
      template,
      model,
    });
    const outcome = await createOrJoinJob(db, { ...job, parentJobId: null });
    if (outcome.created) {
      created.push(outcome.job);
      counts.submitted++;
    } else counts.joined++;
  }
  return { ...counts, outcome: "scheduled" };
}
