import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { requestTakes } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Generate takes on a page → 202 `{ created, set }`; the page's open set is joined rather than started twice. */
export const POST = apiRoute(v1.requestTakes, async ({ actor, params, json }) => {
  const body = objectBody(await json());
  const { set, created } = await requestTakes(actor, { ...body, pageId: params.pageId });
  return { body: { created, set }, headers: { location: `/api/v1/takes/${set.id}` } };
});
