import { describe, expect, it } from "vitest";
import { v1 } from "@/lib/http/v1-operations";
import { acceptInvitation, listMembers, listMyInvitations } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";
import type { ErrorAnswer } from "./route-call";
import { contractCheckedCallRoute } from "./v1-contract";

/** REST API v1 of story members, called as Next calls the route handlers; every answer checked against its operation. */
const tokens = await import("@/lib/auth/api-tokens");
const collection = await import("@/app/api/v1/stories/[storyId]/members/route");
const item = await import("@/app/api/v1/stories/[storyId]/members/[userId]/route");
const leave = await import("@/app/api/v1/stories/[storyId]/leave/route");
const transfer = await import("@/app/api/v1/stories/[storyId]/transfer/route");
const invitations = await import("@/app/api/v1/invitations/route");
const accept = await import("@/app/api/v1/invitations/[invitationId]/accept/route");
const decline = await import("@/app/api/v1/invitations/[invitationId]/decline/route");

const callRoute = contractCheckedCallRoute([
  [collection.GET, v1.listMembers],
  [collection.POST, v1.inviteMember],
  [item.PATCH, v1.changeMemberRole],
  [item.DELETE, v1.removeMember],
  [leave.POST, v1.leaveStory],
  [transfer.POST, v1.transferOwnership],
  [invitations.GET, v1.listMyInvitations],
  [accept.POST, v1.acceptInvitation],
  [decline.POST, v1.declineInvitation],
]);

useTestDb();

interface Members {
  yourRole: string | null;
  canManage: boolean;
  members: { userId: string; role: string }[];
  invitations: { id: string; email: string; role: string }[];
}

async function setup() {
  const owner = await makeActor();
  const { story } = await makeStory(owner);
  const ownerToken = (await tokens.createApiToken(owner, { name: "owner" })).secret;
  const guest = await makeActor();
  const guestToken = (await tokens.createApiToken(guest, { name: "guest" })).secret;
  return { owner, story, ownerToken, guest, guestToken };
}

