import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { requestBackgroundRevisionForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Starts a background revision of `pageIds` with `instruction` → 202 `{ created, message, job }`; follow it at the
 * Location (GET /api/v1/jobs/{id}), cancel it with POST /api/v1/jobs/{id}/cancel. A running one is joined.
 */
export const POST = apiRoute(v1.startRevision, async ({ actor, params, json }) => {
  const outcome = await requestBackgroundRevisionForApi(actor, {
    ...objectBody(await json()),
    storyId: params.storyId,
  });
  return { body: outcome, headers: { location: `/api/v1/jobs/${outcome.job.id}` } };
});
