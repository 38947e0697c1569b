import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { requestIllustration } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Illustrate a page → 202 `{ created, job }`, followed at /api/v1/jobs/{id}; a running one is joined, not doubled. */
export const POST = apiRoute(v1.illustratePage, async ({ actor, params, json }) => {
  const body = objectBody(await json());
  const { job, created } = await requestIllustration(actor, { ...body, pageId: params.pageId });
  return { body: { created, job }, headers: { location: `/api/v1/jobs/${job.id}` } };
});
