import { apiRoute, objectBody } from "@/lib/http/api-route";
import { requestPageTextOutcome } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Starts AI generation on a page → 202 `{ created, job }`. A job already running on the page is joined
 * (`created: false`, the same job) rather than started twice; joining spends no budget.
 */
export const POST = apiRoute<{ pageId: string }>("POST /api/v1/pages/[pageId]/generate", async ({ actor, params, json }) => {
  const body = objectBody(await json());
  const { job, created } = await requestPageTextOutcome(actor, { ...body, pageId: params.pageId });
  return { status: 202, body: { created, job }, headers: { location: `/api/v1/jobs/${job.id}` } };
});
