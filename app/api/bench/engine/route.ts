import { z } from "zod";
import { inngest } from "@/lib/inngest/client";
import { benchRoutesEnabled, notFound } from "../gate";
import { benchMarks, resetBenchMarks } from "../noop-function";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Body = z.object({ count: z.number().int().min(0).max(10_000), reset: z.boolean().optional() });

/**
 * bench:engine's control of a `next start` run: POST { count } sends that many bench/noop events in one send (through
 * the app's own client, to the engine in this process); GET returns the step timings and this process's CPU time.
 * Off unless STORY_SPROUT_BENCH_ROUTES=1 (see ../gate.ts).
 */
export async function POST(request: Request): Promise<Response> {
  if (!benchRoutesEnabled()) return notFound();
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return new Response("Expected { count, reset? }", { status: 400 });
  if (parsed.data.reset) resetBenchMarks();
  if (parsed.data.count > 0) {
    await inngest.send(Array.from({ length: parsed.data.count }, (_, i) => ({ name: "bench/noop", data: { i } })));
  }
  return Response.json({ sent: parsed.data.count });
}

export async function GET(): Promise<Response> {
  if (!benchRoutesEnabled()) return notFound();
  return Response.json({ ...benchMarks(), cpu: process.cpuUsage(), now: performance.now() });
}
