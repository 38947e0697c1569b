import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { listJobsForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** The job history, newest first, with filters and keyset pagination (`cursor` = the previous answer's nextCursor). */
export const GET = apiRoute(v1.listJobs, async ({ actor, query }) => ({ body: await listJobsForApi(actor, query()) }));
