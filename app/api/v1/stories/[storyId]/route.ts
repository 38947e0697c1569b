import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { deleteStoryForApi, getStoryForApi, updateStoryForApi } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const GET = apiRoute(v1.getStory, async ({ actor, params }) => ({
  body: await getStoryForApi(actor, { storyId: params.storyId }),
}));

/** Changes the given fields (title, description, language); a story has no version: the last write wins. */
export const PATCH = apiRoute(v1.updateStory, async ({ actor, params, json }) => ({
  body: await updateStoryForApi(actor, { ...objectBody(await json()), storyId: params.storyId }),
}));

/** Deletes the story with its pages and history: owner only (a reader of it gets 403, anyone else 404). */
export const DELETE = apiRoute(v1.deleteStory, async ({ actor, params }) => {
  const { id } = await deleteStoryForApi(actor, { storyId: params.storyId });
  return { body: { id, deleted: true as const } };
});
