import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { cancelJobForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Cancels a pending or running job (a background revision: its unfinished pages); a job that already ended is
 * answered as it is (cancelling is idempotent).
 */
export const POST = apiRoute(v1.cancelJob, async ({ actor, params }) => ({
  body: await cancelJobForApi(actor, { jobId: params.jobId }),
}));