describe("members over REST", () => {
  it("invite → the invitee accepts → change the role → the member leaves", async () => {
    const { owner, story, ownerToken, guest, guestToken } = await setup();
    const invited = await callRoute<{ id: string; email: string; role: string }>(collection.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { email: guest.email, role: "reader" },
    });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ email: guest.email.toLowerCase(), role: "reader" });
    // Not a member until accepted: the story does not exist for them yet.
    const before = await callRoute(collection.GET, { token: guestToken, params: { storyId: story.id } });
    expect(before.status).toBe(404);
    const [offer] = await listMyInvitations(guest);
    await acceptInvitation(guest, { invitationId: offer!.id });

    const listed = await callRoute<Members>(collection.GET, { token: guestToken, params: { storyId: story.id } });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ yourRole: "reader", canManage: false, invitations: [] });
    expect(listed.body.members.map((m) => [m.userId, m.role])).toEqual([
      [owner.id, "owner"],
      [guest.id, "reader"],
    ]);

    const refused = await callRoute<ErrorAnswer>(collection.POST, {
      token: guestToken,
      params: { storyId: story.id },
      body: { email: "someone@example.com", role: "reader" },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("FORBIDDEN");

    const changed = await callRoute<Members>(item.PATCH, {
      token: ownerToken,
      params: { storyId: story.id, userId: guest.id },
      body: { role: "editor" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.members.find((m) => m.userId === guest.id)?.role).toBe("editor");

    const left = await callRoute(item.DELETE, { token: guestToken, params: { storyId: story.id, userId: guest.id } });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ userId: guest.id, removed: true });
    expect((await callRoute(collection.GET, { token: guestToken, params: { storyId: story.id } })).status).toBe(404);
  });

  it("clear 400s: inviting oneself, a bad role, removing the owner", async () => {
    const { owner, story, ownerToken } = await setup();
    const self = await callRoute<ErrorAnswer>(collection.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { email: owner.email, role: "editor" },
    });
    expect(self.status).toBe(400);
    expect(self.body.details?.fields?.email).toMatch(/your own address/);
    const badRole = await callRoute<ErrorAnswer>(collection.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { email: "x@example.com", role: "owner" },
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.details?.fields?.role).toBe("Choose editor or reader.");
    const lastOwner = await callRoute<ErrorAnswer>(item.DELETE, {
      token: ownerToken,
      params: { storyId: story.id, userId: owner.id },
    });
    expect(lastOwner.status).toBe(400);
    expect(lastOwner.body.message).toMatch(/transfer ownership/);
  });

  it("the invitation answer is the same for an address with and without an account", async () => {
    const { story, ownerToken, guest } = await setup();
    const invite = (email: string) =>
      callRoute<Record<string, unknown>>(collection.POST, {
        token: ownerToken,
        params: { storyId: story.id },
        body: { email, role: "editor" },
      });
    const known = await invite(guest.email);
    const unknown = await invite("no-account-here@example.com");
    expect(known.status).toBe(unknown.status);
    expect(Object.keys(known.body).sort()).toEqual(Object.keys(unknown.body).sort());
  });

  it("the invitee lists and accepts over REST, becomes an editor, takes the story over, and the old owner leaves", async () => {
    const { owner, story, ownerToken, guest, guestToken } = await setup();
    await callRoute(collection.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { email: guest.email, role: "editor" },
    });
    const waiting = await callRoute<{ id: string; storyId: string; storyTitle: string; role: string }[]>(
      invitations.GET,
      { token: guestToken },
    );
    expect(waiting.status).toBe(200);
    expect(waiting.body).toMatchObject([{ storyId: story.id, storyTitle: story.title, role: "editor" }]);
    // Someone else's token finds no such invitation.
    const notYours = await callRoute<ErrorAnswer>(accept.POST, {
      token: ownerToken,
      params: { invitationId: waiting.body[0]!.id },
    });
    expect(notYours.status).toBe(404);
    expect(notYours.body.code).toBe("NOT_FOUND");

    const joined = await callRoute(accept.POST, { token: guestToken, params: { invitationId: waiting.body[0]!.id } });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ storyId: story.id });
    expect((await callRoute<unknown[]>(invitations.GET, { token: guestToken })).body).toEqual([]);

    // An editor cannot hand the story on: that is the owner's.
    const byEditor = await callRoute<ErrorAnswer>(transfer.POST, {
      token: guestToken,
      params: { storyId: story.id },
      body: { userId: guest.id },
    });
    expect(byEditor.status).toBe(403);
    expect(byEditor.body.code).toBe("FORBIDDEN");

    const moved = await callRoute<Members>(transfer.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { userId: guest.id },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.members.map((m) => [m.userId, m.role])).toEqual([
      [guest.id, "owner"],
      [owner.id, "editor"],
    ]);
    expect(moved.body).toMatchObject({ yourRole: "editor", canManage: false });

    // The new owner cannot leave (transfer first); the old owner, now an editor, can.
    const ownerLeaves = await callRoute<ErrorAnswer>(leave.POST, { token: guestToken, params: { storyId: story.id } });
    expect(ownerLeaves.status).toBe(400);
    expect(ownerLeaves.body.message).toMatch(/transfer ownership/);
    const left = await callRoute(leave.POST, { token: ownerToken, params: { storyId: story.id } });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ storyId: story.id, left: true });
    expect((await listMembers(guest, { storyId: story.id })).members.map((m) => m.userId)).toEqual([guest.id]);
    expect((await callRoute(collection.GET, { token: ownerToken, params: { storyId: story.id } })).status).toBe(404);
  });

  it("transfer: a clear 400 for a reader or a missing body, 404 for a non-member; decline removes the invitation", async () => {
    const { owner, story, ownerToken, guest, guestToken } = await setup();
    await callRoute(collection.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { email: guest.email, role: "reader" },
    });
    const [offer] = await listMyInvitations(guest);
    const declined = await callRoute(decline.POST, { token: guestToken, params: { invitationId: offer!.id } });
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual({ invitationId: offer!.id, declined: true });
    expect(await listMyInvitations(guest)).toEqual([]);
    const again = await callRoute<ErrorAnswer>(accept.POST, { token: guestToken, params: { invitationId: offer!.id } });
    expect(again.status).toBe(404);

    const noBody = await callRoute<ErrorAnswer>(transfer.POST, { token: ownerToken, params: { storyId: story.id } });
    expect(noBody.status).toBe(400);
    expect(noBody.body.code).toBe("VALIDATION");
    expect(noBody.body.details?.fields?.userId).toBeTruthy();
    const stranger = await callRoute<ErrorAnswer>(transfer.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { userId: guest.id },
    });
    expect(stranger.status).toBe(404);

    await callRoute(collection.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { email: guest.email, role: "reader" },
    });
    await acceptInvitation(guest, { invitationId: (await listMyInvitations(guest))[0]!.id });
    const toReader = await callRoute<ErrorAnswer>(transfer.POST, {
      token: ownerToken,
      params: { storyId: story.id },
      body: { userId: guest.id },
    });
    expect(toReader.status).toBe(400);
    expect(toReader.body.message).toMatch(/make them an editor first/);
    expect((await listMembers(owner, { storyId: story.id })).yourRole).toBe("owner");
  });
});
