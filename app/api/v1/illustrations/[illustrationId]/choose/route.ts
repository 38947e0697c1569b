import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { chooseIllustration } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** Choose the attempt that illustrates its page (needs `edit`; choosing the chosen one again changes nothing). */
export const POST = apiRoute(v1.chooseIllustration, async ({ actor, params }) => ({
  body: await chooseIllustration(actor, { illustrationId: params.illustrationId }),
}));
