import type { LanguageModelV4 } from "@ai-sdk/provider";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { codexEntries, codexSuggestions } from "@/db/memory-schema";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { resolveModel } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import {
  acceptCodexSuggestion,
  cancelCodexSuggestRun,
  createCodexEntry,
  getCodexSuggestRun,
  listCodex,
  listCodexSuggestions,
  rejectCodexSuggestion,
  requestCodexSuggestions,
  type Actor,
  type CodexSuggestRunView,
} from "@/lib/stories";
import { getCodexSuggestJob } from "@/lib/stories/codex/suggest/job";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { suggestCodexFunction } from "@/lib/stories/functions/suggest-codex";
import { storyJobTypes } from "@/lib/stories/job-types";
import { budgetRefusalForChild } from "@/lib/stories/spending-policy";
import { useEngine, waitFor } from "../engine/harness";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";

// A small prompt budget, so that a story of a few pages is read in several batches whose findings must be merged.
process.env.AI_INPUT_BUDGET_TOKENS = "700";

const offline = createOfflineModel({ msPerWord: 0 });
/** The offline model asked for prose instead: an answer that is not JSON. */
const prose: LanguageModelV4 = {
  ...offline,
  doStream: (options) =>
    offline.doStream({ ...options, prompt: [{ role: "user", content: [{ type: "text", text: "Write a page." }] }] }),
};
let answerWithProse = false;
/** While set, every model call waits for it: a run held mid-read, to be cancelled. */
let gate: Promise<void> | null = null;
const gated: LanguageModelV4 = {
  ...offline,
  doStream: async (options) => {
    if (gate) await gate;
    return offline.doStream(options);
  },
};

const t = useEngine(() => [
  createRunAiChildJob({
    jobTypes: createJobTypeRegistry(storyJobTypes),
    model: () => ({ ...resolveModel(), model: answerWithProse ? prose : gated }),
    admit: budgetRefusalForChild,
  }),
  applyPageJobResultFunction,
  suggestCodexFunction,
  settleFanOutParentOnFailure,
]);

async function finished(actor: Actor, storyId: string): Promise<CodexSuggestRunView> {
  return waitFor(
    async () => {
      const run = await getCodexSuggestRun(actor, { storyId });
      return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : null;
    },
    { timeoutMs: 40_000, what: "the Suggest entries run to end" },
  );
}

const filler =
  "The wind came off the water in long grey sheets, and the gulls sat low on the rail, waiting for the weather to make up its mind about the evening. ";

/** Pages long enough that a 700-token budget holds about two of them; every page names the same people and places. */
const pagesText = [
  `${filler.repeat(3)}At dawn Mara Quinn climbed the stairs of the lighthouse. The lamp was cold when Mara touched it.`,
  `${filler.repeat(3)}Tomas rowed across the bay toward Kellan Point. He waited for Mara at the jetty of Kellan Point.`,
  `${filler.repeat(3)}Later Mara Quinn found the logbook. She showed it to Tomas, who had kept it hidden at Kellan Point.`,
  `${filler.repeat(3)}Suddenly the bell rang. Suddenly nobody spoke. Tomas laughed, and Mara laughed with him.`,
];

