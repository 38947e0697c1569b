import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { isUniqueViolation } from "@/db/errors";
import {
  type MemberRole,
  type SharedRole,
  sharedRoles,
  stories,
  storyInvitations,
  storyMembers,
  users,
} from "@/db/schema";
import { AppError } from "@/lib/errors";
import { can, loadStoryFor, memberRole, type StoryWithMembers } from "./access";
import { requireActor, type Actor } from "./actor";
import { idField, parseInput } from "./validation";

/**
 * Story members and invitations (docs/ARCHITECTURE.md, "Co-authors"). The owner (or an admin) invites by email,
 * changes and removes roles and transfers ownership; any member may see who else works on the story, and leave.
 * An invitation never says whether the address has an account: it waits until someone with that email signs in.
 */

export const memberRoleField = z.enum(sharedRoles, { message: "Choose editor or reader." });
const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .max(320, "An email address can be at most 320 characters.")
  .pipe(z.email({ message: "Enter an email address such as name@example.com." }));

export const memberInviteBodySchema = z.object({ email: emailField, role: memberRoleField });
export const memberRoleBodySchema = z.object({ role: memberRoleField });
/** Who gets the story in a transfer: one of its editors. */
export const memberTransferBodySchema = z.object({
  userId: idField.describe("The editor who becomes the owner; the owner becomes an editor."),
});
const storyInput = z.object({ storyId: idField });
const inviteSchema = storyInput.extend(memberInviteBodySchema.shape);
const memberSchema = storyInput.extend({ userId: idField });
const roleChangeSchema = memberSchema.extend(memberRoleBodySchema.shape);
const transferSchema = storyInput.extend(memberTransferBodySchema.shape);
const invitationSchema = z.object({ invitationId: idField });
const invitationInStorySchema = storyInput.extend({ invitationId: idField });

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  since: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: SharedRole;
  createdAt: string;
}

export interface MembersView {
  storyId: string;
  /** The asking user's own role; null for an admin who is not a member. */
  yourRole: MemberRole | null;
  /** Whether the asking user may invite, change roles, remove and transfer (the owner, or an admin). */
  canManage: boolean;
  members: MemberView[];
  /** Pending invitations, for those who manage the story only (an empty list for the others). */
  invitations: InvitationView[];
}

export interface MyInvitationView {
  id: string;
  storyId: string;
  storyTitle: string;
  role: SharedRole;
  invitedByName: string | null;
  createdAt: string;
}

const roleOrder: Record<MemberRole, number> = { owner: 0, editor: 1, reader: 2 };

async function membersView(db: Db, actor: Actor, story: StoryWithMembers): Promise<MembersView> {
  const rows = await db
    .select({
      userId: storyMembers.userId,
      role: storyMembers.role,
      since: storyMembers.createdAt,
      name: users.name,
      email: users.email,
    })
    .from(storyMembers)
    .innerJoin(users, eq(users.id, storyMembers.userId))
    .where(eq(storyMembers.storyId, story.id))
    .orderBy(asc(users.name), asc(storyMembers.userId));
  const canManage = can(actor, "manage", story);
  const invitations = canManage
    ? await db
        .select()
        .from(storyInvitations)
        .where(eq(storyInvitations.storyId, story.id))
        .orderBy(asc(storyInvitations.createdAt), asc(storyInvitations.id))
    : [];
  return {
    storyId: story.id,
    yourRole: memberRole(actor.id, story),
    canManage,
    members: rows
      .map((r) => ({ userId: r.userId, name: r.name, email: r.email, role: r.role, since: r.since.toISOString() }))
      .sort((a, b) => roleOrder[a.role] - roleOrder[b.role]),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      createdAt: i.createdAt.toISOString(),
    })),
  };
}

/** Who works on the story, for anyone who may read it. */
export async function listMembers(actorOrNull: Actor | null, input: unknown): Promise<MembersView> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyInput, input);
  const db = await getDb();
  return membersView(db, actor, await loadStoryFor(db, actor, "read", storyId));
}

function emailRefusal(message: string): AppError {
  return new AppError("VALIDATION", message, { fields: { email: message } });
}

/**
 * Invites an email address with a role. The answer is the same whether or not an account has that address (the
 * invitation waits either way); inviting oneself or someone already a member is refused, and inviting an address
 * again changes the waiting invitation's role.
 */
