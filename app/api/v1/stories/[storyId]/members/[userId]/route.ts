import { apiRoute, objectBody } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { changeMemberRole, removeMember } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute(v1.changeMemberRole, async ({ actor, params, json }) => ({
  body: await changeMemberRole(actor, { ...objectBody(await json()), ...params }),
}));

/** Removes a member; a member's own userId is leaving the story. */
export const DELETE = apiRoute(v1.removeMember, async ({ actor, params }) => ({
  body: await removeMember(actor, params),
}));
