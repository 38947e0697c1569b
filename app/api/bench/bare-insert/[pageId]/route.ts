import { z } from "zod";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { bearer } from "@/lib/http/api-route";
import { benchRoutesEnabled, notFound } from "../../gate";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Params = z.object({ pageId: z.uuid() });

/** What bench:api's bare rows carry, so its checks can tell them from real jobs. */
const BARE_TEMPLATE_KEY = "bench.bare_insert";

/**
 * bench:api's comparison for POST /api/v1/pages/{id}/generate: the least a durable enqueue must do — the same API
 * token check, then one ai_jobs row of the same shape written to the same table and indexes — with no access, job,
 * budget or prompt work and no event. The row is born `cancelled` (terminal) so the sweeper and the one-active-job
 * index ignore it. Off unless STORY_SPROUT_BENCH_ROUTES=1 (see ../../gate.ts).
 */
export async function POST(request: Request, context: { params: Promise<unknown> }): Promise<Response> {
  if (!benchRoutesEnabled()) return notFound();
  const secret = bearer(request);
  const actor = secret ? await authenticateApiToken(secret) : null;
  if (!actor) return new Response("Unauthenticated", { status: 401 });
  const params = Params.safeParse(await context.params);
  if (!params.success) return new Response("Expected a page id", { status: 400 });
  const body: unknown = await request.json().catch(() => ({}));
  const instruction =
    body && typeof body === "object" && "instruction" in body && typeof body.instruction === "string"
      ? body.instruction.slice(0, 200)
      : "";
  const db = await getDb();
  const [row] = await db
    .insert(aiJobs)
    .values({
      jobType: "page_text.write",
      status: "cancelled",
      targetType: "page",
      targetId: params.data.pageId,
      requestedBy: actor.id,
      templateKey: BARE_TEMPLATE_KEY,
      templateVersion: 1,
      provider: "bench",
      model: "bench",
      instruction,
      promptPayload: {},
    })
    .returning({ id: aiJobs.id });
  return Response.json({ created: true, job: { id: row!.id, pageId: params.data.pageId } }, { status: 202 });
}
