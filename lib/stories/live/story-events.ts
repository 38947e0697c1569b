import { getDb } from "@/db";
import { createScopeHub, listLiveScopeJobs, type LiveJobListener, type ScopeHub } from "@/lib/ai";
import { log, loggableMessage } from "@/lib/log";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { STORY_SCOPE } from "../job-kinds";
import { parseInput, storyIdSchema } from "../validation";
import { storyJobEventViews, type StoryJobEvent } from "./views";

/** How often a story with listeners reads its jobs (once per story, whatever the number of listeners). */
export const STORY_POLL_MS = 1000;

const globalForHub = globalThis as unknown as { __storySproutStoryHub?: ScopeHub<StoryJobEvent> };

/** The process's one hub of story job events (kept on globalThis so a dev reload does not start a second poller). */
export function storyJobHub(): ScopeHub<StoryJobEvent> {
  globalForHub.__storySproutStoryHub ??= createScopeHub<StoryJobEvent>({
    read: async (storyId) => listLiveScopeJobs(await getDb(), STORY_SCOPE, storyId),
    views: storyJobEventViews,
    intervalMs: STORY_POLL_MS,
    // The stream stays open (the next tick tries again); the log says why, cause included.
    onError: (error, storyId) =>
      log("error", "story job events: tick failed", {
        storyId,
        error,
        ...(error instanceof Error && error.cause instanceof Error
          ? { causes: [`${error.cause.name}: ${loggableMessage(error.cause)}`] }
          : {}),
      }),
  });
  return globalForHub.__storySproutStoryHub;
}

/** A story's job events, for a reader who may `read` it. */
export interface StoryJobFeed {
  storyId: string;
  /** Who is listening (for the per-user cap on open streams). */
  userId: string;
  /** Every job of the story as it changes, starting with the current state; returns the unsubscribe. */
  subscribe(listener: LiveJobListener<StoryJobEvent>): () => void;
}

/**
 * Opens the story's job events for the actor: `read` on the story is checked once here (another author's story is
 * NOT_FOUND, as a missing one); the stream that carries them re-checks by ending after a while (the client reconnects).
 */
export async function openStoryJobFeed(
  actorOrNull: Actor | null,
  input: unknown,
  hub: ScopeHub<StoryJobEvent> = storyJobHub(),
): Promise<StoryJobFeed> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  await loadStoryFor(await getDb(), actor, "read", storyId);
  return { storyId, userId: actor.id, subscribe: (listener) => hub.subscribe(storyId, listener) };
}
