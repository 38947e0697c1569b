import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { deletePageForApi, getPageForApi, savePageForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const GET = apiRoute(v1.getPage, async ({ actor, params }) => ({
  body: await getPageForApi(actor, { pageId: params.pageId }),
}));

/** Writes `content` from `baseVersion`; a stale version is a 409 CONFLICT with the page as it is now. */
export const PATCH = apiRoute(v1.updatePage, async ({ actor, params, json }) => ({
  body: await savePageForApi(actor, { ...objectBody(await json()), pageId: params.pageId }),
}));

export const DELETE = apiRoute(v1.deletePage, async ({ actor, params }) => {
  const { id } = await deletePageForApi(actor, { pageId: params.pageId });
  return { body: { id, deleted: true as const } };
});
