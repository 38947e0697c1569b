"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/lib/action-result";
import {
  acceptInvitation,
  cancelInvitation,
  changeMemberRole,
  declineInvitation,
  inviteMember,
  leaveStory,
  listMembers,
  listMyInvitations,
  removeMember,
  transferOwnership,
  type InvitationView,
  type MembersView,
  type MyInvitationView,
} from "@/lib/stories";
import { runAction } from "./run";

export async function listMembersAction(input: unknown): Promise<ActionResult<MembersView>> {
  return runAction("listMembers", (actor) => listMembers(actor, input));
}

export async function inviteMemberAction(input: unknown): Promise<ActionResult<InvitationView>> {
  return runAction("inviteMember", (actor) => inviteMember(actor, input));
}

export async function cancelInvitationAction(input: unknown): Promise<ActionResult<null>> {
  return runAction("cancelInvitation", async (actor) => {
    await cancelInvitation(actor, input);
    return null;
  });
}

export async function changeMemberRoleAction(input: unknown): Promise<ActionResult<MembersView>> {
  return runAction("changeMemberRole", (actor) => changeMemberRole(actor, input));
}

export async function removeMemberAction(input: unknown): Promise<ActionResult<{ userId: string; removed: true }>> {
  return runAction("removeMember", (actor) => removeMember(actor, input));
}

export async function leaveStoryAction(input: unknown): Promise<ActionResult<null>> {
  return runAction("leaveStory", async (actor) => {
    await leaveStory(actor, input);
    revalidatePath("/stories");
    return null;
  });
}

export async function transferOwnershipAction(input: unknown): Promise<ActionResult<MembersView>> {
  return runAction("transferOwnership", async (actor) => {
    const view = await transferOwnership(actor, input);
    revalidatePath("/stories");
    return view;
  });
}

export async function listMyInvitationsAction(): Promise<ActionResult<MyInvitationView[]>> {
  return runAction("listMyInvitations", (actor) => listMyInvitations(actor));
}

export async function acceptInvitationAction(input: unknown): Promise<ActionResult<{ storyId: string }>> {
  return runAction("acceptInvitation", async (actor) => {
    const joined = await acceptInvitation(actor, input);
    revalidatePath("/stories");
    return joined;
  });
}

export async function declineInvitationAction(input: unknown): Promise<ActionResult<null>> {
  return runAction("declineInvitation", async (actor) => {
    await declineInvitation(actor, input);
    revalidatePath("/stories");
    return null;
  });
}
