import { currentActor } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { handleImportUpload } from "@/lib/http/import-upload";
import { errorResponse } from "@/lib/http/render-error";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROUTE = "POST /api/stories/import";

/** A cookie-authenticated POST must come from this site (another site's form could otherwise upload as the user). */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The stories page's Import (session): the same upload as `POST /api/v1/stories/import`. A route rather than a server
 * action because server actions cap their bodies (1 MB by default) far below the import limit.
 */
export async function POST(request: Request) {
  try {
    if (!sameOrigin(request)) throw new AppError("FORBIDDEN", "Uploads must come from this site.");
    return await handleImportUpload(await currentActor(), request);
  } catch (error) {
    return errorResponse(error, { route: ROUTE });
  }
}
