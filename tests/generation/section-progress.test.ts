import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { publishJobUpdate } from "@/lib/ai/jobs/live";
import { getDb } from "@/db";
import { stageText } from "@/components/stories/generation-status";
import type { PageJobView } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeAiJob, makeStory } from "../helpers/fixtures";

// "Section k of n" while a long page is revised section by section: which section runs is known from the running
// step's live updates; the story's stream keeps it across its polls of the ledger, and the page says it.

const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
}));
vi.mock("@/lib/auth", () => ({
  currentActor: mocks.currentActor,
  // The events route watches the session it was opened with: a real row, so the stream stays open while it lives.
  currentSession: async () => {
    const actor = await mocks.currentActor();
    const { startSession } = await import("@/lib/auth/sessions");
    return actor ? { actor, sessionId: await startSession(actor.id) } : null;
  },
}));
const eventsRoute = await import("@/app/api/stories/[storyId]/events/route");

useTestDb();

const sectioned = {
  story: { title: "T", description: "", language: "en" },
  target: { number: 1 },
  instruction: "",
  textSections: [
    { text: "One.\n\n", before: "", after: "Two." },
    { text: "Two.\n\n", before: "One.", after: "Three." },
    { text: "Three.", before: "Two.", after: "" },
  ],
};

/** The `job` events of a stream, parsed, until `enough` says stop. */
async function readEvents(response: Response, enough: (events: PageJobView[]) => boolean): Promise<PageJobView[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const events: PageJobView[] = [];
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split("\n\n");
    buffer = blocks.pop()!;
    for (const block of blocks)
      if (block.startsWith("event: job")) {
        const event = JSON.parse(block.split("\ndata: ")[1]!) as PageJobView;
        // One event per change; a poll that finds the ledger unchanged since the push sends nothing new.
        if (JSON.stringify(event) !== JSON.stringify(events.at(-1))) events.push(event);
      }
  }
  await reader.cancel();
  return events;
}

describe("section progress", () => {
  it("the story's stream says which section runs, and keeps it when it polls the ledger", async () => {
    const author = await makeActor();
    mocks.currentActor.mockResolvedValue(author);
    const { pages } = await makeStory(author, ["One.\n\nTwo.\n\nThree."]);
    const jobId = await makeAiJob(pages[0]!.id, author.id);
    const db = await getDb();
    // The ledger has the sections revised so far; the live update the current section's words after them.
    await db
      .update(aiJobs)
      .set({
        status: "running",
        outputText: null,
        partialText: "ONE.\n\n",
        promptPayload: sectioned,
        templateKey: "page_revise_section",
        // As requestPageText records it: the story's stream reads the story's jobs by scope.
        scopeType: "story",
        scopeId: pages[0]!.storyId,
      })
      .where(eq(aiJobs.id, jobId));

    const storyId = pages[0]!.storyId;
    const response = await eventsRoute.GET(new Request(`http://localhost/api/stories/${storyId}/events`), {
      params: Promise.resolve({ storyId }),
    });
    const events = await readEvents(response, (seen) => {
      if (seen.length === 1 && seen[0]!.partialText === "ONE.\n\n")
        publishJobUpdate({ jobId, partialText: "ONE.\n\nTw", section: { number: 2, count: 3 } });
      if (seen.length === 2 && seen[1]!.partialText === "ONE.\n\nTw") {
        // The step saves its text so far to the ledger; the stream's next poll reads it from there.
        void db
          .update(aiJobs)
          .set({ partialText: "ONE.\n\nTWO.", updatedAt: new Date() })
          .where(eq(aiJobs.id, jobId))
          .execute();
      }
      return seen.length >= 3;
    });
    expect(events[0]).toMatchObject({ partialText: "ONE.\n\n", sections: { count: 3, current: null } });
    expect(events[1]).toMatchObject({ partialText: "ONE.\n\nTw", sections: { count: 3, current: 2 } });
    // Read from the ledger (which knows no current section): the one seen live is kept.
    expect(events[2]).toMatchObject({ partialText: "ONE.\n\nTWO.", sections: { count: 3, current: 2 } });
  });

  it("the page's status line names the section", () => {
    const job = { status: "running", jobType: "page_text.revise", modelLabel: "offline model", partialText: "x" };
    expect(stageText({ ...job, sections: { count: 7, current: 2 } } as PageJobView)).toBe(
      "The offline model is revising this page, section 2 of 7…",
    );
    expect(stageText({ ...job, sections: { count: 7, current: null } } as PageJobView)).toBe(
      "The offline model is revising this page in 7 sections…",
    );
    expect(stageText({ ...job, sections: null } as PageJobView)).toBe("The offline model is revising this page…");
    expect(stageText({ ...job, sections: { count: 1, current: 1 } } as PageJobView)).toBe(
      "The offline model is revising this page…",
    );
  });
});
