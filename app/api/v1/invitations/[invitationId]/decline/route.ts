import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { declineInvitation } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const POST = apiRoute(v1.declineInvitation, async ({ actor, params }) => {
  await declineInvitation(actor, params);
  return { body: { invitationId: params.invitationId, declined: true as const } };
});
