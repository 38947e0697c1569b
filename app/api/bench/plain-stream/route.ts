import { streamText } from "ai";
import { z } from "zod";
import { resolveModel } from "@/lib/ai/models";
import { benchRoutesEnabled, notFound } from "../gate";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Body = z.object({ prompt: z.string().min(1).max(20_000) });

/**
 * The comparison for bench:ttft: what a plain streaming route would cost — the configured model through the AI SDK's
 * `streamText`, its text streamed straight back, with no job, no engine and no database. Off unless
 * STORY_SPROUT_BENCH_ROUTES=1 (see ../gate.ts).
 */
export async function POST(request: Request): Promise<Response> {
  if (!benchRoutesEnabled()) return notFound();
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return new Response("Expected { prompt }", { status: 400 });
  const result = streamText({
    model: resolveModel().model,
    prompt: parsed.data.prompt,
    maxRetries: 0,
    abortSignal: request.signal,
  });
  return result.toTextStreamResponse();
}
