import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { addPageForApi, listPagesForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** The story's pages in reading order; `?cursor=` (nextCursor) and `?limit=` page them, numbers continue. */
export const GET = apiRoute(v1.listPages, async ({ actor, params, query }) => ({
  body: await listPagesForApi(actor, { ...query(), storyId: params.storyId }),
}));

/** Adds a page at the end, after `afterPageId` or before `beforePageId` → 201 with its Location. */
export const POST = apiRoute(v1.createPage, async ({ actor, params, json }) => {
  const page = await addPageForApi(actor, { ...objectBody(await json()), storyId: params.storyId });
  return { body: page, headers: { location: `/api/v1/pages/${page.id}` } };
});
