import { apiRoute } from "@/lib/http/api-route";
import { v1 } from "@/lib/http/v1-operations";
import { listPageIllustrations } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** A page's illustration attempts and its latest Illustrate job, for the story's readers. */
export const GET = apiRoute(v1.listPageIllustrations, async ({ actor, params }) => ({
  body: await listPageIllustrations(actor, { pageId: params.pageId }),
}));
