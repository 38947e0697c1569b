import { NextResponse } from "next/server";
import { currentActor } from "@/lib/auth";
import { errorResponse } from "@/lib/http/render-error";
import { getPageJob } from "@/lib/stories";

export const dynamic = "force-dynamic";

/** A job's state as JSON: the fallback when the event stream is unavailable. */
export async function GET(_request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  try {
    const job = await getPageJob(await currentActor(), { jobId: (await params).jobId });
    return NextResponse.json(job, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { route: "GET /api/jobs/[jobId]" });
  }
}
