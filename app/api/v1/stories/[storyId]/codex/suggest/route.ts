import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { getCodexSuggestRun, requestCodexSuggestions } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Starts Suggest entries → 202; a run already going on the story is joined (`created: false`). */
export const POST = apiRoute(v1.suggestCodex, async ({ actor, params }) => {
  const outcome = await requestCodexSuggestions(actor, { storyId: params.storyId });
  return { body: outcome, headers: { location: `/api/v1/stories/${params.storyId}/codex/suggest` } };
});

/** The latest run's progress: batches done, failed, and the suggestions waiting for review. */
export const GET = apiRoute(v1.getCodexSuggestRun, async ({ actor, params }) => ({
  body: { run: await getCodexSuggestRun(actor, { storyId: params.storyId }) },
}));
