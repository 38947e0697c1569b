import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { getTakeSet } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** A take set with its takes, for anyone who may read the page's story. */
export const GET = apiRoute(v1.getTakeSet, async ({ actor, params }) => ({
  body: await getTakeSet(actor, { setId: params.setId }),
}));
