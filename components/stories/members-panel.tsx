"use client";

import { Users } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import {
  cancelInvitationAction,
  changeMemberRoleAction,
  inviteMemberAction,
  leaveStoryAction,
  listMembersAction,
  removeMemberAction,
  transferOwnershipAction,
} from "@/app/actions/members";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/action-result";
import type { MembersView } from "@/lib/stories";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { RovingSummary } from "@/components/ui/roving-toolbar";

const roleLabels = { owner: "Owner", editor: "Editor", reader: "Reader" } as const;
const roleHints = {
  editor: "Edits pages, the codex and summaries, uses the AI (on their own budget) and reviews suggestions.",
  reader: "Reads and exports.",
} as const;

type Pending =
  | { kind: "leave" }
  | { kind: "remove"; userId: string; name: string }
  | { kind: "transfer"; userId: string; name: string };

/**
 * Share the story: who works on it and with what role. The owner invites by email (the answer never says whether the
 * address has an account), changes roles, removes members, withdraws invitations and hands ownership to an editor;
 * any other member may leave. Everyone else only sees the list.
 */
export function MembersPanel({ initial, viewerId }: { initial: MembersView; viewerId: string }) {
  const router = useRouter();
  const toast = useToast();
  const [view, setView] = useState(initial);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"editor" | "reader">("editor");
  const [inviteError, setInviteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [confirmError, setConfirmError] = useState<string | null>(null);
  const storyId = view.storyId;

  async function refresh() {
    const result = await callAction(() => listMembersAction({ storyId }));
    if (result.ok) setView(result.data);
  }

  async function run<T>(call: () => Promise<ActionResult<T>>, success: string): Promise<ActionResult<T>> {
    setBusy(true);
    const result = await callAction(call);
    setBusy(false);
    if (result.ok) {
      toast.success(success);
      await refresh();
    } else {
      toast.error(result.error.message);
    }
    return result;
  }

  async function invite(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await callAction(() => inviteMemberAction({ storyId, email, role }));
    setBusy(false);
    if (!result.ok) {
      setInviteError(fieldErrors(result.error.details).email ?? result.error.message);
      return;
    }
    setInviteError(null);
    setEmail("");
    toast.success(`Invited ${result.data.email} as ${roleLabels[result.data.role].toLowerCase()}.`);
    await refresh();
  }

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    const result =
      pending.kind === "leave"
        ? await callAction(() => leaveStoryAction({ storyId }))
        : pending.kind === "remove"
          ? await callAction(() => removeMemberAction({ storyId, userId: pending.userId }))
          : await callAction(() => transferOwnershipAction({ storyId, userId: pending.userId }));
    setBusy(false);
    if (!result.ok) {
      setConfirmError(result.error.message);
      return;
    }
    setPending(null);
    setConfirmError(null);
    if (pending.kind === "leave") {
      toast.success("You left the story.");
      router.push("/stories");
      return;
    }
    toast.success(pending.kind === "remove" ? `Removed ${pending.name}.` : `${pending.name} now owns the story.`);
    await refresh();
    router.refresh();
  }

  return (
    <details className="group" data-testid="members-panel">
      <RovingSummary data-testid="members-toggle">
        <Users aria-hidden="true" className="size-4" />
        {view.canManage ? "Share" : "Members"}
        <span className="text-stone-600">({view.members.length})</span>
      </RovingSummary>
      <section
        aria-label="Members"
        className="mt-2 max-w-xl space-y-4 rounded-xl border border-stone-200 bg-white p-4 shadow-sm"
      >
        <ul className="divide-y divide-stone-100" data-testid="members-list">
          {view.members.map((m) => {
            const you = m.userId === viewerId;
            return (
              <li
                key={m.userId}
                data-testid="member-row"
                data-user-id={m.userId}
                data-role={m.role}
                className="flex flex-wrap items-center gap-2 py-2"
              >
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium text-stone-900">
                    {m.name}
                    {you ? <span className="ml-1 font-normal text-stone-600">(you)</span> : null}
                  </p>
                  <p className="truncate text-xs text-stone-600">{m.email}</p>
                </div>
                {view.canManage && m.role !== "owner" ? (
                  <>
                    <label className="sr-only" htmlFor={`member-role-${m.userId}`}>
                      Role of {m.name}
                    </label>
                    <Select
                      id={`member-role-${m.userId}`}
                      data-testid="member-role"
                      value={m.role}
                      disabled={busy}
                      onChange={(e) =>
                        void run(
                          () =>
                            changeMemberRoleAction({
                              storyId,
                              userId: m.userId,
                              role: e.target.value as "editor" | "reader",
                            }),
                          `${m.name} is now ${e.target.value === "editor" ? "an editor" : "a reader"}.`,
                        )
                      }
                      className="h-8 w-28"
                    >
                      <option value="editor">Editor</option>
                      <option value="reader">Reader</option>
                    </Select>
                    {m.role === "editor" ? (
                      <Button
                        size="sm"
                        variant="ghost"
                        data-testid="member-transfer"
                        disabled={busy}
                        onClick={() => setPending({ kind: "transfer", userId: m.userId, name: m.name })}
                      >
                        Make owner
                      </Button>
                    ) : null}
                    <Button
                      size="sm"
                      variant="ghost-danger"
                      data-testid="member-remove"
                      aria-label={`Remove ${m.name}`}
                      disabled={busy}
                      onClick={() => setPending({ kind: "remove", userId: m.userId, name: m.name })}
                    >
                      Remove
                    </Button>
                  </>
                ) : (
                  <span data-testid="member-role-label" className="text-sm text-stone-700">
                    {roleLabels[m.role]}
                  </span>
                )}
              </li>
            );
          })}
        </ul>

        {view.canManage ? (
          <>
            {view.invitations.length > 0 ? (
              <div>
                <h3 className="text-sm font-medium text-stone-900">Waiting for an answer</h3>
                <ul className="mt-1 space-y-1" data-testid="invitations-list">
                  {view.invitations.map((i) => (
                    <li
                      key={i.id}
                      data-testid="invitation-row"
                      className="flex items-center gap-2 text-sm text-stone-800"
                    >
                      <span className="min-w-0 flex-1 truncate">
                        {i.email} · {roleLabels[i.role]}
                      </span>
                      <Button
                        size="sm"
                        variant="ghost"
                        data-testid="invitation-cancel"
                        aria-label={`Withdraw the invitation of ${i.email}`}
                        disabled={busy}
                        onClick={() =>
                          void run(
                            () => cancelInvitationAction({ storyId, invitationId: i.id }),
                            "Invitation withdrawn.",
                          )
                        }
                      >
                        Withdraw
                      </Button>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <form onSubmit={invite} className="space-y-3" data-testid="member-invite-form" noValidate>
              <Field
                label="Invite by email"
                hint="They see the invitation when they sign in with this address (or sign up with it)."
                error={inviteError}
                errorTestId="member-invite-error"
              >
                {(control) => (
                  <Input
                    {...control}
                    type="email"
                    autoComplete="off"
                    data-testid="member-invite-email"
                    value={email}
                    onChange={(e) => setEmail(e.target.value)}
                  />
                )}
              </Field>
              <Field label="Role" hint={roleHints[role]}>
                {(control) => (
                  <Select
                    {...control}
                    data-testid="member-invite-role"
                    value={role}
                    onChange={(e) => setRole(e.target.value as "editor" | "reader")}
                  >
                    <option value="editor">Editor</option>
                    <option value="reader">Reader</option>
                  </Select>
                )}
              </Field>
              <Button type="submit" variant="primary" size="sm" data-testid="member-invite-submit" disabled={busy}>
                Invite
              </Button>
            </form>
          </>
        ) : view.yourRole && view.yourRole !== "owner" ? (
          <Button
            size="sm"
            variant="ghost-danger"
            data-testid="member-leave"
            onClick={() => setPending({ kind: "leave" })}
          >
            Leave this story
          </Button>
        ) : null}
        {view.yourRole === "owner" ? (
          <p className="text-xs text-stone-600">To leave your own story, make an editor its owner first.</p>
        ) : null}
      </section>
      {pending ? (
        <ConfirmDialog
          title={
            pending.kind === "leave"
              ? "Leave this story?"
              : pending.kind === "remove"
                ? `Remove ${pending.name}?`
                : `Make ${pending.name} the owner?`
          }
          description={
            pending.kind === "leave"
              ? "You will no longer see it. The owner can invite you again."
              : pending.kind === "remove"
                ? "They will no longer see the story."
                : "They can then share and delete the story; you stay on it as an editor."
          }
          confirmLabel={pending.kind === "leave" ? "Leave" : pending.kind === "remove" ? "Remove" : "Make owner"}
          pending={busy}
          error={confirmError}
          onConfirm={() => void confirm()}
          onCancel={() => {
            setPending(null);
            setConfirmError(null);
          }}
        />
      ) : null}
    </details>
  );
}
