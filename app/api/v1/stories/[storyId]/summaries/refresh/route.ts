import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { requestSummarizeAll } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Summarize all → 202 `{ created, job }` with the job's progress; follow it at the Location (GET /api/v1/jobs/{id}).
 * Already running for the story: joined (`created: false`), which spends no budget.
 */
export const POST = apiRoute(v1.summarizeAll, async ({ actor, params }) => {
  const { job, created } = await requestSummarizeAll(actor, { storyId: params.storyId });
  return { body: { created, job }, headers: { location: `/api/v1/jobs/${job.id}` } };
});
