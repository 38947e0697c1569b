"use client";

import { Mail } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { acceptInvitationAction, declineInvitationAction } from "@/app/actions/members";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { MyInvitationView } from "@/lib/stories";
import { callAction } from "@/lib/ui/call-action";

/**
 * The invitations waiting for the signed-in user's email address, offered on the story list after signing in or up:
 * accept (and open the story) or decline.
 */
export function StoryInvitations({ invitations }: { invitations: MyInvitationView[] }) {
  const router = useRouter();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [answered, setAnswered] = useState<string[]>([]);
  const open = invitations.filter((i) => !answered.includes(i.id));
  if (open.length === 0) return null;

  async function answer(invitation: MyInvitationView, accept: boolean) {
    setBusy(invitation.id);
    const result = await callAction(() =>
      accept
        ? acceptInvitationAction({ invitationId: invitation.id })
        : declineInvitationAction({ invitationId: invitation.id }),
    );
    setBusy(null);
    if (!result.ok) {
      toast.error(result.error.message);
      return;
    }
    setAnswered((all) => [...all, invitation.id]);
    if (accept) {
      toast.success(`You joined “${invitation.storyTitle}”.`);
      router.push(`/stories/${invitation.storyId}`);
    } else {
      toast.success("Invitation declined.");
      router.refresh();
    }
  }

  return (
    <section aria-labelledby="invitations-heading" data-testid="story-invitations" className="space-y-2">
      <h2 id="invitations-heading" className="text-sm font-semibold tracking-wide text-stone-600 uppercase">
        Invitations
      </h2>
      <ul className="space-y-2">
        {open.map((i) => (
          <li
            key={i.id}
            data-testid="story-invitation"
            data-story-id={i.storyId}
            className="flex flex-wrap items-center gap-3 rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3"
          >
            <Mail aria-hidden="true" className="size-4 text-emerald-700" />
            <p className="min-w-0 flex-1 text-sm text-stone-900">
              {i.invitedByName ?? "Someone"} invites you to “{i.storyTitle}” as{" "}
              {i.role === "editor" ? "an editor" : "a reader"}.
            </p>
            <Button
              size="sm"
              variant="primary"
              data-testid="invitation-accept"
              aria-label={`Accept the invitation to “${i.storyTitle}”`}
              disabled={busy !== null}
              onClick={() => void answer(i, true)}
            >
              Accept
            </Button>
            <Button
              size="sm"
              variant="ghost"
              data-testid="invitation-decline"
              aria-label={`Decline the invitation to “${i.storyTitle}”`}
              disabled={busy !== null}
              onClick={() => void answer(i, false)}
            >
              Decline
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
