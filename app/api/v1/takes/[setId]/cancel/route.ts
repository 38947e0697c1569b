import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { cancelTakeSet } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Cancels a take set that has not been chosen: takes being written stop; the set and its takes are discarded. */
export const POST = apiRoute(v1.cancelTakeSet, async ({ actor, params }) => ({
  body: await cancelTakeSet(actor, { setId: params.setId }),
}));
