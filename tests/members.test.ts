import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pages as pagesTable, stories, storyInvitations, storyMembers } from "@/db/schema";
import {
  acceptInvitation,
  addPage,
  cancelInvitation,
  changeMemberRole,
  declineInvitation,
  deleteStory,
  getStory,
  inviteMember,
  leaveStory,
  listMembers,
  listMyInvitations,
  listOpenSuggestions,
  listRevisions,
  listStories,
  removeMember,
  requestPageText,
  savePage,
  transferOwnership,
} from "@/lib/stories";
import { applyPageJobResult } from "@/lib/stories/page-jobs/land";
import { useTestDb } from "./helpers/db";
import { expectAppError, makeActor, makeAiJob, makeStory } from "./helpers/fixtures";

/** Story members and invitations: lib/stories/members.ts. */
// No engine runs here: a requested job stays pending.
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
}));
useTestDb();

async function invitedAndAccepted(
  storyId: string,
  owner: Awaited<ReturnType<typeof makeActor>>,
  role: "editor" | "reader",
) {
  const user = await makeActor();
  const invitation = await inviteMember(owner, { storyId, email: user.email, role });
  await acceptInvitation(user, { invitationId: invitation.id });
  return user;
}

describe("creating a story", () => {
  it("writes the owner's member row with it", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const rows = await (await getDb()).select().from(storyMembers).where(eq(storyMembers.storyId, story.id));
    expect(rows.map((r) => [r.userId, r.role])).toEqual([[owner.id, "owner"]]);
  });
});

describe("invitations", () => {
  it("the same answer whether or not the address has an account; offered to that email on sign-in", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const existing = await makeActor();
    const known = await inviteMember(owner, { storyId: story.id, email: existing.email.toUpperCase(), role: "editor" });
    const unknown = await inviteMember(owner, { storyId: story.id, email: "nobody-yet@example.com", role: "reader" });
    expect(Object.keys(known).sort()).toEqual(Object.keys(unknown).sort());
    expect(known).toMatchObject({ email: existing.email.toLowerCase(), role: "editor" });
    // Not a member until they accept: the story stays hidden.
    await expectAppError(getStory(existing, { storyId: story.id }), "NOT_FOUND");
    expect(await listMyInvitations(existing)).toMatchObject([
      { id: known.id, storyId: story.id, storyTitle: story.title, role: "editor", invitedByName: owner.name },
    ]);
    // The unknown address signs up later and finds its invitation.
    const later = await makeActor();
    await (await getDb())
      .update((await import("@/db/schema")).users)
      .set({ email: "Nobody-Yet@example.com" })
      .where(eq((await import("@/db/schema")).users.id, later.id));
    expect((await listMyInvitations(later)).map((i) => i.id)).toEqual([unknown.id]);
    await acceptInvitation(later, { invitationId: unknown.id });
    await expect(getStory(later, { storyId: story.id })).resolves.toMatchObject({ id: story.id });
    expect(await listMyInvitations(later)).toEqual([]);
  });

  it("refuses inviting oneself or an existing member, with a clear message", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const self = await expectAppError(
      inviteMember(owner, { storyId: story.id, email: owner.email, role: "editor" }),
      "VALIDATION",
    );
    expect(self.message).toMatch(/your own address/);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    const again = await expectAppError(
      inviteMember(owner, { storyId: story.id, email: editor.email, role: "reader" }),
      "VALIDATION",
    );
    expect(again.message).toMatch(/already a member/);
    await expectAppError(
      inviteMember(owner, { storyId: story.id, email: "not an email", role: "reader" }),
      "VALIDATION",
    );
    await expectAppError(
      inviteMember(owner, { storyId: story.id, email: "x@example.com", role: "owner" }),
      "VALIDATION",
    );
  });

  it("only the owner invites; an invitation is only its addressee's to accept or decline", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    const stranger = await makeActor();
    const refused = await expectAppError(
      inviteMember(editor, { storyId: story.id, email: "a@example.com", role: "reader" }),
      "FORBIDDEN",
    );
    expect(refused.message).toMatch(/owner/);
    await expectAppError(
      inviteMember(stranger, { storyId: story.id, email: "a@example.com", role: "reader" }),
      "NOT_FOUND",
    );
    const invitee = await makeActor();
    const invitation = await inviteMember(owner, { storyId: story.id, email: invitee.email, role: "reader" });
    await expectAppError(acceptInvitation(stranger, { invitationId: invitation.id }), "NOT_FOUND");
    await expectAppError(declineInvitation(stranger, { invitationId: invitation.id }), "NOT_FOUND");
    await declineInvitation(invitee, { invitationId: invitation.id });
    await expectAppError(acceptInvitation(invitee, { invitationId: invitation.id }), "NOT_FOUND");
    await expectAppError(getStory(invitee, { storyId: story.id }), "NOT_FOUND");
  });

  it("the owner sees and withdraws waiting invitations; members do not see them", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const reader = await invitedAndAccepted(story.id, owner, "reader");
    const invitation = await inviteMember(owner, { storyId: story.id, email: "later@example.com", role: "editor" });
    expect((await listMembers(owner, { storyId: story.id })).invitations.map((i) => i.id)).toEqual([invitation.id]);
    expect((await listMembers(reader, { storyId: story.id })).invitations).toEqual([]);
    await expectAppError(cancelInvitation(reader, { storyId: story.id, invitationId: invitation.id }), "FORBIDDEN");
    await cancelInvitation(owner, { storyId: story.id, invitationId: invitation.id });
    expect(await (await getDb()).select().from(storyInvitations).where(eq(storyInvitations.storyId, story.id))).toEqual(
      [],
    );
  });
});

