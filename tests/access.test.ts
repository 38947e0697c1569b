import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { AppError } from "@/lib/errors";
import { can, listStories, requireAdmin, type Actor, type StoryAction } from "@/lib/stories";
import { assertCan, loadPageFor, loadStoryFor, memberCan } from "@/lib/stories/access";
import { useTestDb } from "./helpers/db";
import { addMember, expectAppError, makeActor, makeStory, randomId } from "./helpers/fixtures";

/** The access predicate itself; every domain check goes through it (the authorization matrices cover the call sites). */
useTestDb();

const actions: StoryAction[] = ["read", "edit", "generate", "review", "manage"];
const owner: Actor = { id: randomId(), role: "author" };
const stranger: Actor = { id: randomId(), role: "author" };
const admin: Actor = { id: randomId(), role: "admin" };
const editor: Actor = { id: randomId(), role: "author" };
const reader: Actor = { id: randomId(), role: "author" };
const story = {
  ownerId: owner.id,
  members: [
    { userId: owner.id, role: "owner" as const },
    { userId: editor.id, role: "editor" as const },
    { userId: reader.id, role: "reader" as const },
  ],
};

describe("can", () => {
  it.each(actions)("the owner may %s", (action) => {
    expect(can(owner, action, story)).toBe(true);
  });

  it.each(actions)("an admin may %s someone else's story", (action) => {
    expect(can(admin, action, story)).toBe(true);
  });

  it.each(actions)("another author may not %s", (action) => {
    expect(can(stranger, action, story)).toBe(false);
  });

  const editorMay: Record<StoryAction, boolean> = {
    read: true,
    edit: true,
    generate: true,
    review: true,
    manage: false,
  };
  it.each(actions)("an editor: %s", (action) => {
    expect(can(editor, action, story)).toBe(editorMay[action]);
  });

  it.each(actions)("a reader may read only: %s", (action) => {
    expect(can(reader, action, story)).toBe(action === "read");
  });

  it("a member row saying owner is not ownership: stories.owner_id decides", () => {
    const stale = { ownerId: owner.id, members: [{ userId: stranger.id, role: "owner" as const }] };
    expect(can(stranger, "read", stale)).toBe(false);
  });

  it("a story without its members answers for the owner only (refuses rather than lets in)", () => {
    expect(can(owner, "manage", { ownerId: owner.id })).toBe(true);
    expect(can(editor, "read", { ownerId: owner.id })).toBe(false);
  });

  it("an admin's rights are not a member's: memberCan leaves them out", () => {
    expect(memberCan(owner.id, "edit", story)).toBe(true);
    expect(memberCan(admin.id, "edit", story)).toBe(false);
    expect(memberCan(stranger.id, "read", story)).toBe(false);
  });
});

describe("assertCan", () => {
  it.each(actions)(
    "someone who may not read gets NOT_FOUND (never FORBIDDEN) for %s, with the caller's message",
    (action) => {
      let caught: unknown;
      try {
        assertCan(stranger, action, story, "We couldn't find that story.");
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect(caught).toMatchObject({ code: "NOT_FOUND", message: "We couldn't find that story." });
    },
  );

  it("a member without the right gets FORBIDDEN with a message saying what they cannot do", () => {
    expect(() => assertCan(reader, "edit", story, "x")).toThrowError(
      expect.objectContaining({ code: "FORBIDDEN", message: "You can read this story but not edit it." }),
    );
    expect(() => assertCan(editor, "manage", story, "x")).toThrowError(
      expect.objectContaining({ code: "FORBIDDEN", message: "Only the story's owner can do that." }),
    );
  });

  it("lets members and admins through", () => {
    for (const action of actions) {
      expect(() => assertCan(owner, action, story, "x")).not.toThrow();
      expect(() => assertCan(admin, action, story, "x")).not.toThrow();
    }
  });
});

describe("loadStoryFor / loadPageFor", () => {
  it("answer a stranger exactly like a missing id", async () => {
    const a = await makeActor();
    const b = await makeActor();
    const { story: aStory, pages } = await makeStory(a, ["one"]);
    const db = await getDb();
    const hidden = await expectAppError(loadStoryFor(db, b, "read", aStory.id), "NOT_FOUND");
    const missing = await expectAppError(loadStoryFor(db, b, "read", randomId()), "NOT_FOUND");
    expect(hidden.message).toBe(missing.message);
    const hiddenPage = await expectAppError(loadPageFor(db, b, "edit", pages[0]!.id), "NOT_FOUND");
    const missingPage = await expectAppError(loadPageFor(db, b, "edit", randomId()), "NOT_FOUND");
    expect(hiddenPage.message).toBe(missingPage.message);
  });

  it("load for members by role: 403 for a right they lack, 404 for a non-member", async () => {
    const a = await makeActor();
    const ed = await makeActor();
    const rd = await makeActor();
    const { story: aStory, pages } = await makeStory(a, ["one"]);
    await addMember(aStory.id, ed, "editor");
    await addMember(aStory.id, rd, "reader");
    const db = await getDb();
    await expect(loadStoryFor(db, rd, "read", aStory.id)).resolves.toMatchObject({ id: aStory.id });
    await expectAppError(loadStoryFor(db, rd, "edit", aStory.id), "FORBIDDEN");
    await expect(loadPageFor(db, ed, "edit", pages[0]!.id)).resolves.toMatchObject({ story: { id: aStory.id } });
    await expectAppError(loadPageFor(db, rd, "generate", pages[0]!.id), "FORBIDDEN");
    await expectAppError(loadStoryFor(db, ed, "manage", aStory.id), "FORBIDDEN");
  });

  it("readableStories lists members' stories and no one else's", async () => {
    const a = await makeActor();
    const rd = await makeActor();
    const { story: aStory } = await makeStory(a);
    expect((await listStories(rd)).map((s) => s.id)).not.toContain(aStory.id);
    await addMember(aStory.id, rd, "reader");
    expect((await listStories(rd)).map((s) => s.id)).toContain(aStory.id);
  });

  it("load for the owner and for an admin", async () => {
    const a = await makeActor();
    const boss = await makeActor("admin");
    const { story: aStory, pages } = await makeStory(a, ["one"]);
    const db = await getDb();
    await expect(loadStoryFor(db, a, "manage", aStory.id)).resolves.toMatchObject({ id: aStory.id, ownerId: a.id });
    await expect(loadPageFor(db, boss, "edit", pages[0]!.id)).resolves.toMatchObject({
      page: { id: pages[0]!.id },
      story: { id: aStory.id },
    });
  });
});

describe("requireAdmin", () => {
  it("anonymous → UNAUTHENTICATED, an author → NOT_FOUND, an admin passes", () => {
    expect(() => requireAdmin(null)).toThrowError(expect.objectContaining({ code: "UNAUTHENTICATED" }));
    expect(() => requireAdmin(owner)).toThrowError(expect.objectContaining({ code: "NOT_FOUND" }));
    expect(requireAdmin(admin)).toBe(admin);
  });
});
