import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { eq } from "drizzle-orm";
import { simulateReadableStream } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { beforeEach, describe, expect, it } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { createRunAiChildJob } from "@/lib/ai/functions/run-ai-child-job";
import { createRunAiJob } from "@/lib/ai/functions/run-ai-job";
import { settleFanOutParentOnFailure } from "@/lib/ai/functions/settle-fan-out-parent";
import { createJobTypeRegistry } from "@/lib/ai/job-types";
import { resolveModel } from "@/lib/ai/models";
import { createOfflineModel } from "@/lib/ai/offline-model";
import { isProofreadPrompt, proofreadText } from "@/lib/ai/offline-proofread";
import { SECTION_MAX_TOKENS } from "@/lib/ai/sections";
import { countTokens } from "@/lib/ai/tokens";
import {
  getAdminJobDetail,
  getBackgroundRevision,
  requestBackgroundRevision,
  savePage,
  type BackgroundRevisionView,
} from "@/lib/stories";
import { applyPageJobResultFunction } from "@/lib/stories/functions/apply-page-job-result";
import { reviseStoryPagesFunction } from "@/lib/stories/functions/revise-story-pages";
import { storyJobTypes } from "@/lib/stories/job-types";
import { useEngine, waitFor } from "../engine/harness";
import { addMember, expectAppError, makeActor, makeStory, pageRow } from "../helpers/fixtures";

// "Revise, then proofread" (issue 15, Workflows): one job per page whose workflow chains two recorded model calls.
// The revise call answers with a fixed, sloppy text so the proofread step's work (the offline proofreader) shows.

const SLOPPY = "the lamp  burned all night ,and mara slept.\n\nshe woke at dawn";
/** What the revise call answers (the long-page test sets a page-sized answer). */
let reviseAnswer = SLOPPY;
const offline = createOfflineModel({ msPerWord: 0 });
const calls: ("revise" | "proofread")[] = [];
const proofreadInputs: string[] = [];
const faults: { outageOn: number | null; before: Map<number, () => Promise<void>> } = {
  outageOn: null,
  before: new Map(),
};

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

function promptOf(options: LanguageModelV4CallOptions): string {
  return options.prompt
    .map((m) =>
      typeof m.content === "string" ? m.content : m.content.map((p) => ("text" in p ? p.text : "")).join(""),
    )
    .join("\n");
}

const model = new MockLanguageModelV4({
  doStream: async (options) => {
    const prompt = promptOf(options);
    const kind = isProofreadPrompt(prompt) ? "proofread" : "revise";
    calls.push(kind);
    const call = calls.length;
    await faults.before.get(call)?.();
    if (faults.outageOn === call) {
      faults.outageOn = null;
      throw new TypeError("fetch failed");
    }
    if (kind === "proofread") {
      proofreadInputs.push(/TEXT TO PROOFREAD <<<\n<<<\n([\s\S]*)\n>>>/.exec(prompt)![1]!);
      return offline.doStream(options);
    }
    return {
      stream: simulateReadableStream({
        chunks: [
          { type: "text-start" as const, id: "0" },
          { type: "text-delta" as const, id: "0", delta: reviseAnswer },
          { type: "text-end" as const, id: "0" },
          { type: "finish" as const, usage: usage(500, 20), finishReason: { unified: "stop" as const, raw: "stop" } },
        ],
      }),
    };
  },
});

const runnerOptions = {
  model: () => ({ ...resolveModel({}), model }),
  jobTypes: createJobTypeRegistry(storyJobTypes),
  flushIntervalMs: 20,
};
const t = useEngine(() => [
  createRunAiJob(runnerOptions),
  createRunAiChildJob(runnerOptions),
  applyPageJobResultFunction,
  reviseStoryPagesFunction,
  settleFanOutParentOnFailure,
]);

