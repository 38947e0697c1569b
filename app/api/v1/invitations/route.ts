import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { listMyInvitations } from "@/lib/stories";

export const dynamic = "force-dynamic";

export const GET = apiRoute(v1.listMyInvitations, async ({ actor }) => ({ body: await listMyInvitations(actor) }));
