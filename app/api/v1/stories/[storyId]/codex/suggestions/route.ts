import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { listCodexSuggestions } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const GET = apiRoute(v1.listCodexSuggestions, async ({ actor, params }) => ({
  body: { suggestions: await listCodexSuggestions(actor, { storyId: params.storyId }) },
}));