// Several runs through the engine in one test: a generous budget for a machine shared with other work.
describe("Suggest entries", { timeout: 120_000 }, () => {
  it("reads the story in batches with the offline model and proposes merged entries, writing nothing to the codex", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, pagesText);
    const tomas = await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Tomas" });

    const { run, created } = await requestCodexSuggestions(author, { storyId: story.id });
    expect(created).toBe(true);
    expect(run.status).toBe("pending");
    // A second request while it runs joins it.
    const again = await requestCodexSuggestions(author, { storyId: story.id });
    if (again.run.status !== "succeeded") expect(again).toMatchObject({ created: false, run: { id: run.id } });

    const done = await finished(author, story.id);
    expect(done).toMatchObject({ id: run.id, status: "succeeded", failed: 0 });
    expect(done.total).toBeGreaterThanOrEqual(2);
    expect(done.done).toBe(done.total);

    const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, run.id));
    expect(children).toHaveLength(done.total);
    for (const child of children)
      expect(child).toMatchObject({
        jobType: "codex.suggest",
        targetType: "codex_batch",
        status: "succeeded",
        scopeId: story.id,
        templateKey: "codex_suggest",
        templateVersion: 1,
      });
    // Every batch was given the codex's names and its own pages.
    expect(children.every((c) => JSON.stringify(c.promptPayload).includes('"name":"Tomas"'))).toBe(true);
    const pagesRead = children.flatMap((c) => (c.promptPayload as { pages: { number: number }[] }).pages);
    expect(pagesRead.map((p) => p.number).sort()).toEqual([1, 2, 3, 4]);

    const suggestions = await listCodexSuggestions(author, { storyId: story.id });
    const byName = new Map(suggestions.map((s) => [s.name, s]));
    // One suggestion per name although several batches found it; sentence openers are not names.
    expect([...byName.keys()].sort()).toEqual(["Kellan Point", "Mara Quinn", "Tomas"]);
    expect(suggestions).toHaveLength(3);
    expect(byName.get("Mara Quinn")).toMatchObject({ kind: "character", aliases: ["Mara"], entryId: null });
    expect(byName.get("Mara Quinn")!.description).toContain("Mara Quinn climbed the stairs");
    // Merged from two batches: sentences of page 1 and of page 3.
    expect(byName.get("Mara Quinn")!.description).toContain("Mara Quinn found the logbook");
    expect(byName.get("Kellan Point")).toMatchObject({ kind: "place", entryId: null });
    // A name the codex has: an update of that entry.
    expect(byName.get("Tomas")).toMatchObject({ entryId: tomas.id, kind: "character" });
    expect(byName.get("Tomas")!.description).toMatch(/kept it hidden at Kellan Point/);

    // Nothing was written to the codex.
    expect((await listCodex(author, { storyId: story.id })).map((e) => [e.name, e.description])).toEqual([
      ["Tomas", ""],
    ]);

    // Review: a bad edit is refused naming the field, nothing saved; then edit and accept, accept an update, reject.
    const mara = byName.get("Mara Quinn")!;
    const bad = await expectAppError(
      acceptCodexSuggestion(author, { suggestionId: mara.id, edits: { name: "", aliases: ["Mara"] } }),
      "VALIDATION",
    );
    expect(bad.details?.fields).toHaveProperty("name");
    expect(await listCodexSuggestions(author, { storyId: story.id })).toHaveLength(3);
    const clash = await expectAppError(
      acceptCodexSuggestion(author, { suggestionId: mara.id, edits: { aliases: ["Mara", "TOMAS"] } }),
      "VALIDATION",
    );
    expect(clash.details?.fields).toEqual({ "aliases.1": "“TOMAS” is already the name of another entry." });
    expect(await listCodex(author, { storyId: story.id })).toHaveLength(1);

    const accepted = await acceptCodexSuggestion(author, {
      suggestionId: mara.id,
      edits: { description: "Keeper of the light.", activation: "always" },
    });
    expect(accepted.entry).toMatchObject({
      name: "Mara Quinn",
      aliases: ["Mara"],
      description: "Keeper of the light.",
      activation: "always",
      kind: "character",
    });
    expect(accepted.suggestion.status).toBe("accepted");
    await expectAppError(acceptCodexSuggestion(author, { suggestionId: mara.id }), "CONFLICT");

    const update = await acceptCodexSuggestion(author, { suggestionId: byName.get("Tomas")!.id });
    expect(update.entry).toMatchObject({ id: tomas.id, version: 2, name: "Tomas" });
    expect(update.entry.description).toMatch(/kept it hidden at Kellan Point/);

    const rejected = await rejectCodexSuggestion(author, { suggestionId: byName.get("Kellan Point")!.id });
    expect(rejected.status).toBe("rejected");
    expect(await listCodexSuggestions(author, { storyId: story.id })).toEqual([]);
    expect((await listCodex(author, { storyId: story.id })).map((e) => e.name)).toEqual(["Mara Quinn", "Tomas"]);
    const rows = await t.db().select().from(codexSuggestions).where(eq(codexSuggestions.storyId, story.id));
    expect(rows.every((r) => r.resolvedBy === author.id && r.resolvedAt !== null)).toBe(true);

    // A second run proposes only what is new: Tomas's entry already says what the pages say; Mara's edited
    // description lacks it (an update of her entry); Kellan Point was rejected, so it is not proposed again.
    await requestCodexSuggestions(author, { storyId: story.id });
    const second = await finished(author, story.id);
    expect(second.status).toBe("succeeded");
    const open = await listCodexSuggestions(author, { storyId: story.id });
    expect(open.map((s) => [s.name, s.entryId])).toEqual([["Mara Quinn", accepted.entry.id]]);
    expect(open[0]!.description).toMatch(/^Keeper of the light\. /);

    // Rejecting that update keeps it from coming back as it was.
    await rejectCodexSuggestion(author, { suggestionId: open[0]!.id });
    await requestCodexSuggestions(author, { storyId: story.id });
    expect((await finished(author, story.id)).status).toBe("succeeded");
    expect(await listCodexSuggestions(author, { storyId: story.id })).toEqual([]);
  });

  it("an answer that is not JSON fails its batch with GEN_MALFORMED_OUTPUT and proposes nothing", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, pagesText.slice(0, 2));
    answerWithProse = true;
    try {
      const { run } = await requestCodexSuggestions(author, { storyId: story.id });
      const done = await finished(author, story.id);
      expect(done).toMatchObject({ id: run.id, status: "failed" });
      expect(done.failed).toBe(done.total);
      expect(done.failures[0]).toBe("The AI model's answer was not in the expected form.");
      const children = await t
        .db()
        .select()
        .from(aiJobs)
        .where(and(eq(aiJobs.parentJobId, run.id), eq(aiJobs.status, "failed")));
      expect(children.every((c) => c.errorCode === "GEN_MALFORMED_OUTPUT")).toBe(true);
      expect(await listCodexSuggestions(author, { storyId: story.id })).toEqual([]);
      expect(await t.db().select().from(codexEntries).where(eq(codexEntries.storyId, story.id))).toEqual([]);
    } finally {
      answerWithProse = false;
    }
  });

  it("cancel stops a run while it reads: its batches are cancelled and nothing is proposed afterwards", async () => {
    const author = await makeActor();
    const other = await makeActor();
    const { story } = await makeStory(author, pagesText);
    let release = () => {};
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      const { run } = await requestCodexSuggestions(author, { storyId: story.id });
      await waitFor(
        async () => {
          const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, run.id));
          return children.some((c) => c.status === "running") ? children : null;
        },
        { timeoutMs: 40_000, what: "a batch to be reading" },
      );
      // Another author cannot see or stop it.
      await expectAppError(cancelCodexSuggestRun(other, { jobId: run.id }), "NOT_FOUND");
      const cancelled = await cancelCodexSuggestRun(author, { jobId: run.id });
      expect(cancelled).toMatchObject({ id: run.id, jobType: "story.suggest_codex", status: "cancelled" });
      release();
      await waitFor(
        async () => {
          const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, run.id));
          return children.every((c) => ["succeeded", "failed", "cancelled"].includes(c.status)) ? children : null;
        },
        { timeoutMs: 40_000, what: "every batch to end" },
      );
      const children = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, run.id));
      expect(children.map((c) => c.status).every((s) => s === "cancelled")).toBe(true);
      expect((await getCodexSuggestJob(author, run.id)).status).toBe("cancelled");
      expect(await t.db().select().from(codexSuggestions).where(eq(codexSuggestions.storyId, story.id))).toEqual([]);
    } finally {
      release();
      gate = null;
    }
  });

  it("a story without text is refused before any job", async () => {
    const author = await makeActor();
    const { story } = await makeStory(author, ["", "   "]);
    const error = await expectAppError(requestCodexSuggestions(author, { storyId: story.id }), "VALIDATION");
    expect(error.details?.fields).toHaveProperty("storyId");
    expect(await getCodexSuggestRun(author, { storyId: story.id })).toBeNull();
  });
});
