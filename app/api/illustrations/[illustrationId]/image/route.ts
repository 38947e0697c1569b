import { currentActor } from "@/lib/auth";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { AppError } from "@/lib/errors";
import { API_REALM, bearer } from "@/lib/http/api-route";
import { errorResponse } from "@/lib/http/render-error";
import { readIllustrationImage, type Actor } from "@/lib/stories";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROUTE = "GET /api/illustrations/[illustrationId]/image";

async function whoIsAsking(request: Request): Promise<Actor | null> {
  const secret = bearer(request);
  if (secret === null) return currentActor();
  const actor = await authenticateApiToken(secret);
  if (!actor)
    throw new AppError("UNAUTHENTICATED", "This API token is not valid: it may have been revoked or have expired.");
  return actor;
}

/**
 * An illustration's image, for the story's readers only (anyone else: 404, as for a missing one). The bytes of an
 * illustration never change, so the answer is cached for good by the reader's browser only (`private`: it is behind
 * a sign-in) and revalidates by ETag; the type is the one read from the bytes, and the browser must not guess another.
 */
export async function GET(request: Request, { params }: { params: Promise<{ illustrationId: string }> }) {
  try {
    const actor = await whoIsAsking(request);
    const image = await readIllustrationImage(actor, { illustrationId: (await params).illustrationId });
    const headers = {
      "content-type": image.contentType,
      etag: image.etag,
      "cache-control": "private, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
    };
    if (request.headers.get("if-none-match") === image.etag) return new Response(null, { status: 304, headers });
    return new Response(image.bytes as Uint8Array<ArrayBuffer>, {
      headers: { ...headers, "content-length": String(image.bytes.byteLength) },
    });
  } catch (error) {
    return errorResponse(error, { route: ROUTE }, bearer(request) !== null ? { bearerRealm: API_REALM } : {});
  }
}
