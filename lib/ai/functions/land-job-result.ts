import { getDb } from "@/db";
import { inngest } from "@/lib/inngest/client";
import { aiJobSucceeded } from "@/lib/inngest/events/ai-job-succeeded";
import type { ModelJobType } from "../job-types/definition";
import { landJobResult, settleParent } from "../job-types/steps";

/**
 * The landing function of a domain: lands the finished jobs of its job types (each type's `land`) that their run did
 * not land (a runner without the type's definition, a landing that failed in the run's finish step, an event from
 * before runs landed), then, for a child of a fan-out, lets the parent count it as done. Jobs of other types are
 * another landing function's.
 */
export function createLandJobResult(options: { functionId: string; name: string; jobTypes: readonly ModelJobType[] }) {
  const byType = new Map(options.jobTypes.map((definition) => [definition.type as string, definition]));
  return inngest.createFunction(
    {
      id: options.functionId,
      name: options.name,
      // A job its run landed already starts no run here (lib/ai/job-types/steps.ts finishJob).
      triggers: [{ event: aiJobSucceeded, if: "event.data.landed != true" }],
      retries: 5,
    },
    async ({ event, step }) => {
      const { jobId, jobType, parentJobId } = event.data;
      const definition = byType.get(jobType);
      if (!definition) return { jobId, outcome: "not-mine" };
      const outcome = await step.run("apply", async () => landJobResult(await getDb(), definition, jobId));
      // A job without a parent needs no settling, and skipping the step saves a round trip.
      if (parentJobId === null) return { jobId, outcome };
      // One item of a fan-out: only once its result has landed may the parent count it as done.
      await step.run("settle-parent", async () => settleParent(await getDb(), parentJobId));
      return { jobId, outcome };
    },
  );
}
