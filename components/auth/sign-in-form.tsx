"use client";

import { signInAction } from "@/app/actions/auth";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useAuthForm } from "./use-auth-form";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const { state, busy, onSubmit } = useAuthForm(signInAction);
  const error = state.status === "error" ? (state.message ?? "Sign-in failed. Please try again.") : null;
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-busy={busy}>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {error ? (
        <Alert data-testid="signin-error" tone="error">
          {error}
        </Alert>
      ) : null}
      <Field label="Email">
        {(control) => (
          <Input
            {...control}
            data-testid="signin-email"
            name="email"
            type="email"
            autoComplete="email"
            required
            autoFocus
            invalid={Boolean(error)}
          />
        )}
      </Field>
      <Field label="Password">
        {(control) => (
          <Input
            {...control}
            data-testid="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            invalid={Boolean(error)}
          />
        )}
      </Field>
      <Button
        data-testid="signin-submit"
        type="submit"
        variant="primary"
        pending={busy}
        className="w-full justify-center"
      >
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