export async function inviteMember(actorOrNull: Actor | null, input: unknown): Promise<InvitationView> {
  const actor = requireActor(actorOrNull);
  const { storyId, email, role } = parseInput(inviteSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "manage", storyId);
  const [self] = await db.select({ email: users.email }).from(users).where(eq(users.id, actor.id)).limit(1);
  if (self && self.email.toLowerCase() === email) {
    throw emailRefusal(
      memberRole(actor.id, story)
        ? "That is your own address: you are already on this story."
        : "You cannot invite yourself.",
    );
  }
  const [member] = await db
    .select({ userId: storyMembers.userId })
    .from(storyMembers)
    .innerJoin(users, eq(users.id, storyMembers.userId))
    .where(and(eq(storyMembers.storyId, storyId), sql`lower(${users.email}) = ${email}`))
    .limit(1);
  if (member) throw emailRefusal("Someone with this address is already a member of this story.");
  const [row] = await db
    .insert(storyInvitations)
    .values({ storyId, email, role, invitedBy: actor.id })
    .onConflictDoUpdate({ target: [storyInvitations.storyId, storyInvitations.email], set: { role } })
    .returning();
  return { id: row!.id, email: row!.email, role: row!.role, createdAt: row!.createdAt.toISOString() };
}

/** Withdraws a waiting invitation. */
export async function cancelInvitation(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { storyId, invitationId } = parseInput(invitationInStorySchema, input);
  const db = await getDb();
  await loadStoryFor(db, actor, "manage", storyId);
  const deleted = await db
    .delete(storyInvitations)
    .where(and(eq(storyInvitations.id, invitationId), eq(storyInvitations.storyId, storyId)))
    .returning({ id: storyInvitations.id });
  if (deleted.length === 0) throw new AppError("NOT_FOUND", "We couldn't find that invitation.");
}

async function emailOf(db: Db, userId: string): Promise<string> {
  const [row] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  if (!row) throw new AppError("UNAUTHENTICATED");
  return row.email.toLowerCase();
}

