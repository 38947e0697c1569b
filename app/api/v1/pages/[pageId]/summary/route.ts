import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { getPageSummary, pinPageSummary, unpinPageSummary } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** A page's summary: read it, write your own (pinned), or clear the pin (the AI's summary comes back). */
export const GET = apiRoute(v1.getPageSummary, async ({ actor, params }) => ({
  body: await getPageSummary(actor, { pageId: params.pageId }),
}));

export const PUT = apiRoute(v1.pinPageSummary, async ({ actor, params, json }) => {
  const body = objectBody(await json());
  return { body: await pinPageSummary(actor, { ...body, pageId: params.pageId }) };
});

export const DELETE = apiRoute(v1.unpinPageSummary, async ({ actor, params }) => ({
  body: await unpinPageSummary(actor, { pageId: params.pageId }),
}));
