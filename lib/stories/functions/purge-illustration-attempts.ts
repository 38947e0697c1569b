import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { log } from "@/lib/log";
import { attemptRetentionMsFromEnv, purgeUnchosenAttempts } from "../illustrations/purge";

/**
 * Illustration attempts nobody chose are purged once older than ILLUSTRATION_ATTEMPT_RETENTION_DAYS (default 30):
 * hourly, at most 500 per run, so a backlog (a first run, a lowered setting) drains in small runs instead of one long
 * one. The limit is read on every run, so a change of the setting needs no restart of the schedule.
 */
export const purgeIllustrationAttemptsFunction = inngest.createFunction(
  {
    id: "purge-illustration-attempts",
    name: "Purge illustration attempts nobody chose",
    triggers: [{ cron: "23 * * * *" }],
    retries: 1,
  },
  async ({ step }) =>
    step.run("purge", async () => {
      const { retentionMs, problem } = attemptRetentionMsFromEnv();
      if (problem) log("warn", problem);
      const report = await purgeUnchosenAttempts(await getDb(), { retentionMs });
      if (report.purged > 0 || report.kept > 0) log("info", "illustration attempts purged", { ...report });
      return report;
    }),
);
