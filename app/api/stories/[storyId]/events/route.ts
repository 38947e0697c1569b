import { currentSession } from "@/lib/auth";
import { authenticateApiToken } from "@/lib/auth/api-tokens";
import { watchSession, type WatchedSession } from "@/lib/auth/sessions";
import { AppError } from "@/lib/errors";
import { API_REALM, bearer } from "@/lib/http/api-route";
import { errorResponse } from "@/lib/http/render-error";
import { STREAM_RETRY_AFTER_SECONDS, streamSlots } from "@/lib/http/stream-slots";
import { openStoryJobFeed, type Actor } from "@/lib/stories";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROUTE = "GET /api/stories/[storyId]/events";
/** What EventSource waits before reconnecting by itself (the app's client manages its own back-off). */
const RETRY_MS = 3000;
/** Comments keep proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/**
 * A stream ends after this long and the client reconnects: access (a revoked token, a story no longer readable) is
 * checked again at that point, not only when the tab opened. A stream opened with a session ends as soon as the
 * session does (sign-out, "sign out everywhere", the user deleted or their role changed: watchSession).
 */
const STREAM_MAX_AGE_MS = 5 * 60_000;
/** A client that stops reading is dropped once this much is waiting for it, instead of the server buffering on. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** The actor, and the session the stream must end with when it is opened with one. */
async function whoIsAsking(request: Request): Promise<{ actor: Actor | null; session?: WatchedSession }> {
  const secret = bearer(request);
  if (secret === null) {
    const current = await currentSession();
    if (!current) return { actor: null };
    const { actor, sessionId } = current;
    return { actor, session: { sessionId, userId: actor.id, role: actor.role } };
  }
  const actor = await authenticateApiToken(secret);
  if (!actor) {
    throw new AppError("UNAUTHENTICATED", "This API token is not valid: it may have been revoked or have expired.");
  }
  return { actor };
}

/**
 * Server-Sent Events of one story: an `event: job` for every job of the story as it changes (page jobs as the editor
 * shows them, other types in the generic shape), starting with the current state of its active and recently settled
 * jobs. Session or API token; `read` on the story. One database read per story per second is shared by every stream
 * of that story (lib/ai/jobs/scope-hub.ts). Capped per user and per process: beyond, 429 TOO_MANY_STREAMS with
 * Retry-After. The slot is freed whichever way the stream ends (client gone, cancelled, max age).
 */
export async function GET(request: Request, { params }: { params: Promise<{ storyId: string }> }) {
  let release: () => void;
  let feed: Awaited<ReturnType<typeof openStoryJobFeed>>;
  let session: WatchedSession | undefined;
  try {
    const asking = await whoIsAsking(request);
    session = asking.session;
    feed = await openStoryJobFeed(asking.actor, { storyId: (await params).storyId });
    const slot = streamSlots().acquire(feed.userId);
    if (!slot.ok) {
      throw new AppError(
        "TOO_MANY_STREAMS",
        slot.refused === "user"
          ? "You have too many live views open. Close a few story tabs, or wait a moment and try again."
          : "The server has too many live views open right now. Please wait a moment and try again.",
        { retryAfterSeconds: STREAM_RETRY_AFTER_SECONDS },
      );
    }
    release = slot.release;
  } catch (error) {
    return errorResponse(error, { route: ROUTE }, bearer(request) !== null ? { bearerRealm: API_REALM } : {});
  }

  const encoder = new TextEncoder();
  let end = () => {};
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        let unsubscribe = () => {};
        let unwatch = () => {};
        const cleanup = () => {
          if (closed) return false;
          closed = true;
          unsubscribe();
          unwatch();
          clearInterval(heartbeat);
          clearTimeout(maxAge);
          request.signal.removeEventListener("abort", close);
          release();
          return true;
        };
        function close() {
          if (!cleanup()) return;
          try {
            controller.close();
          } catch {
            // Already closed by the other side.
          }
        }
        const write = (text: string) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -MAX_BUFFERED_BYTES) {
            close();
            return;
          }
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            close();
          }
        };
        const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
        const maxAge = setTimeout(close, STREAM_MAX_AGE_MS);
        end = () => void cleanup();
        // A session ended after the check above is caught by the watch's next database check.
        if (session) unwatch = watchSession(session, close);
        write(`retry: ${RETRY_MS}\n\n`);
        const off = feed.subscribe((event) => write(`event: job\ndata: ${event.data}\n\n`));
        // The current state is written during subscribe: a client too slow for it is already gone.
        if (closed) off();
        else unsubscribe = off;
        if (request.signal.aborted) close();
        else request.signal.addEventListener("abort", close);
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
