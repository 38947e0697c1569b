import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { updateTranslation } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Update translation → 202: mirrors the source's pages and re-translates the stale ones in the background. */
export const POST = apiRoute(v1.updateTranslation, async ({ actor, params }) => ({
  body: await updateTranslation(actor, { translationId: params.translationId }),
}));
