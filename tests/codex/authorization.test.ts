import { asc } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { codexEntries, codexNameKeys, codexSuggestions } from "@/db/memory-schema";
import * as domain from "@/lib/stories";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory, randomId } from "../helpers/fixtures";

/**
 * The codex's functions × {anonymous, another author, the owner, an admin}: another author's story, entry or
 * suggestion answers NOT_FOUND exactly like a missing one, and nothing changes.
 */
// No engine here: Suggest entries' runs stay pending.
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const { db } = useTestDb();

let a: Actor;
let b: Actor;
let admin: Actor;
beforeAll(async () => {
  a = await makeActor("author", "Author A");
  b = await makeActor("author", "Author B");
  admin = await makeActor("admin", "The Admin");
});

interface World {
  storyId: string;
  pageId: string;
  entryId: string;
  suggestionId: string;
}

async function buildWorld(): Promise<World> {
  const { story, pages } = await makeStory(a, ["Mara sailed to Kellan Point."], "A's story");
  const entry = await domain.createCodexEntry(a, { storyId: story.id, kind: "character", name: "Mara" });
  const [suggestion] = await db()
    .insert(codexSuggestions)
    .values({ storyId: story.id, kind: "place", name: "Kellan Point", description: "A headland." })
    .returning();
  return { storyId: story.id, pageId: pages[0]!.id, entryId: entry.id, suggestionId: suggestion!.id };
}

async function codexSnapshot() {
  return {
    entries: await db().select().from(codexEntries).orderBy(asc(codexEntries.id)),
    keys: await db().select().from(codexNameKeys).orderBy(asc(codexNameKeys.nameKey)),
    suggestions: await db().select().from(codexSuggestions).orderBy(asc(codexSuggestions.id)),
  };
}

type Name =
  | "listCodex"
  | "getCodexEntry"
  | "createCodexEntry"
  | "updateCodexEntry"
  | "deleteCodexEntry"
  | "codexMentionsForPage"
  | "codexMentionsByPage"
  | "getCodexSuggestRun"
  | "listCodexSuggestions"
  | "acceptCodexSuggestion"
  | "rejectCodexSuggestion";

/** Valid input naming A's things, and input naming things that do not exist. */
const cases: Record<Name, { input: (w: World) => unknown; missing: unknown }> = {
  listCodex: { input: (w) => ({ storyId: w.storyId }), missing: { storyId: randomId() } },
  getCodexEntry: { input: (w) => ({ entryId: w.entryId }), missing: { entryId: randomId() } },
  createCodexEntry: {
    input: (w) => ({ storyId: w.storyId, kind: "thing", name: "The Lamp" }),
    missing: { storyId: randomId(), kind: "thing", name: "The Lamp" },
  },
  updateCodexEntry: {
    input: (w) => ({ entryId: w.entryId, baseVersion: 1, description: "Changed." }),
    missing: { entryId: randomId(), baseVersion: 1, description: "Changed." },
  },
  deleteCodexEntry: { input: (w) => ({ entryId: w.entryId }), missing: { entryId: randomId() } },
  codexMentionsForPage: { input: (w) => ({ pageId: w.pageId }), missing: { pageId: randomId() } },
  codexMentionsByPage: { input: (w) => ({ storyId: w.storyId }), missing: { storyId: randomId() } },
  getCodexSuggestRun: { input: (w) => ({ storyId: w.storyId }), missing: { storyId: randomId() } },
  listCodexSuggestions: { input: (w) => ({ storyId: w.storyId }), missing: { storyId: randomId() } },
  acceptCodexSuggestion: { input: (w) => ({ suggestionId: w.suggestionId }), missing: { suggestionId: randomId() } },
  rejectCodexSuggestion: { input: (w) => ({ suggestionId: w.suggestionId }), missing: { suggestionId: randomId() } },
};

const domainExports: Readonly<Record<string, unknown>> = domain;
const call = (name: Name | "requestCodexSuggestions", actor: Actor | null, input: unknown) =>
  (domainExports[name] as (actor: Actor | null, input: unknown) => Promise<unknown>)(actor, input);

describe.each(Object.keys(cases) as Name[])("%s", (name) => {
  const spec = cases[name];

  it("anonymous → UNAUTHENTICATED; another author → NOT_FOUND like a missing id; nothing changes", async () => {
    const w = await buildWorld();
    const before = await codexSnapshot();
    await expectAppError(call(name, null, spec.input(w)), "UNAUTHENTICATED");
    const foreign = await expectAppError(call(name, b, spec.input(w)), "NOT_FOUND");
    const missing = await expectAppError(call(name, a, spec.missing), "NOT_FOUND");
    expect(foreign.message).toBe(missing.message);
    expect(await codexSnapshot()).toEqual(before);
  });

  it("the owner and an admin may", async () => {
    for (const actor of [a, admin]) {
      const w = await buildWorld();
      await expect(call(name, actor, spec.input(w))).resolves.not.toThrow();
    }
  });
});

describe("cancelCodexSuggestRun", () => {
  it("another author's run is NOT_FOUND like a missing one and keeps running; the owner's stops", async () => {
    const w = await buildWorld();
    const { run } = await domain.requestCodexSuggestions(a, { storyId: w.storyId });
    await expectAppError(domain.cancelCodexSuggestRun(null, { jobId: run.id }), "UNAUTHENTICATED");
    const foreign = await expectAppError(domain.cancelCodexSuggestRun(b, { jobId: run.id }), "NOT_FOUND");
    const missing = await expectAppError(domain.cancelCodexSuggestRun(a, { jobId: randomId() }), "NOT_FOUND");
    expect(foreign.message).toBe(missing.message);
    expect((await domain.getCodexSuggestRun(a, { storyId: w.storyId }))?.status).toBe("pending");
    const cancelled = await domain.cancelCodexSuggestRun(a, { jobId: run.id });
    expect(cancelled).toMatchObject({ id: run.id, status: "cancelled" });
  });
});

describe("requestCodexSuggestions", () => {
  it("another author's story is NOT_FOUND like a missing one, and no job is created", async () => {
    const w = await buildWorld();
    await expectAppError(call("requestCodexSuggestions", null, { storyId: w.storyId }), "UNAUTHENTICATED");
    const foreign = await expectAppError(call("requestCodexSuggestions", b, { storyId: w.storyId }), "NOT_FOUND");
    const missing = await expectAppError(call("requestCodexSuggestions", a, { storyId: randomId() }), "NOT_FOUND");
    expect(foreign.message).toBe(missing.message);
    expect(await domain.getCodexSuggestRun(a, { storyId: w.storyId })).toBeNull();
  });
});
