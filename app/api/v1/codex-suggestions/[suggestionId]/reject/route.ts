import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { rejectCodexSuggestion } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const POST = apiRoute(v1.rejectCodexSuggestion, async ({ actor, params }) => ({
  body: await rejectCodexSuggestion(actor, { suggestionId: params.suggestionId }),
}));
