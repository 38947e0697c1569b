import { apiRoute, objectBody } from "@/lib/http/api-route";
import { checkPageTextRequest } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Checks a generation request (`{ pageId, mode?, instruction? }`) exactly as generate would, without creating a job. */
export const POST = apiRoute("POST /api/v1/generations/validate", async ({ actor, json }) => ({
  body: await checkPageTextRequest(actor, objectBody(await json())),
}));
