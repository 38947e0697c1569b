import { apiFileRoute } from "@/lib/http/api-route";
import { exportResponse } from "@/lib/http/export-response";
import { v1 } from "@/lib/http/v1-operations";
import { exportStory } from "@/lib/stories";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** `?format=md|txt|docx|epub[&toc=pages|chapters][&codex=true]` → the file, streamed; readers only (else 404). */
export const GET = apiFileRoute(v1.exportStory, async ({ actor, params, query }) =>
  exportResponse(await exportStory(actor, { ...query(), storyId: params.storyId })),
);
