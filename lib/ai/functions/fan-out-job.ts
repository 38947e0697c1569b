import { sql, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { inngest } from "@/lib/inngest/client";
import { AI_BATCH_REQUESTED, type AiBatchRequestedData } from "@/lib/inngest/events/ai-batch-requested";
import { AI_CHILD_JOB_REQUESTED } from "@/lib/inngest/events/ai-child-job-requested";
import { AI_JOB_CANCEL_REQUESTED } from "@/lib/inngest/events/ai-job-cancel-requested";
import { log } from "@/lib/log";
import { cancelActiveChildren, createChildJob, listChildren, markFanOutRunning, settleFanOutParent } from "../jobs/fan-out";
import { getJob, markFailed, type NewJob } from "../jobs/ledger";
import { publishJobUpdate } from "../jobs/live";

/** A target the fan-out did not create a child for, and why (the domain names its own reasons; "busy" is ours). */
export interface SkippedTarget {
  targetId: string;
  reason: string;
}

/** What the domain wants run for one parent: the children's jobs (built from the parent's request) and the skips. */
export interface FanOutPlan {
  children: Omit<NewJob, "parentJobId">[];
  skipped: SkippedTarget[];
}

/** A target that already has an active job of its own (the author pressed Generate): left alone, reported. */
export const SKIPPED_BUSY = "busy";

/**
 * Fan-out of a parent job (generic: the domain supplies `plan`, which builds the children's payloads):
 * create-children (one child row per target, idempotent; then the parent becomes running) → fan-out (one
 * ai/child-job.requested per child, event id = child id) → settle (a parent without any child ends at once).
 * The skips are recorded in the parent's prompt payload (`skipped`), which is what the progress view reads.
 */
export function createFanOutJob(options: { functionId: string; jobType: AiJob["jobType"]; plan: (parent: AiJob) => Promise<FanOutPlan> }) {
  return inngest.createFunction(
    {
      id: options.functionId,
      name: `Fan out ${options.jobType}`,
      triggers: [{ event: AI_BATCH_REQUESTED }],
      retries: 3,
      cancelOn: [{ event: AI_JOB_CANCEL_REQUESTED, if: "event.data.jobId == async.data.jobId" }],
      onFailure: async ({ event, error, step }) => {
        const jobId = (event.data as { event: { data: AiBatchRequestedData } }).event.data.jobId;
        await step.run("mark-failed", async () => {
          const db = await getDb();
          // The code a child or step named, if any; otherwise the fan-out itself could not run (its store or engine
          // failed), which authors are told as "unavailable, try again" rather than a problem with their request.
          const code = /^(GEN_[A-Z_]+):/.exec(error.message)?.[1] ?? "GEN_PROVIDER_UNAVAILABLE";
          const job = await markFailed(db, jobId, code, error.message);
          // Children created before the failure must not run for a parent that is over.
          await cancelActiveChildren(db, jobId);
          publishJobUpdate({ jobId, status: job?.status ?? "failed" });
          log("warn", "fan-out job failed", { jobId, detail: error.message });
        });
      },
    },
    async ({ event, step }) => {
      const { jobId } = event.data as AiBatchRequestedData;

      const toSend = await step.run("create-children", async () => {
        const db = await getDb();
        const parent = await getJob(db, jobId);
        if (!parent || parent.jobType !== options.jobType) return [];
        if (parent.status === "running") {
          // A repeat after the children were made (crash before this step was recorded): send them again; their
          // event ids are their job ids, so none runs twice.
          return (await listChildren(db, jobId)).filter((c) => c.status === "pending").map(childEvent);
        }
        if (parent.status !== "pending") return [];
        const plan = await options.plan(parent);
        const skipped = [...plan.skipped];
        const created: AiJob[] = [];
        for (const child of plan.children) {
          const result = await createChildJob(db, jobId, child);
          if (result.outcome === "busy") skipped.push({ targetId: child.targetId, reason: SKIPPED_BUSY });
          else created.push(result.job);
        }
        await db
          .update(aiJobs)
          .set({ promptPayload: sql`${aiJobs.promptPayload} || ${JSON.stringify({ skipped })}::jsonb`, updatedAt: new Date() })
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
          toSend.map((c) => ({ id: c.jobId, name: AI_CHILD_JOB_REQUESTED, data: c })),
        );
      }

      const settled = await step.run("settle", async () => (await settleFanOutParent(await getDb(), jobId))?.status ?? null);
      return { jobId, children: toSend.length, settled };
    },
  );
}

function childEvent(child: AiJob) {
  return { jobId: child.id, targetType: child.targetType, targetId: child.targetId, parentJobId: child.parentJobId! };
}
