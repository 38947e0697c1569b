import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { log } from "@/lib/log";
import { stalePendingJobs } from "../jobs/ledger";
import { settleFanOutParent, unsettledFanOutParents } from "../jobs/fan-out";
import { enqueueJob } from "../jobs/queue";

/**
 * The job row is the outbox: if the process died between committing a job and sending its event, the job would
 * stay pending forever; so would a job whose event arrived before the engine had registered the function. Every
 * minute, jobs pending for more than a minute are sent again under a fresh event id (a reused id would be dropped as a
 * duplicate); the runners are idempotent on the job id, so a job that has a run is not run twice.
 */
export function createSweepPendingJobs(options: { olderThanMs?: number } = {}) {
  return inngest.createFunction(
    { id: "sweep-pending-ai-jobs", name: "Re-send pending AI jobs", triggers: [{ cron: "* * * * *" }], retries: 1 },
    async ({ step }) => {
      const resent = await step.run("resend", async () => {
        const jobs = await stalePendingJobs(await getDb(), options.olderThanMs ?? 60_000);
        // enqueueJob picks each job's own event: fan-out parents and plain jobs (children are their parent's to send).
        for (const job of jobs) await enqueueJob(job, { resend: true });
        if (jobs.length > 0) log("info", "re-sent pending ai jobs", { count: jobs.length });
        return jobs.length;
      });
      // A fan-out parent whose last child ended without settling it (a lost event) is ended here.
      const settled = await step.run("settle-fan-out-parents", async () => {
        const db = await getDb();
        let count = 0;
        for (const id of await unsettledFanOutParents(db)) if (await settleFanOutParent(db, id)) count++;
        return count;
      });
      return { resent, settled };
    },
  );
}
