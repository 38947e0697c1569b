import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { acceptInvitation } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Only the addressee may accept: anyone else's token finds no such invitation (404). */
export const POST = apiRoute(v1.acceptInvitation, async ({ actor, params }) => ({
  body: await acceptInvitation(actor, params),
}));
