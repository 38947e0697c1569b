import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { requestPageTextOutcome } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Starts AI generation on a page → 202 `{ created, job }`. A job already running on the page is joined
 * (`created: false`, the same job) rather than started twice; joining spends no budget.
 */
export const POST = apiRoute(v1.generatePage, async ({ actor, params, json }) => {
  const body = objectBody(await json());
  const { job, created } = await requestPageTextOutcome(actor, { ...body, pageId: params.pageId });
  return { body: { created, job }, headers: { location: `/api/v1/jobs/${job.id}` } };
});
