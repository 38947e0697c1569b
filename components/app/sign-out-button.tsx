"use client";

import { LogOut } from "lucide-react";
import { useFormStatus } from "react-dom";
import { signOutAction } from "@/app/actions/auth";
import { Button } from "@/components/ui/button";
import { clearAllPageDrafts } from "@/lib/ui/page-drafts";

function SubmitButton() {
  const { pending } = useFormStatus();
  return (
    <Button
      data-testid="sign-out"
      type="submit"
      variant="ghost"
      size="sm"
      pending={pending}
      icon={<LogOut aria-hidden="true" className="size-4" />}
    >
      {pending ? "Signing out…" : "Sign out"}
    </Button>
  );
}

export function SignOutButton() {
  return (
    <form action={signOutAction} onSubmit={clearAllPageDrafts}>
      <SubmitButton />
    </form>
  );
}