/** The invitations waiting for the signed-in user's email address, offered when they sign in or up. */
export async function listMyInvitations(actorOrNull: Actor | null): Promise<MyInvitationView[]> {
  const actor = requireActor(actorOrNull);
  const db = await getDb();
  const email = await emailOf(db, actor.id);
  const rows = await db
    .select({
      id: storyInvitations.id,
      storyId: storyInvitations.storyId,
      storyTitle: stories.title,
      role: storyInvitations.role,
      invitedByName: users.name,
      createdAt: storyInvitations.createdAt,
    })
    .from(storyInvitations)
    .innerJoin(stories, eq(stories.id, storyInvitations.storyId))
    .leftJoin(users, eq(users.id, storyInvitations.invitedBy))
    .where(eq(storyInvitations.email, email))
    .orderBy(asc(storyInvitations.createdAt), asc(storyInvitations.id));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

const INVITATION_NOT_FOUND = "We couldn't find that invitation. It may have been withdrawn.";

/** An invitation addressed to the actor's email; anyone else's reads like a missing one. */
async function myInvitation(db: Db, actor: Actor, invitationId: string) {
  const email = await emailOf(db, actor.id);
  const [row] = await db
    .select()
    .from(storyInvitations)
    .where(and(eq(storyInvitations.id, invitationId), eq(storyInvitations.email, email)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", INVITATION_NOT_FOUND);
  return row;
}

/** Accepts an invitation: the actor joins the story with the invited role. Returns the story id. */
export async function acceptInvitation(actorOrNull: Actor | null, input: unknown): Promise<{ storyId: string }> {
  const actor = requireActor(actorOrNull);
  const { invitationId } = parseInput(invitationSchema, input);
  const db = await getDb();
  const invitation = await myInvitation(db, actor, invitationId);
  await db.transaction(async (tx) => {
    // Already a member (the owner invited an address of theirs, say): the role they have stays.
    await tx
      .insert(storyMembers)
      .values({ storyId: invitation.storyId, userId: actor.id, role: invitation.role })
      .onConflictDoNothing();
    await tx.delete(storyInvitations).where(eq(storyInvitations.id, invitation.id));
  });
  return { storyId: invitation.storyId };
}

export async function declineInvitation(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { invitationId } = parseInput(invitationSchema, input);
  const db = await getDb();
  const invitation = await myInvitation(db, actor, invitationId);
  await db.delete(storyInvitations).where(eq(storyInvitations.id, invitation.id));
}

const MEMBER_NOT_FOUND = "We couldn't find that member of this story.";
const OWNER_STAYS = "The owner cannot be removed or leave: transfer ownership to an editor first.";

/** Changes an editor's or a reader's role; the owner's changes only by a transfer. */
export async function changeMemberRole(actorOrNull: Actor | null, input: unknown): Promise<MembersView> {
  const actor = requireActor(actorOrNull);
  const { storyId, userId, role } = parseInput(roleChangeSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "manage", storyId);
  const current = memberRole(userId, story);
  if (current === null) throw new AppError("NOT_FOUND", MEMBER_NOT_FOUND);
  if (current === "owner") {
    throw new AppError("VALIDATION", "The owner's role changes only by transferring ownership to an editor.", {
      fields: { role: "Transfer ownership instead." },
    });
  }
  await db
    .update(storyMembers)
    .set({ role, updatedAt: new Date() })
    .where(and(eq(storyMembers.storyId, storyId), eq(storyMembers.userId, userId)));
  return membersView(db, actor, await loadStoryFor(db, actor, "read", storyId));
}

/**
 * Removes a member: the owner (or an admin) removes anyone but the owner; any other member may remove themself
 * (leave). The owner is the story's last owner and is never removed.
 */
export async function removeMember(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ userId: string; removed: true }> {
  const actor = requireActor(actorOrNull);
  const { storyId, userId } = parseInput(memberSchema, input);
  const db = await getDb();
  const leaving = userId === actor.id;
  const story = await loadStoryFor(db, actor, leaving ? "read" : "manage", storyId);
  const current = memberRole(userId, story);
  if (current === null) throw new AppError("NOT_FOUND", MEMBER_NOT_FOUND);
  if (current === "owner") throw new AppError("VALIDATION", OWNER_STAYS);
  await db.delete(storyMembers).where(and(eq(storyMembers.storyId, storyId), eq(storyMembers.userId, userId)));
  return { userId, removed: true };
}

/** The actor leaves a story they are a member of. */
export async function leaveStory(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyInput, input);
  await removeMember(actor, { storyId, userId: actor.id });
}

/**
 * Hands the story to one of its editors: they become the owner and the old owner an editor, in one transaction
 * (stories.owner_id and both member rows together; the one-owner index holds at every statement).
 */
export async function transferOwnership(actorOrNull: Actor | null, input: unknown): Promise<MembersView> {
  const actor = requireActor(actorOrNull);
  const { storyId, userId } = parseInput(transferSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "manage", storyId);
  const current = memberRole(userId, story);
  if (current === null) throw new AppError("NOT_FOUND", MEMBER_NOT_FOUND);
  if (current !== "editor") {
    throw new AppError(
      "VALIDATION",
      current === "owner"
        ? "This member already owns the story."
        : "Ownership goes to an editor: make them an editor first.",
      { fields: { userId: "Choose an editor." } },
    );
  }
  const previousOwner = story.ownerId;
  const now = new Date();
  try {
    await db.transaction(async (tx) => {
      await tx
        .insert(storyMembers)
        .values({ storyId, userId: previousOwner, role: "editor" })
        .onConflictDoUpdate({
          target: [storyMembers.storyId, storyMembers.userId],
          set: { role: "editor", updatedAt: now },
        });
      await tx
        .update(storyMembers)
        .set({ role: "owner", updatedAt: now })
        .where(and(eq(storyMembers.storyId, storyId), eq(storyMembers.userId, userId)));
      await tx.update(stories).set({ ownerId: userId }).where(eq(stories.id, storyId));
    });
  } catch (error) {
    // Two transfers at once: the one-owner index lets only one through.
    if (isUniqueViolation(error))
      throw new AppError("VALIDATION", "Ownership changed meanwhile. Reload and try again.");
    throw error;
  }
  return membersView(db, actor, await loadStoryFor(db, actor, "read", storyId));
}

/** The owner row of a new story, written with it (createStory). */
export function ownerMemberRow(storyId: string, userId: string) {
  return { storyId, userId, role: "owner" as const };
}
