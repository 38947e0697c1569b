import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { transferOwnership } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const POST = apiRoute(v1.transferOwnership, async ({ actor, params, json }) => ({
  body: await transferOwnership(actor, { ...objectBody(await json()), storyId: params.storyId }),
}));
