import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Page } from "@/db/schema";
import type { ActionResult } from "@/lib/action-result";
import { errorCatalog } from "@/lib/errors";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "./helpers/db";
import { makeActor, makeStory, randomId, revisionsOf, snapshot, storyRow } from "./helpers/fixtures";

/**
 * Server actions, with Auth.js replaced by a mock `currentActor` and Next's cache by a mock `revalidatePath`.
 * The matrix is keyed by the module's exports, so a new action without a row fails the first test.
 */
const mocks = vi.hoisted(() => ({
  currentActor: vi.fn<() => Promise<{ id: string; role: "author" | "admin" } | null>>(),
  revalidatePath: vi.fn<(path: string) => void>(),
}));
vi.mock("@/lib/auth", () => ({ currentActor: mocks.currentActor }));
vi.mock("next/cache", () => ({ revalidatePath: mocks.revalidatePath }));

const actions = await import("@/app/actions/stories");
type ActionName = keyof typeof actions;

useTestDb();

interface World {
  storyId: string;
  pageId: string;
  deletedPageId: string;
  revisionId: string;
}

interface ActionCase {
  input(w: World): unknown;
  /** True when the action only reads: it must not revalidate anything. */
  readOnly?: boolean;
  /** Paths revalidated after success (besides "/stories" for writes). */
  alsoRevalidates?(w: World): string[];
  /** For actions that name nothing of A's (createStory): what author B gets instead of NOT_FOUND. */
  otherAuthorAllowed?: boolean;
  check?(data: unknown, w: World, actor: Actor): Promise<void> | void;
}

const matrix: Record<ActionName, ActionCase> = {
  createStoryAction: {
    input: () => ({ title: "From an action" }),
    otherAuthorAllowed: true,
    check: (data, _w, actor) => expect(data).toMatchObject({ title: "From an action", ownerId: actor.id }),
  },
  updateStoryAction: {
    input: (w) => ({ storyId: w.storyId, title: "Renamed by action" }),
    alsoRevalidates: (w) => [`/stories/${w.storyId}`],
    check: async (_data, w) => expect((await storyRow(w.storyId))!.title).toBe("Renamed by action"),
  },
  deleteStoryAction: {
    input: (w) => ({ storyId: w.storyId }),
    check: async (data, w) => {
      expect(data).toBeNull();
      expect(await storyRow(w.storyId)).toBeUndefined();
    },
  },
  addPageAction: {
    input: (w) => ({ storyId: w.storyId, content: "added by action" }),
    alsoRevalidates: (w) => [`/stories/${w.storyId}`],
    check: (data, w) => expect(data).toMatchObject({ storyId: w.storyId, content: "added by action", version: 1 }),
  },
  savePageAction: {
    input: (w) => ({ pageId: w.pageId, content: "saved by action", baseVersion: 1 }),
    alsoRevalidates: (w) => [`/stories/${w.storyId}`],
    check: (data) => expect(data).toMatchObject({ content: "saved by action", version: 2 }),
  },
  movePageAction: {
    input: (w) => ({ pageId: w.pageId, direction: "down" }),
    alsoRevalidates: (w) => [`/stories/${w.storyId}`],
    check: (data, w) => expect((data as Page).id).toBe(w.pageId),
  },
  deletePageAction: {
    // Revalidates only "/stories", not `/stories/${storyId}` (unlike the other page actions): reported, app/ is not ours.
    input: (w) => ({ pageId: w.pageId }),
    check: (data) => expect(data).toBeNull(),
  },
  undeletePageAction: {
    input: (w) => ({ pageId: w.deletedPageId }),
    alsoRevalidates: (w) => [`/stories/${w.storyId}`],
    check: (data) => expect((data as Page).deletedAt).toBeNull(),
  },
  listRevisionsAction: {
    input: (w) => ({ pageId: w.pageId }),
    readOnly: true,
    check: (data) => expect((data as { version: number }[]).map((r) => r.version)).toEqual([1]),
  },
  restoreRevisionAction: {
    input: (w) => ({ pageId: w.pageId, revisionId: w.revisionId, baseVersion: 1 }),
    alsoRevalidates: (w) => [`/stories/${w.storyId}`],
    check: (data) => expect(data).toMatchObject({ version: 2, content: "one" }),
  },
};

const run = (name: ActionName, input: unknown) =>
  (actions[name] as (input: unknown) => Promise<ActionResult<unknown>>)(input);

let a: Actor;
let b: Actor;
let admin: Actor;

async function buildWorld(): Promise<World> {
  const {
    story,
    pages: [p1, , gone],
  } = await makeStory(a, ["one", "two", "gone"]);
  const { deletePage } = await import("@/lib/stories");
  await deletePage(a, { pageId: gone!.id });
  return { storyId: story.id, pageId: p1!.id, deletedPageId: gone!.id, revisionId: (await revisionsOf(p1!.id))[0]!.id };
}

beforeAll(async () => {
  a = await makeActor("author");
  b = await makeActor("author");
  admin = await makeActor("admin");
});

let consoleError: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  mocks.currentActor.mockReset();
  mocks.revalidatePath.mockReset();
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  consoleError.mockRestore();
});

const names = Object.keys(matrix) as ActionName[];

it("every exported server action has a row in the matrix", () => {
  expect(Object.keys(actions).sort()).toEqual([...names].sort());
  for (const name of Object.keys(actions)) expect(typeof actions[name as ActionName]).toBe("function");
});

