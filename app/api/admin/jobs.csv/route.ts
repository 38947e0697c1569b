import { currentActor } from "@/lib/auth";
import { errorResponse, logIfUnexpected } from "@/lib/http/render-error";
import { csvColumns, exportAdminJobsCsv } from "@/lib/stories";
import { csvRow } from "@/lib/text/csv";

export const dynamic = "force-dynamic";

const ROUTE = "GET /api/admin/jobs.csv";

/**
 * The filtered job history as CSV (same query parameters as /admin/jobs), streamed in keyset batches. Admins only:
 * anyone else gets 404, as for the admin pages.
 */
export async function GET(request: Request) {
  try {
    const input = Object.fromEntries(new URL(request.url).searchParams);
    // Checks and validation happen here, before the first byte: a refused export is an error, not a partial file.
    const rows = await exportAdminJobsCsv(await currentActor(), input);
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode(csvRow(csvColumns)));
      },
      async pull(controller) {
        try {
          const { value, done } = await rows.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(csvRow(value)));
        } catch (error) {
          // The header is sent: the failure can only cut the file short (the client sees a failed download).
          logIfUnexpected(error, { route: ROUTE });
          controller.error(error);
        }
      },
      async cancel() {
        await rows.return(undefined);
      },
    });
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    return new Response(stream, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="ai-jobs-${stamp}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error, { route: ROUTE });
  }
}
