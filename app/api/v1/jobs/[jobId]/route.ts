import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { getJobForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const GET = apiRoute(v1.getJob, async ({ actor, params }) => ({
  body: await getJobForApi(actor, { jobId: params.jobId }),
}));
