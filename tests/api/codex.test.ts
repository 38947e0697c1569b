import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { aiJobs } from "@/db/ai-schema";
import { codexEntries, codexSuggestions } from "@/db/memory-schema";
import type {
  codexEntryAnswerSchema,
  codexListAnswerSchema,
  codexSuggestAcceptedSchema,
  codexSuggestionAcceptedSchema,
  codexSuggestionListSchema,
  codexSuggestRunAnswerSchema,
  anyJobSchema,
} from "@/lib/http/api-schemas";
import { v1 } from "@/lib/http/v1-operations";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory, ZERO_UUID } from "../helpers/fixtures";
import type { ErrorAnswer } from "./route-call";
import { contractCheckedCallRoute } from "./v1-contract";

type Entry = z.output<typeof codexEntryAnswerSchema>;

/** REST API v1 of the story codex, called as Next calls the route handlers; every answer checked against its operation. */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const tokens = await import("@/lib/auth/api-tokens");
const collection = await import("@/app/api/v1/stories/[storyId]/codex/route");
const item = await import("@/app/api/v1/codex/[entryId]/route");
const suggest = await import("@/app/api/v1/stories/[storyId]/codex/suggest/route");
const suggestions = await import("@/app/api/v1/stories/[storyId]/codex/suggestions/route");
const accept = await import("@/app/api/v1/codex-suggestions/[suggestionId]/accept/route");
const reject = await import("@/app/api/v1/codex-suggestions/[suggestionId]/reject/route");
const job = await import("@/app/api/v1/jobs/[jobId]/route");
const cancelJob = await import("@/app/api/v1/jobs/[jobId]/cancel/route");
const { landCodexSuggestions } = await import("@/lib/stories/codex/suggest/land");

const callRoute = contractCheckedCallRoute([
  [collection.GET, v1.listCodex],
  [collection.POST, v1.createCodexEntry],
  [item.PATCH, v1.updateCodexEntry],
  [item.DELETE, v1.deleteCodexEntry],
  [suggest.POST, v1.suggestCodex],
  [suggest.GET, v1.getCodexSuggestRun],
  [suggestions.GET, v1.listCodexSuggestions],
  [job.GET, v1.getJob],
  [cancelJob.POST, v1.cancelJob],
  [accept.POST, v1.acceptCodexSuggestion],
  [reject.POST, v1.rejectCodexSuggestion],
]);

const { db } = useTestDb();

