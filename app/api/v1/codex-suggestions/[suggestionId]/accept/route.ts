import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { acceptCodexSuggestion } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Accepts a suggestion with optional `edits`, validated like a new entry (400 naming the field, nothing saved). */
export const POST = apiRoute(v1.acceptCodexSuggestion, async ({ actor, params, json }) => ({
  body: await acceptCodexSuggestion(actor, { ...objectBody(await json()), suggestionId: params.suggestionId }),
}));
