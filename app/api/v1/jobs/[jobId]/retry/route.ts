import { apiRoute } from "@/lib/http/api-route";
import { retryJob } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Runs a finished job again as a new job linked to it (`retryOf`) → 202 `{ created: true, job }`. */
export const POST = apiRoute<{ jobId: string }>("POST /api/v1/jobs/[jobId]/retry", async ({ actor, params }) => {
  const job = await retryJob(actor, { jobId: params.jobId });
  return { status: 202, body: { created: true, job }, headers: { location: `/api/v1/jobs/${job.id}` } };
});
