import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { createStoryForApi, listStoriesForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** The stories the token's user can read, newest change first; `?cursor=` (nextCursor) and `?limit=` page them. */
export const GET = apiRoute(v1.listStories, async ({ actor, query }) => ({
  body: await listStoriesForApi(actor, query()),
}));

/** Creates a story owned by the token's user → 201 with its Location. */
export const POST = apiRoute(v1.createStory, async ({ actor, json }) => {
  const story = await createStoryForApi(actor, objectBody(await json()));
  return { body: story, headers: { location: `/api/v1/stories/${story.id}` } };
});