describe("roles", () => {
  it("an editor edits, a reader reads and is refused writes with 403", async () => {
    const owner = await makeActor();
    const { story, pages } = await makeStory(owner, ["Once."]);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    const reader = await invitedAndAccepted(story.id, owner, "reader");
    const saved = await savePage(editor, { pageId: pages[0]!.id, content: "Once upon.", baseVersion: 1 });
    expect(saved.version).toBe(2);
    await expect(getStory(reader, { storyId: story.id })).resolves.toMatchObject({ id: story.id });
    const refused = await expectAppError(
      savePage(reader, { pageId: pages[0]!.id, content: "No.", baseVersion: 2 }),
      "FORBIDDEN",
    );
    expect(refused.message).toMatch(/read this story but not edit/);
    await expectAppError(addPage(reader, { storyId: story.id }), "FORBIDDEN");
    await expectAppError(deleteStory(editor, { storyId: story.id }), "FORBIDDEN");
  });

  it("lists the actor's own stories and those shared with them, with their role", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, [], "Shared one");
    const reader = await invitedAndAccepted(story.id, owner, "reader");
    const { story: own } = await makeStory(reader, [], "Reader's own");
    const listed = await listStories(reader);
    expect(listed.map((s) => [s.id, s.role])).toEqual(
      expect.arrayContaining([
        [story.id, "reader"],
        [own.id, "owner"],
      ]),
    );
    expect(listed).toHaveLength(2);
    expect((await listStories(owner)).map((s) => s.id)).toEqual([story.id]);
  });

  it("the owner changes roles; the owner's own role changes only by a transfer", async () => {
    const owner = await makeActor();
    const { story, pages } = await makeStory(owner, ["x"]);
    const member = await invitedAndAccepted(story.id, owner, "reader");
    await changeMemberRole(owner, { storyId: story.id, userId: member.id, role: "editor" });
    await expect(savePage(member, { pageId: pages[0]!.id, content: "y", baseVersion: 1 })).resolves.toBeTruthy();
    await changeMemberRole(owner, { storyId: story.id, userId: member.id, role: "reader" });
    await expectAppError(savePage(member, { pageId: pages[0]!.id, content: "z", baseVersion: 2 }), "FORBIDDEN");
    await expectAppError(
      changeMemberRole(owner, { storyId: story.id, userId: owner.id, role: "editor" }),
      "VALIDATION",
    );
    await expectAppError(
      changeMemberRole(member, { storyId: story.id, userId: member.id, role: "editor" }),
      "FORBIDDEN",
    );
  });
});

