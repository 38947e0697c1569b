import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { listTranslations, translateStory } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Translate story → 201 with the new translation and its run (refusals create nothing). */
export const POST = apiRoute(v1.translateStory, async ({ actor, params, json }) => {
  const body = objectBody(await json());
  const outcome = await translateStory(actor, { ...body, storyId: params.storyId });
  return { body: outcome, headers: { location: `/api/v1/stories/${outcome.translation.storyId}/translations` } };
});

/** The story's translations (or, for a translation, its source and its own state). */
export const GET = apiRoute(v1.listTranslations, async ({ actor, params }) => ({
  body: await listTranslations(actor, { storyId: params.storyId }),
}));
