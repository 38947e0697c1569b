import { currentActor } from "@/lib/auth";
import { subscribeJobUpdates } from "@/lib/ai";
import { isAppError } from "@/lib/errors";
import { errorResponse, logIfUnexpected } from "@/lib/http/render-error";
import { log } from "@/lib/log";
import { getPageJob, type PageJobView, type Actor } from "@/lib/stories";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROUTE = "GET /api/jobs/[jobId]/events";
const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

function settled(job: PageJobView): boolean {
  if (job.status === "succeeded") return job.resolution !== null;
  return job.status === "failed" || job.status === "cancelled";
}

/**
 * Which section a sectioned job is revising is known only from the live updates of the step running it: a poll of
 * the ledger keeps the last one seen while the job runs.
 */
function withSectionProgress(fresh: PageJobView, previous: PageJobView): PageJobView {
  if (fresh.status !== "running" || !fresh.sections || fresh.sections.current !== null) return fresh;
  const current = previous.sections?.current ?? null;
  return current === null ? fresh : { ...fresh, sections: { ...fresh.sections, current } };
}

/**
 * Server-Sent Events for one job: `job` events carry the whole state (status, partial text, outcome). Partial text is
 * pushed the moment the generating step publishes it (same process) and the ledger is polled as well, so the stream
 * also works when the step ran elsewhere. The stream ends once the job has settled.
 */
export async function GET(request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await params;
  let actor: Actor | null;
  let first: PageJobView;
  try {
    actor = await currentActor();
    first = await getPageJob(actor, { jobId });
  } catch (error) {
    return errorResponse(error, { route: ROUTE });
  }

  const encoder = new TextEncoder();
  let cleanup = () => {};
  // Shared with cancel(): a stream the reader cancelled is closed already, and closing it again would throw.
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let last = "";
      let latest = first;
      const send = (job: PageJobView) => {
        const data = JSON.stringify(job);
        if (closed || data === last) return;
        last = data;
        controller.enqueue(encoder.encode(`event: job\ndata: ${data}\n\n`));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const refresh = async () => {
        try {
          latest = withSectionProgress(await getPageJob(actor, { jobId }), latest);
          send(latest);
          if (settled(latest)) close();
        } catch (error) {
          // The stream ends either way; the client falls back to GET /api/jobs/{jobId}. Say why in the log: an
          // expected answer (the job or its story is gone) as information, anything else as an error with its cause.
          if (isAppError(error)) log("info", "job stream closed", { route: ROUTE, code: error.code });
          else logIfUnexpected(error, { route: ROUTE });
          close();
        }
      };
      const unsubscribe = subscribeJobUpdates(jobId, (update) => {
        if (update.partialText !== undefined && latest.status !== "failed" && latest.status !== "cancelled") {
          latest = { ...latest, status: "running", partialText: update.partialText };
          if (update.section) latest.sections = { count: update.section.count, current: update.section.number };
          send(latest);
        }
        if (update.status) void refresh();
      });
      const poll = setInterval(() => void refresh(), POLL_MS);
      const heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(`: keep-alive\n\n`));
      }, HEARTBEAT_MS);
      cleanup = () => {
        unsubscribe();
        clearInterval(poll);
        clearInterval(heartbeat);
      };
      request.signal.addEventListener("abort", close);
      controller.enqueue(encoder.encode(`retry: 2000\n\n`));
      send(first);
      if (settled(first)) close();
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
