import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userSessions, users } from "@/db/schema";
import { createApiToken } from "@/lib/auth/api-tokens";
import { checkWatchedSessions, endAllSessions, endSession, startSession } from "@/lib/auth/sessions";
import { streamSlots } from "@/lib/http/stream-slots";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

/**
 * A story's event stream opened with a session ends once that session does — sign-out, "sign out everywhere", the
 * user deleted or their role changed — instead of running on until its own 5-minute end. Streams of other sessions
 * (and API tokens) stay open. A session ended in this process closes its streams at once; one ended elsewhere (another
 * instance, a script) at the next check of the watched sessions.
 */
const mocks = vi.hoisted(() => ({
  signedIn: null as { actor: { id: string; role: "author" | "admin" }; sessionId: string } | null,
}));
vi.mock("@/lib/auth", () => ({
  currentSession: async () => mocks.signedIn,
  currentActor: async () => mocks.signedIn?.actor ?? null,
}));

const { GET } = await import("@/app/api/stories/[storyId]/events/route");

const { db } = useTestDb();

const open: AbortController[] = [];
afterEach(async () => {
  for (const controller of open.splice(0)) controller.abort();
  await vi.waitFor(() => expect(streamSlots().counts().total).toBe(0));
});

interface Stream {
  /** Resolves once the server ended the stream (the reader sees its end). */
  ended: Promise<void>;
  response: Response;
}

/** Opens the story's stream as `actor` signed in with `sessionId` (or with an API token). */
async function openStream(storyId: string, as: { actor: Actor; sessionId: string } | { token: string }) {
  const controller = new AbortController();
  open.push(controller);
  mocks.signedIn = "token" in as ? null : { actor: { id: as.actor.id, role: as.actor.role }, sessionId: as.sessionId };
  const headers: Record<string, string> = "token" in as ? { authorization: `Bearer ${as.token}` } : {};
  const response = await GET(
    new Request(`http://localhost/api/stories/${storyId}/events`, { headers, signal: controller.signal }),
    { params: Promise.resolve({ storyId }) },
  );
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return;
  })();
  // A stream closed by the test's own abort at the end ends too: never an unobserved rejection.
  ended.catch(() => {});
  return { ended, response } satisfies Stream;
}

/** Whether the stream has ended by now (the end it reached, or still open). */
async function hasEnded(stream: Stream): Promise<boolean> {
  return Promise.race([stream.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
}

const slotsOf = (userId: string) => streamSlots().counts().byUser.get(userId) ?? 0;

describe("a story's event stream ends with the session it was opened with", () => {
  it("sign-out closes the streams of that session, and only those", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["x"]);
    const laptop = await startSession(author.id);
    const phone = await startSession(author.id);
    const first = await openStream(story.id, { actor: author, sessionId: laptop });
    const second = await openStream(story.id, { actor: author, sessionId: laptop });
    const other = await openStream(story.id, { actor: author, sessionId: phone });
    expect(slotsOf(author.id)).toBe(3);

    await endSession(laptop);
    // Ended in this process: its streams were closed by the time the sign-out returned, no check needed.
    expect(slotsOf(author.id)).toBe(1);
    await first.ended;
    await second.ended;
    // The phone's stream is untouched, even after a check of every watched session.
    await checkWatchedSessions();
    expect(await hasEnded(other)).toBe(false);
    expect(slotsOf(author.id)).toBe(1);
  });

  it('"sign out everywhere" closes every stream of the user, not other users\'', async () => {
    const author = await makeActor();
    const reader = await makeActor("admin");
    const { story } = await makeStory(author, ["x"]);
    const streams = [
      await openStream(story.id, { actor: author, sessionId: await startSession(author.id) }),
      await openStream(story.id, { actor: author, sessionId: await startSession(author.id) }),
    ];
    const admins = await openStream(story.id, { actor: reader, sessionId: await startSession(reader.id) });

    await endAllSessions(author.id);
    expect(slotsOf(author.id)).toBe(0);
    for (const stream of streams) await stream.ended;
    await checkWatchedSessions();
    expect(await hasEnded(admins)).toBe(false);
    expect(slotsOf(author.id)).toBe(0);
    expect(slotsOf(reader.id)).toBe(1);
  });

  it("a session ended elsewhere (another instance, straight in the database) closes at the next check", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["x"]);
    const sessionId = await startSession(author.id);
    const stream = await openStream(story.id, { actor: author, sessionId });
    await db().update(userSessions).set({ endedAt: new Date() }).where(eq(userSessions.id, sessionId));
    // No call of this process announced it: the periodic check (every SESSION_RECHECK_MS) finds it by itself.
    await stream.ended;
    expect(slotsOf(author.id)).toBe(0);
  });

  it("a demoted admin's stream of someone else's story closes (access was granted to the old role)", async () => {
    const author = await makeActor();
    const admin = await makeActor("admin");
    const { story } = await makeStory(author, ["x"]);
    const stream = await openStream(story.id, { actor: admin, sessionId: await startSession(admin.id) });
    const own = await openStream(story.id, { actor: author, sessionId: await startSession(author.id) });
    await db().update(users).set({ role: "author" }).where(eq(users.id, admin.id));
    await checkWatchedSessions();
    await stream.ended;
    expect(await hasEnded(own)).toBe(false);
  });

  it("a deleted user's streams close", async () => {
    const admin = await makeActor("admin");
    const doomed = await makeActor("admin");
    const { story } = await makeStory(admin, ["x"]);
    const stream = await openStream(story.id, { actor: doomed, sessionId: await startSession(doomed.id) });
    await db().delete(users).where(eq(users.id, doomed.id));
    await checkWatchedSessions();
    await stream.ended;
    expect(slotsOf(doomed.id)).toBe(0);
  });

  it("a stream opened with an API token is not tied to any session: ending the user's sessions leaves it open", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["x"]);
    const { secret } = await createApiToken(author, { name: "cli" });
    const stream = await openStream(story.id, { token: secret });
    await endAllSessions(author.id);
    await checkWatchedSessions();
    expect(await hasEnded(stream)).toBe(false);
    expect(slotsOf(author.id)).toBe(1);
  });
});
