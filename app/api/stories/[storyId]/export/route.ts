import { currentActor } from "@/lib/auth";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { AppError } from "@/lib/errors";
import { API_REALM, bearer } from "@/lib/http/api-route";
import { exportResponse } from "@/lib/http/export-response";
import { errorResponse } from "@/lib/http/render-error";
import { exportStory, type Actor } from "@/lib/stories";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROUTE = "GET /api/stories/[storyId]/export";

async function whoIsAsking(request: Request): Promise<Actor | null> {
  const secret = bearer(request);
  if (secret === null) return currentActor();
  const actor = await authenticateApiToken(secret);
  if (!actor) {
    throw new AppError("UNAUTHENTICATED", "This API token is not valid: it may have been revoked or have expired.");
  }
  return actor;
}

/**
 * The story page's Export download (session; an API token works too, as on the story's event stream): the same
 * export as `GET /api/v1/stories/{id}/export`, with the same query. Readers only; anyone else gets 404.
 */
export async function GET(request: Request, { params }: { params: Promise<{ storyId: string }> }) {
  try {
    const actor = await whoIsAsking(request);
    const query = Object.fromEntries(new URL(request.url).searchParams.entries());
    return exportResponse(await exportStory(actor, { ...query, storyId: (await params).storyId }));
  } catch (error) {
    return errorResponse(error, { route: ROUTE }, bearer(request) !== null ? { bearerRealm: API_REALM } : {});
  }
}
