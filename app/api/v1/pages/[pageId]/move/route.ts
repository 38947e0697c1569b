import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { movePageForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/**
 * Reorders by moving one page (`{ direction }` one step, `{ afterPageId }` anywhere): an action on the page rather
 * than a PUT of the whole order, so only the moved page's key changes and a concurrent edit elsewhere is no conflict.
 */
export const POST = apiRoute(v1.movePage, async ({ actor, params, json }) => ({
  body: await movePageForApi(actor, { ...objectBody(await json()), pageId: params.pageId }),
}));
