import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { checkPageTextRequest } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Checks a generation request (`{ pageId, mode?, instruction? }`) exactly as generate would, without creating a job. */
export const POST = apiRoute(v1.validateGeneration, async ({ actor, json }) => ({
  body: await checkPageTextRequest(actor, objectBody(await json())),
}));