describe.each(names)("%s", (name) => {
  const spec = matrix[name];

  it("anonymous → { ok: false, UNAUTHENTICATED }, nothing written, nothing revalidated", async () => {
    const w = await buildWorld();
    mocks.currentActor.mockResolvedValue(null);
    const before = await snapshot();
    const result = await run(name, spec.input(w));
    expect(result).toEqual({
      ok: false,
      error: { code: "UNAUTHENTICATED", message: errorCatalog.UNAUTHENTICATED.message },
    });
    expect(await snapshot()).toEqual(before);
    expect(mocks.revalidatePath).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("author B on A's ids → NOT_FOUND, nothing written", async () => {
    const w = await buildWorld();
    mocks.currentActor.mockResolvedValue(b);
    const before = await snapshot();
    const result = await run(name, spec.input(w));
    if (spec.otherAuthorAllowed) {
      expect(result.ok).toBe(true);
      if (result.ok) spec.check?.(result.data, w, b);
      return;
    }
    expect(result).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    expect(await snapshot()).toEqual(before);
    expect(mocks.revalidatePath).not.toHaveBeenCalled();
  });

  it("author A → { ok: true } with the result, and the story pages are revalidated", async () => {
    const w = await buildWorld();
    mocks.currentActor.mockResolvedValue(a);
    const result = await run(name, spec.input(w));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    await spec.check?.(result.data, w, a);
    const paths = mocks.revalidatePath.mock.calls.map(([path]) => path);
    if (spec.readOnly) expect(paths).toEqual([]);
    else expect(paths).toEqual(expect.arrayContaining(["/stories", ...(spec.alsoRevalidates?.(w) ?? [])]));
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("admin → { ok: true } on A's ids", async () => {
    const w = await buildWorld();
    mocks.currentActor.mockResolvedValue(admin);
    const result = await run(name, spec.input(w));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) await spec.check?.(result.data, w, admin);
  });

  it("an unexpected failure surfaces as INTERNAL without its message or stack, and is logged", async () => {
    const w = await buildWorld();
    const secret = "connection to db.internal:5432 failed: password=hunter2";
    mocks.currentActor.mockRejectedValue(new Error(secret));
    const result = await run(name, spec.input(w));
    expect(result).toEqual({ ok: false, error: { code: "INTERNAL", message: errorCatalog.INTERNAL.message } });
    const text = JSON.stringify(result);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("stack");
    expect(text).not.toMatch(/\.ts:\d+/);
    // The cause goes to the server log, with the action's name.
    expect(consoleError).toHaveBeenCalledTimes(1);
    const logged = JSON.parse(String(consoleError.mock.calls[0]![0])) as { action: string; error: { message: string } };
    expect(logged.action).toBe(name.replace(/Action$/, ""));
    expect(logged.error.message).toBe(secret);
  });
});

describe("errors that reach the client", () => {
  it("a database error inside the domain becomes INTERNAL (actor whose user row does not exist)", async () => {
    mocks.currentActor.mockResolvedValue({ id: randomId(), role: "author" });
    const result = await actions.createStoryAction({ title: "Ghost story" });
    expect(result).toEqual({ ok: false, error: { code: "INTERNAL", message: errorCatalog.INTERNAL.message } });
    const text = JSON.stringify(result);
    expect(text).not.toMatch(/foreign key|stories_owner_id|insert into/i);
    expect(consoleError).toHaveBeenCalledTimes(1);
  });

  it("VALIDATION keeps its field details; nothing is logged for expected errors", async () => {
    mocks.currentActor.mockResolvedValue(a);
    const result = await actions.createStoryAction({ title: "" });
    expect(result).toEqual({
      ok: false,
      error: {
        code: "VALIDATION",
        message: "A title is required.",
        details: { fields: { title: "A title is required." } },
      },
    });
    expect(consoleError).not.toHaveBeenCalled();
  });

  it("CONFLICT hands the newer text back to the client", async () => {
    const w = await buildWorld();
    mocks.currentActor.mockResolvedValue(admin);
    expect((await actions.savePageAction({ pageId: w.pageId, content: "admin was first", baseVersion: 1 })).ok).toBe(
      true,
    );
    mocks.currentActor.mockResolvedValue(a);
    const result = await actions.savePageAction({ pageId: w.pageId, content: "mine", baseVersion: 1 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: "CONFLICT", details: { current: { content: "admin was first", version: 2 } } },
    });
  });

  it("the action result is plain serialisable data (no Error instances)", async () => {
    mocks.currentActor.mockResolvedValue(null);
    const result = await actions.listRevisionsAction({ pageId: randomId() });
    expect(result).toEqual(JSON.parse(JSON.stringify(result)));
    expect(Object.getPrototypeOf((result as { error: object }).error)).toBe(Object.prototype);
  });
});

describe("Next's navigation from inside an action", () => {
  it("redirect() and notFound() are thrown on for Next to handle, not turned into an error result", async () => {
    const { runAction } = await import("@/app/actions/run");
    const { notFound, redirect } = await import("next/navigation");
    mocks.currentActor.mockResolvedValue(a);
    const redirected = await runAction("navigates", async () => redirect("/stories")).catch((e: unknown) => e);
    expect(String((redirected as { digest?: string }).digest)).toMatch(/^NEXT_REDIRECT;.*;\/stories;/);
    const missing = await runAction("missing", async () => notFound()).catch((e: unknown) => e);
    expect(String((missing as { digest?: string }).digest)).toMatch(/404/);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