let a: Actor;
let tokenA: string;
let tokenB: string;
beforeAll(async () => {
  a = await makeActor();
  const b = await makeActor();
  tokenA = (await tokens.createApiToken(a, { name: "A" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B" })).secret;
});

const entriesOf = (storyId: string) => db().select().from(codexEntries).where(eq(codexEntries.storyId, storyId));

describe("REST: the story codex", () => {
  it("create, list and search, patch with a version, delete", async () => {
    const { story } = await makeStory(a, ["Mara sailed."]);
    const storyId = story.id;
    const created = await callRoute<Entry>(collection.POST, {
      token: tokenA,
      params: { storyId },
      body: { kind: "character", name: "Mara", aliases: ["The Captain"], description: "Keeper of the light." },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/api/v1/codex/${created.body.id}`);
    expect(created.body).toMatchObject({ name: "Mara", activation: "mentioned", version: 1 });
    await callRoute(collection.POST, { token: tokenA, params: { storyId }, body: { kind: "place", name: "Harbour" } });

    const all = await callRoute<z.output<typeof codexListAnswerSchema>>(collection.GET, {
      token: tokenA,
      params: { storyId },
    });
    expect(all.body.entries.map((e) => e.name)).toEqual(["Mara", "Harbour"]);
    const found = await callRoute<z.output<typeof codexListAnswerSchema>>(collection.GET, {
      token: tokenA,
      path: `/api/v1/stories/${storyId}/codex?q=captain`,
      params: { storyId },
    });
    expect(found.body.entries.map((e) => e.name)).toEqual(["Mara"]);

    const patched = await callRoute<Entry>(item.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { entryId: created.body.id },
      body: { baseVersion: 1, activation: "always" },
    });
    expect(patched).toMatchObject({ status: 200, body: { activation: "always", version: 2 } });
    const stale = await callRoute<ErrorAnswer>(item.PATCH, {
      method: "PATCH",
      token: tokenA,
      params: { entryId: created.body.id },
      body: { baseVersion: 1, activation: "never" },
    });
    expect(stale).toMatchObject({ status: 409, body: { code: "CONFLICT" } });

    const deleted = await callRoute(item.DELETE, {
      method: "DELETE",
      token: tokenA,
      params: { entryId: created.body.id },
    });
    expect(deleted).toMatchObject({ status: 200, body: { id: created.body.id, deleted: true } });
    const again = await callRoute(item.DELETE, {
      method: "DELETE",
      token: tokenA,
      params: { entryId: created.body.id },
    });
    expect(again.status).toBe(404);
  });

  it("bad input: 400 naming the field, nothing saved", async () => {
    const { story } = await makeStory(a, []);
    const storyId = story.id;
    await callRoute(collection.POST, { token: tokenA, params: { storyId }, body: { kind: "character", name: "Mara" } });
    const cases: [unknown, string][] = [
      [{ kind: "character", name: "" }, "name"],
      [{ kind: "character", name: "x".repeat(101) }, "name"],
      [{ kind: "hero", name: "Tomas" }, "kind"],
      [{ kind: "character", name: "Tomas", aliases: ["mara"] }, "aliases.0"],
      [{ kind: "character", name: "MARA" }, "name"],
      [{ kind: "character", name: "Tomas", aliases: ["T", "t"] }, "aliases.1"],
      [{ kind: "character", name: "Tomas", description: "d".repeat(2001) }, "description"],
      [[], "body"],
    ];
    for (const [body, field] of cases) {
      const answer = await callRoute<ErrorAnswer>(collection.POST, { token: tokenA, params: { storyId }, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.code).toBe("VALIDATION");
      expect(Object.keys(answer.body.details?.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    const clash = await callRoute<ErrorAnswer>(collection.POST, {
      token: tokenA,
      params: { storyId },
      body: { kind: "character", name: "mara" },
    });
    expect(clash.body.message).toBe("“mara” is already the name of another entry.");
    const notJson = await callRoute<ErrorAnswer>(collection.POST, {
      method: "POST",
      token: tokenA,
      params: { storyId },
      rawBody: "{nope",
    });
    expect(notJson).toMatchObject({ status: 400, body: { details: { fields: { body: "Not valid JSON." } } } });
    expect((await entriesOf(storyId)).map((e) => e.name)).toEqual(["Mara"]);
  });

  it("another author's story or entry answers 404 like a missing one; no token is 401", async () => {
    const { story } = await makeStory(a, ["Mara."]);
    const entry = await callRoute<Entry>(collection.POST, {
      token: tokenA,
      params: { storyId: story.id },
      body: { kind: "character", name: "Mara" },
    });
    const foreign = [
      await callRoute<ErrorAnswer>(collection.GET, { token: tokenB, params: { storyId: story.id } }),
      await callRoute<ErrorAnswer>(collection.POST, {
        token: tokenB,
        params: { storyId: story.id },
        body: { kind: "thing", name: "Lamp" },
      }),
      await callRoute<ErrorAnswer>(item.PATCH, {
        method: "PATCH",
        token: tokenB,
        params: { entryId: entry.body.id },
        body: { baseVersion: 1, name: "Stolen" },
      }),
      await callRoute<ErrorAnswer>(item.DELETE, {
        method: "DELETE",
        token: tokenB,
        params: { entryId: entry.body.id },
      }),
      await callRoute<ErrorAnswer>(suggest.POST, { method: "POST", token: tokenB, params: { storyId: story.id } }),
    ];
    const missing = await callRoute<ErrorAnswer>(item.DELETE, {
      method: "DELETE",
      token: tokenA,
      params: { entryId: ZERO_UUID },
    });
    for (const answer of foreign) expect(answer).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    expect(missing.status).toBe(404);
    expect((await entriesOf(story.id)).map((e) => [e.name, e.version])).toEqual([["Mara", 1]]);
    expect((await callRoute(collection.GET, { params: { storyId: story.id } })).status).toBe(401);
  });

  it("suggest entries: start a run (202), follow it, review the suggestions", async () => {
    const { story } = await makeStory(a, ["Mara met Tomas. Then Mara left Tomas."]);
    const storyId = story.id;
    const started = await callRoute<z.output<typeof codexSuggestAcceptedSchema>>(suggest.POST, {
      method: "POST",
      token: tokenA,
      params: { storyId },
    });
    expect(started).toMatchObject({ status: 202, body: { created: true, run: { status: "pending", storyId } } });
    expect(started.headers.get("location")).toBe(`/api/v1/stories/${storyId}/codex/suggest`);
    const run = await callRoute<z.output<typeof codexSuggestRunAnswerSchema>>(suggest.GET, {
      token: tokenA,
      params: { storyId },
    });
    expect(run.body.run?.id).toBe(started.body.run.id);

    // Suggestions as a finished run leaves them (the job itself runs in tests/codex/suggest.test.ts).
    const [mara, tomas] = await db()
      .insert(codexSuggestions)
      .values([
        { storyId, kind: "character", name: "Mara", description: "She leaves." },
        { storyId, kind: "character", name: "Tomas" },
      ])
      .returning();
    const open = await callRoute<z.output<typeof codexSuggestionListSchema>>(suggestions.GET, {
      token: tokenA,
      params: { storyId },
    });
    expect(open.body.suggestions.map((s) => s.name)).toEqual(["Mara", "Tomas"]);

    const badEdit = await callRoute<ErrorAnswer>(accept.POST, {
      token: tokenA,
      params: { suggestionId: mara!.id },
      body: { edits: { aliases: ["MARA"] } },
    });
    expect(badEdit).toMatchObject({ status: 400, body: { details: { fields: { "aliases.0": expect.any(String) } } } });
    const accepted = await callRoute<z.output<typeof codexSuggestionAcceptedSchema>>(accept.POST, {
      token: tokenA,
      params: { suggestionId: mara!.id },
      body: { edits: { kind: "character", description: "Keeper of the light." } },
    });
    expect(accepted).toMatchObject({
      status: 200,
      body: { suggestion: { status: "accepted" }, entry: { name: "Mara", description: "Keeper of the light." } },
    });
    const rejected = await callRoute(reject.POST, {
      method: "POST",
      token: tokenA,
      params: { suggestionId: tomas!.id },
    });
    expect(rejected).toMatchObject({ status: 200, body: { status: "rejected" } });
    const foreign = await callRoute(reject.POST, { method: "POST", token: tokenB, params: { suggestionId: mara!.id } });
    expect(foreign.status).toBe(404);
    expect((await entriesOf(storyId)).map((e) => e.name)).toEqual(["Mara"]);
  });

  it("a Suggest entries run is a job: GET /api/v1/jobs/{id} answers it, cancel stops it, nothing is proposed afterwards", async () => {
    const { story } = await makeStory(a, ["Mara met Tomas. Then Mara left Tomas."]);
    const storyId = story.id;
    const started = await callRoute<z.output<typeof codexSuggestAcceptedSchema>>(suggest.POST, {
      method: "POST",
      token: tokenA,
      params: { storyId },
    });
    const runId = started.body.run.id;
    const got = await callRoute<z.output<typeof anyJobSchema>>(job.GET, { token: tokenA, params: { jobId: runId } });
    expect(got).toMatchObject({
      status: 200,
      body: { id: runId, jobType: "story.suggest_codex", storyId, status: "pending", total: 0, openSuggestions: 0 },
    });
    // The same object as the story's run view.
    const run = await callRoute<z.output<typeof codexSuggestRunAnswerSchema>>(suggest.GET, {
      token: tokenA,
      params: { storyId },
    });
    expect(got.body).toEqual(run.body.run);

    // Another author's run answers exactly like a missing one, for reading and for cancelling.
    const foreign = await callRoute<ErrorAnswer>(job.GET, { token: tokenB, params: { jobId: runId } });
    const missing = await callRoute<ErrorAnswer>(job.GET, { token: tokenB, params: { jobId: ZERO_UUID } });
    expect(foreign).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    expect(foreign.body).toEqual(missing.body);
    const foreignCancel = await callRoute<ErrorAnswer>(cancelJob.POST, {
      method: "POST",
      token: tokenB,
      params: { jobId: runId },
    });
    expect(foreignCancel).toMatchObject({ status: 404, body: foreign.body });

    // A batch of the run whose answer is in but has not landed yet (the runner stored it just before the cancel).
    const [batch] = await db()
      .insert(aiJobs)
      .values({
        jobType: "codex.suggest",
        status: "succeeded",
        targetType: "codex",
        targetId: storyId,
        scopeType: "story",
        scopeId: storyId,
        parentJobId: runId,
        requestedBy: a.id,
        templateKey: "codex_suggest",
        templateVersion: 1,
        provider: "offline",
        model: "offline",
        promptPayload: {},
        outputText: JSON.stringify([{ kind: "character", name: "Mara", aliases: [], description: "She leaves." }]),
        baseVersion: null,
      })
      .returning();
    await db().update(aiJobs).set({ status: "running" }).where(eq(aiJobs.id, runId));

    const cancelled = await callRoute<z.output<typeof anyJobSchema>>(cancelJob.POST, {
      method: "POST",
      token: tokenA,
      params: { jobId: runId },
    });
    expect(cancelled).toMatchObject({
      status: 200,
      body: { id: runId, jobType: "story.suggest_codex", status: "cancelled" },
    });
    expect(await landCodexSuggestions(batch!)).toBe("cancelled");
    expect(await db().select().from(codexSuggestions).where(eq(codexSuggestions.storyId, storyId))).toEqual([]);
    // Cancelling again answers the run as it is.
    const again = await callRoute<z.output<typeof anyJobSchema>>(cancelJob.POST, {
      method: "POST",
      token: tokenA,
      params: { jobId: runId },
    });
    expect(again).toMatchObject({ status: 200, body: { status: "cancelled", openSuggestions: 0 } });
  });
});
