import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { requestAnotherTake } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Another take: one more take in the open set (admitted as one request), the others kept. */
export const POST = apiRoute(v1.requestAnotherTake, async ({ actor, params }) => ({
  body: await requestAnotherTake(actor, { setId: params.setId }),
}));
