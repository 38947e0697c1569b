import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { leaveStory } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** The caller leaves the story; a token does not name its user, so this needs no userId (DELETE members/{userId} does). */
export const POST = apiRoute(v1.leaveStory, async ({ actor, params }) => {
  await leaveStory(actor, params);
  return { body: { storyId: params.storyId, left: true as const } };
});
