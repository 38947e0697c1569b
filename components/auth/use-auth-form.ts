"use client";

import { useRouter } from "next/navigation";
import { startTransition, useActionState, useEffect, type FormEvent } from "react";
import type { AuthFormState } from "@/app/actions/auth";

type AuthAction = (state: AuthFormState, formData: FormData) => Promise<AuthFormState>;

/**
 * Runs a sign-in or sign-up action and navigates to the path it answers with.
 * The form is submitted through onSubmit (not the action prop) so that React does not reset the fields:
 * after a wrong password the email stays filled in.
 */
export function useAuthForm(action: AuthAction) {
  const router = useRouter();
  const [state, dispatch, isPending] = useActionState<AuthFormState, FormData>(action, { status: "idle" });

  useEffect(() => {
    if (state.status === "success" && state.message) {
      router.push(state.message);
      router.refresh();
    }
  }, [state, router]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    startTransition(() => dispatch(formData));
  }

  // After success the button stays busy until the next page has loaded.
  const busy = isPending || state.status === "success";
  return { state, busy, onSubmit };
}
