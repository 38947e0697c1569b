import { apiRoute } from "@/lib/http/api-route";
import { getJobForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ jobId: string }>("GET /api/v1/jobs/[jobId]", async ({ actor, params }) => ({
  body: await getJobForApi(actor, { jobId: params.jobId }),
}));