beforeEach(() => {
  reviseAnswer = SLOPPY;
  calls.length = 0;
  proofreadInputs.length = 0;
  faults.outageOn = null;
  faults.before = new Map();
});

type Author = Awaited<ReturnType<typeof makeActor>>;

async function ended(actor: Author, storyId: string, jobId: string): Promise<BackgroundRevisionView> {
  return waitFor(
    async () => {
      const view = (await getBackgroundRevision(actor, { storyId, jobId }))!;
      return ["succeeded", "failed", "cancelled"].includes(view.status) ? view : null;
    },
    { timeoutMs: 30_000, what: "the background revision to end" },
  );
}

async function childOf(parentId: string) {
  const [child] = await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, parentId));
  return child!;
}

/** The engine steps of a child's run, in order, once it has ended. */
async function stepNames(jobId: string): Promise<string[]> {
  const run = await waitFor(
    async () => {
      const runs = await t.engine().query.runsForEvent({ data: { jobId } });
      const found = runs.find((r) => r.run.functionId.endsWith("run-ai-child-job"));
      return found && found.run.status !== "queued" && found.run.status !== "running" ? found : null;
    },
    { what: `the run of job ${jobId} to end` },
  );
  return run.steps.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0)).map((s) => s.name);
}

describe("Revise, then proofread: one job of two recorded steps", () => {
  it("revises, proofreads the revised text, records both steps and leaves one suggestion", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara walked to the lighthouse. The sea was calm."]);
    const page = pages[0]!;
    const { revision, message } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [page.id],
      instruction: "Make it darker",
      workflow: "revise_proofread",
    });
    expect(message).toMatch(/Revising, then proofreading, 1 page/);
    const done = await ended(author, story.id, revision.id);
    expect(done).toMatchObject({ status: "succeeded", succeeded: 1, openSuggestions: 1, workflow: "revise_proofread" });

    // One job: first the revise call, then the proofread call on the revise call's answer.
    expect(calls).toEqual(["revise", "proofread"]);
    expect(proofreadInputs).toEqual([SLOPPY]);
    const child = await childOf(revision.id);
    const expected = proofreadText(SLOPPY);
    expect(expected).toBe("The lamp burned all night, and mara slept.\n\nShe woke at dawn");
    expect(child).toMatchObject({
      jobType: "page_text.revise",
      status: "succeeded",
      outputText: expected,
      attempts: 2,
    });

    // Each step is recorded: template and version, tokens, cost and timings; the job's totals are their sums.
    const steps = child.steps!;
    expect(steps.map((s) => [s.name, s.templateKey, s.templateVersion])).toEqual([
      ["revise", child.templateKey, child.templateVersion],
      ["proofread", "page_proofread", 1],
    ]);
    expect(steps[0]!.record).toMatchObject({ inputTokens: 500, outputTokens: 20, promptHash: child.promptHash });
    expect(steps[0]!.record!.outputCharacters).toBe(SLOPPY.length);
    expect(steps[1]!.record!.inputTokens).toBeGreaterThan(0);
    expect(steps[1]!.record!.outputCharacters).toBe(expected.length);
    for (const s of steps) {
      expect(s.record!.completedAt).toEqual(expect.any(String));
      expect(Date.parse(s.record!.completedAt)).toBeGreaterThanOrEqual(Date.parse(s.record!.startedAt!));
    }
    expect(child.inputTokens).toBe(steps[0]!.record!.inputTokens + steps[1]!.record!.inputTokens);
    expect(child.outputTokens).toBe(steps[0]!.record!.outputTokens + steps[1]!.record!.outputTokens);
    expect(await stepNames(child.id)).toEqual(["render", "generate", "step-2-proofread", "finish"]);

    // Lands like every background revision: a suggestion with the proofread text; the page is untouched.
    const [suggestion] = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, child.id));
    expect(suggestion).toMatchObject({ content: expected, status: "open", baseVersion: 1 });
    expect(await pageRow(page.id)).toMatchObject({ version: 1 });

    // The admin's job detail and the author's progress view show both steps.
    const detail = await getAdminJobDetail(await makeActor("admin"), { jobId: child.id });
    expect(detail.steps?.map((s) => s.name)).toEqual(["revise", "proofread"]);
    expect(detail.steps?.[1]).toMatchObject({
      template: "page_proofread v1",
      inputTokens: steps[1]!.record!.inputTokens,
      sections: null,
    });
    expect(done.pages[0]!.steps?.map((s) => [s.name, s.done])).toEqual([
      ["revise", true],
      ["proofread", true],
    ]);
  });

  it("a retry of the proofread step does not run the revise step again", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara walked to the lighthouse. The sea was calm."]);
    faults.outageOn = 2;
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [pages[0]!.id],
      instruction: "Make it darker",
      workflow: "revise_proofread",
    });
    expect(await ended(author, story.id, revision.id)).toMatchObject({ status: "succeeded", openSuggestions: 1 });
    // The proofread call failed once and was asked again; the revision was asked for once.
    expect(calls).toEqual(["revise", "proofread", "proofread"]);
    expect(proofreadInputs).toEqual([SLOPPY]);
    const child = await childOf(revision.id);
    expect(child).toMatchObject({ attempts: 3, outputText: proofreadText(SLOPPY) });
    expect(child.steps!.every((s) => s.record !== undefined)).toBe(true);
  });

  it("a page the author changed meanwhile keeps the author's text; the result waits as a suggestion", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara walked to the lighthouse. The sea was calm."]);
    const page = pages[0]!;
    // Between the two steps: the author saves the page.
    faults.before.set(2, async () => {
      await savePage(author, { pageId: page.id, content: "The author's own words.", baseVersion: 1 });
    });
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [page.id],
      instruction: "Make it darker",
      workflow: "revise_proofread",
    });
    expect(await ended(author, story.id, revision.id)).toMatchObject({ status: "succeeded", openSuggestions: 1 });
    expect(await pageRow(page.id)).toMatchObject({ content: "The author's own words.", version: 2 });
    const child = await childOf(revision.id);
    const [suggestion] = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, child.id));
    expect(suggestion).toMatchObject({ content: proofreadText(SLOPPY), baseVersion: 1, status: "open" });
  });

  it("a revised page too long for one answer is proofread in sections, every part of it, and joined back", async () => {
    const author = await makeActor();
    // Over the 4,000 tokens one answer may hold, both the page (revised in one call: within the offline model's prompt
    // budget) and its revision, twice as long: the proofread step cannot be one call.
    const paragraph = (i: number, sloppy: boolean) =>
      sloppy
        ? `the lamp  burned all night on the rock ,and mara counted the ships that passed , one by one , until dawn came over the water in paragraph ${i}.  she wrote each name in the log ,and tobin read them back to her when he rowed out with the bread.`
        : `The lamp burned all night on the rock, and Mara counted the ships that passed, one by one, until dawn came over the water in paragraph ${i}. She wrote each name in the log, and Tobin read them back to her when he rowed out with the bread.`;
    const original = Array.from({ length: 90 }, (_, i) => paragraph(i + 1, false)).join("\n\n");
    reviseAnswer = Array.from({ length: 150 }, (_, i) => paragraph(i + 1, true)).join("\n\n");
    expect(countTokens(original)).toBeGreaterThan(SECTION_MAX_TOKENS);
    expect(countTokens(reviseAnswer)).toBeGreaterThan(2 * SECTION_MAX_TOKENS);
    const { story, pages } = await makeStory(author, [original]);
    const page = pages[0]!;
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [page.id],
      instruction: "Make it darker",
      workflow: "revise_proofread",
    });
    const done = await ended(author, story.id, revision.id);
    expect(done).toMatchObject({ failures: [], status: "succeeded", succeeded: 1, skipped: [], openSuggestions: 1 });

    // One revise call, then one proofread call per section, each within one answer's limit; in order, the sections
    // are the whole revised text: nothing left out.
    const sections = calls.length - 1;
    expect(sections).toBeGreaterThanOrEqual(3);
    expect(calls).toEqual(["revise", ...Array<"proofread">(sections).fill("proofread")]);
    for (const input of proofreadInputs) expect(countTokens(input)).toBeLessThanOrEqual(SECTION_MAX_TOKENS);
    expect(proofreadInputs.join("\n\n")).toBe(reviseAnswer);

    // The job's answer is the whole page proofread (every paragraph, the last one included) in its own layout.
    const expected = proofreadText(reviseAnswer);
    expect(expected).toContain("The lamp burned all night on the rock, and mara counted the ships that passed, one");
    const child = await childOf(revision.id);
    expect(child).toMatchObject({ status: "succeeded", outputText: expected, attempts: 1 + sections });
    const [suggestion] = await t.db().select().from(pageSuggestions).where(eq(pageSuggestions.jobId, child.id));
    expect(suggestion).toMatchObject({ content: expected, status: "open" });

    // The step's record covers every section; each section had an engine step of its own.
    const proofread = child.steps![1]!.record!;
    expect(proofread).toMatchObject({ sections, outputCharacters: expected.length });
    expect(child.outputTokens).toBe(child.steps![0]!.record!.outputTokens + proofread.outputTokens);
    expect(await stepNames(child.id)).toEqual([
      "render",
      "generate",
      ...Array.from({ length: sections }, (_, i) => `step-2-proofread-section-${i + 1}`),
      "finish",
    ]);
    // The author and the admin see that the step read the page in sections.
    expect(done.pages[0]!.steps?.map((s) => [s.name, s.done, s.sections])).toEqual([
      ["revise", true, null],
      ["proofread", true, sections],
    ]);
    const detail = await getAdminJobDetail(await makeActor("admin"), { jobId: child.id });
    expect(detail.steps?.[1]).toMatchObject({ name: "proofread", sections, outputTokens: proofread.outputTokens });
  });

  it("a plain background revision stays one call with no steps", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara walked to the lighthouse."]);
    const { revision } = await requestBackgroundRevision(author, {
      storyId: story.id,
      pageIds: [pages[0]!.id],
      instruction: "Make it darker",
    });
    expect(await ended(author, story.id, revision.id)).toMatchObject({ status: "succeeded", workflow: "revise" });
    expect(calls).toEqual(["revise"]);
    const child = await childOf(revision.id);
    expect(child.steps).toBeNull();
    expect(await stepNames(child.id)).toEqual(["render", "generate", "finish"]);
  });

  it("only those who may generate on the story start it; an unknown workflow is refused", async () => {
    const author = await makeActor();
    const { story, pages } = await makeStory(author, ["Mara walked to the lighthouse."]);
    const input = { storyId: story.id, pageIds: [pages[0]!.id], instruction: "Darker", workflow: "revise_proofread" };
    const reader = await makeActor();
    await addMember(story.id, reader, "reader");
    await expectAppError(requestBackgroundRevision(reader, input), "FORBIDDEN");
    await expectAppError(requestBackgroundRevision(await makeActor(), input), "NOT_FOUND");
    await expectAppError(requestBackgroundRevision(null, input), "UNAUTHENTICATED");
    await expectAppError(requestBackgroundRevision(author, { ...input, workflow: "translate" }), "VALIDATION");
    const editor = await makeActor();
    await addMember(story.id, editor, "editor");
    const { revision } = await requestBackgroundRevision(editor, input);
    expect(await ended(editor, story.id, revision.id)).toMatchObject({ status: "succeeded", openSuggestions: 1 });
    expect(await t.db().select().from(aiJobs).where(eq(aiJobs.parentJobId, revision.id))).toHaveLength(1);
  });
});
