import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { retryJob } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Runs a finished job again as a new job linked to it (`retryOf`) → 202 `{ created: true, job }`. */
export const POST = apiRoute(v1.retryJob, async ({ actor, params }) => {
  const job = await retryJob(actor, { jobId: params.jobId });
  return { body: { created: true, job }, headers: { location: `/api/v1/jobs/${job.id}` } };
});
