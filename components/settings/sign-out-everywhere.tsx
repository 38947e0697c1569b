"use client";

import { LogOut } from "lucide-react";
import { useFormStatus } from "react-dom";
import { signOutEverywhereAction } from "@/app/actions/auth";
import { Button } from "@/components/ui/button";
import { clearAllPageDrafts } from "@/lib/ui/page-drafts";

function SubmitButton() {
  const { pending } = useFormStatus();
  return (
    <Button
      data-testid="sign-out-everywhere"
      type="submit"
      variant="secondary"
      pending={pending}
      icon={<LogOut aria-hidden="true" className="size-4" />}
    >
      {pending ? "Signing out everywhere…" : "Sign out everywhere"}
    </Button>
  );
}

/** Ends every session of the account: other browsers and devices, and any copied cookie, then this one. */
export function SignOutEverywhere() {
  return (
    <section aria-labelledby="sessions-heading" className="space-y-3">
      <div>
        <h2 id="sessions-heading" className="text-lg font-semibold text-stone-900">
          Sessions
        </h2>
        <p className="mt-1 text-sm text-stone-600">
          Signed in on a shared or lost device? End every session of your account, here and everywhere else.
        </p>
      </div>
      <form action={signOutEverywhereAction} onSubmit={clearAllPageDrafts}>
        <SubmitButton />
      </form>
    </section>
  );
}
