import { apiRoute } from "@/lib/http/api-route";
import { listJobsForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** The job history, newest first, with filters and keyset pagination (`cursor` = the previous answer's nextCursor). */
export const GET = apiRoute("GET /api/v1/jobs", async ({ actor, query }) => ({ body: await listJobsForApi(actor, query()) }));
