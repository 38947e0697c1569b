import { sql, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { inngest } from "@/lib/inngest/client";
import { aiBatchRequested } from "@/lib/inngest/events/ai-batch-requested";
import { aiChildJobRequested } from "@/lib/inngest/events/ai-child-job-requested";
import { aiJobCancelRequested } from "@/lib/inngest/events/ai-job-cancel-requested";
import { aiJobRequested } from "@/lib/inngest/events/ai-job-requested";
import { isForegroundChildJobType } from "../job-types/kinds";
import { log } from "@/lib/log";
import type { FanOutJobType } from "../job-types/definition";
import {
  cancelActiveChildren,
  createChildJobs,
  listChildren,
  markFanOutRunning,
  settleFanOutParent,
} from "../jobs/fan-out";
import { describeFailure } from "../jobs/job-failure";
import { getJob, markFailed } from "../jobs/ledger";
import { ONE_RUN_PER_JOB } from "../jobs/queue";
import { publishJobUpdate } from "../jobs/live";

export type { FanOutPlan } from "../job-types/definition";

/** A target that already has an active job of its own (the author pressed Generate): left alone, reported. */
const SKIPPED_BUSY = "busy";

/**
 * Fan-out of a parent job (generic: the job type's `plan` builds the children's payloads): create-children (one
 * child row per target, idempotent; then the parent becomes running) → fan-out (one ai/child-job.requested per
 * child, event id = child id) → settle (a parent without any child ends at once). The skips are recorded in the
 * parent's prompt payload (`skipped`), which is what the progress view reads.
 */
export function createFanOutJob(definition: FanOutJobType) {
  return inngest.createFunction(
    {
      id: definition.functionId,
      name: `Fan out ${definition.type}`,
      triggers: [aiBatchRequested],
      retries: 3,
      // One run per parent job, whichever event (first send, sweeper re-send) carries it.
      idempotency: ONE_RUN_PER_JOB,
      cancelOn: [{ event: aiJobCancelRequested.name, if: "event.data.jobId == async.data.jobId" }],
      onFailure: async ({ event, error, step }) => {
        const { jobId } = event.data.event.data;
        await step.run("mark-failed", async () => {
          const db = await getDb();
          // No step of a fan-out ends it with a code of its own: when it fails, the fan-out itself could not run (a
          // bug, its store or the engine failed), which authors read as "something went wrong on our side".
          const code = "INTERNAL";
          const detail = describeFailure(error);
          const job = await markFailed(db, jobId, code, detail);
          // Children created before the failure must not run for a parent that is over.
          await cancelActiveChildren(db, jobId);
          publishJobUpdate({ jobId, status: job?.status ?? "failed" });
          log("warn", "fan-out job failed", { jobId, code, detail });
        });
      },
    },
    async ({ event, step }) => {
      const { jobId, jobType } = event.data;
      // ai/batch.requested is shared by every fan-out type: each function runs its own parents only.
      if (jobType !== definition.type) return { jobId, children: 0, settled: null };

      const toSend = await step.run("create-children", async () => {
        const db = await getDb();
        const parent = await getJob(db, jobId);
        if (!parent || parent.jobType !== definition.type) return [];
        if (parent.status === "running") {
          // A repeat after the children were made (crash before this step was recorded): send them again; their
          // event ids are their job ids, so none runs twice.
          return (await listChildren(db, jobId)).filter((c) => c.status === "pending").map(childEvent);
        }
        if (parent.status !== "pending") return [];
        const plan = await definition.plan(parent);
        const skipped = [...plan.skipped];
        const created: AiJob[] = [];
        const results = await createChildJobs(db, jobId, plan.children);
        results.forEach((result, i) => {
          if (result.outcome === "busy") skipped.push({ targetId: plan.children[i]!.targetId, reason: SKIPPED_BUSY });
          else created.push(result.job);
        });
        await db
          .update(aiJobs)
          .set({
            promptPayload: sql`${aiJobs.promptPayload} || ${JSON.stringify({ skipped })}::jsonb`,
            updatedAt: new Date(),
          })
          .where(eq(aiJobs.id, jobId));
        if (!(await markFanOutRunning(db, jobId))) {
          // Cancelled while the children were being made.
          await cancelActiveChildren(db, jobId);
          return [];
        }
        publishJobUpdate({ jobId, status: "running" });
        return created.filter((c) => c.status === "pending").map(childEvent);
      });

      if (toSend.length > 0) {
        await step.sendEvent(
          "fan-out",
          // Children the author waits for (takes) run beside Generate, the others under the background limit.
          toSend.map((c) =>
            isForegroundChildJobType(c.jobType)
              ? aiJobRequested.create(c, { id: c.jobId })
              : aiChildJobRequested.create(c, { id: c.jobId }),
          ),
        );
      }

      const settled = await step.run(
        "settle",
        async () => (await settleFanOutParent(await getDb(), jobId))?.status ?? null,
      );
      return { jobId, children: toSend.length, settled };
    },
  );
}

function childEvent(child: AiJob) {
  return {
    jobId: child.id,
    jobType: child.jobType,
    targetType: child.targetType,
    targetId: child.targetId,
    parentJobId: child.parentJobId,
  };
}
