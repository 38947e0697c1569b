import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { inviteMember, listMembers } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** The story's members, for anyone who may read it. */
export const GET = apiRoute(v1.listMembers, async ({ actor, params }) => ({
  body: await listMembers(actor, { storyId: params.storyId }),
}));

/** Invites an email address → 201 with the waiting invitation (the same answer whether or not it has an account). */
export const POST = apiRoute(v1.inviteMember, async ({ actor, params, json }) => ({
  body: await inviteMember(actor, { ...objectBody(await json()), storyId: params.storyId }),
}));