describe("removing, leaving, transferring", () => {
  it("the owner removes a member, a member leaves; the last owner is never removed", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    const reader = await invitedAndAccepted(story.id, owner, "reader");
    await expectAppError(removeMember(editor, { storyId: story.id, userId: reader.id }), "FORBIDDEN");
    await removeMember(owner, { storyId: story.id, userId: reader.id });
    await expectAppError(getStory(reader, { storyId: story.id }), "NOT_FOUND");
    await leaveStory(editor, { storyId: story.id });
    await expectAppError(getStory(editor, { storyId: story.id }), "NOT_FOUND");
    const last = await expectAppError(leaveStory(owner, { storyId: story.id }), "VALIDATION");
    expect(last.message).toMatch(/transfer ownership/);
    await expectAppError(removeMember(owner, { storyId: story.id, userId: owner.id }), "VALIDATION");
    const admin = await makeActor("admin");
    await expectAppError(removeMember(admin, { storyId: story.id, userId: owner.id }), "VALIDATION");
    expect((await listMembers(owner, { storyId: story.id })).members.map((m) => m.role)).toEqual(["owner"]);
  });

  it("transfers ownership to an editor only; the old owner becomes an editor", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    const reader = await invitedAndAccepted(story.id, owner, "reader");
    await expectAppError(transferOwnership(owner, { storyId: story.id, userId: reader.id }), "VALIDATION");
    await expectAppError(transferOwnership(editor, { storyId: story.id, userId: editor.id }), "FORBIDDEN");
    const view = await transferOwnership(owner, { storyId: story.id, userId: editor.id });
    expect(view.members.map((m) => [m.userId, m.role])).toEqual([
      [editor.id, "owner"],
      [owner.id, "editor"],
      [reader.id, "reader"],
    ]);
    const [row] = await (await getDb()).select().from(stories).where(eq(stories.id, story.id));
    expect(row!.ownerId).toBe(editor.id);
    await expectAppError(deleteStory(owner, { storyId: story.id }), "FORBIDDEN");
    await expectAppError(leaveStory(editor, { storyId: story.id }), "VALIDATION");
    await leaveStory(owner, { storyId: story.id });
  });

  it("the database keeps one owner per story and one row per member", async () => {
    const owner = await makeActor();
    const other = await makeActor();
    const { story } = await makeStory(owner);
    const db = await getDb();
    await expect(
      db.insert(storyMembers).values({ storyId: story.id, userId: other.id, role: "owner" }),
    ).rejects.toThrow();
    await db.insert(storyMembers).values({ storyId: story.id, userId: other.id, role: "reader" });
    await expect(
      db.insert(storyMembers).values({ storyId: story.id, userId: other.id, role: "editor" }),
    ).rejects.toThrow();
    const rows = await db
      .select()
      .from(storyMembers)
      .where(and(eq(storyMembers.storyId, story.id), eq(storyMembers.role, "owner")));
    expect(rows).toHaveLength(1);
  });
});

describe("two members on one page", () => {
  it("the history names who made each change, the AI's included", async () => {
    const owner = await makeActor("author", "Olive Owner");
    const { story, pages } = await makeStory(owner, ["First."]);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    await savePage(editor, { pageId: pages[0]!.id, content: "Second.", baseVersion: 1 });
    const jobId = await makeAiJob(pages[0]!.id, editor.id);
    await (await getDb()).update(aiJobs).set({ baseVersion: 2 }).where(eq(aiJobs.id, jobId));
    expect(await applyPageJobResult(jobId)).toBe("applied");
    const history = await listRevisions(owner, { pageId: pages[0]!.id });
    expect(history.map((r) => [r.version, r.source, r.authorName])).toEqual([
      [3, "ai", editor.name],
      [2, "human", editor.name],
      [1, "human", "Olive Owner"],
    ]);
  });

  it("an AI result one member started on a page another member changed meanwhile waits as a suggestion", async () => {
    const owner = await makeActor();
    const { story, pages } = await makeStory(owner, ["Before."]);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    // The editor's job starts from version 1; the owner saves version 2 before it lands.
    const jobId = await makeAiJob(pages[0]!.id, editor.id);
    await savePage(owner, { pageId: pages[0]!.id, content: "Owner's change.", baseVersion: 1 });
    expect(await applyPageJobResult(jobId)).toBe("suggested");
    const [page] = await (await getDb()).select().from(pagesTable).where(eq(pagesTable.id, pages[0]!.id));
    expect(page).toMatchObject({ content: "Owner's change.", version: 2 });
    const open = await listOpenSuggestions(owner, { storyId: story.id });
    expect(open.map((s) => [s.jobId, s.content])).toEqual([[jobId, "machine text"]]);
  });

  it("an editor's AI request is the editor's to pay (requested by them), a reader's is refused", async () => {
    const owner = await makeActor();
    const { story, pages } = await makeStory(owner, ["", "Text."]);
    const editor = await invitedAndAccepted(story.id, owner, "editor");
    const reader = await invitedAndAccepted(story.id, owner, "reader");
    const job = await requestPageText(editor, { pageId: pages[0]!.id });
    const [row] = await (await getDb()).select().from(aiJobs).where(eq(aiJobs.id, job.id));
    expect(row!.requestedBy).toBe(editor.id);
    const refused = await expectAppError(requestPageText(reader, { pageId: pages[1]!.id }), "FORBIDDEN");
    expect(refused.message).toMatch(/not use the AI/);
  });
});
