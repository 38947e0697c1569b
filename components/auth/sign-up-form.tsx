"use client";

import { signUpAction } from "@/app/actions/auth";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useAuthForm } from "./use-auth-form";

export function SignUpForm() {
  const { state, busy, onSubmit } = useAuthForm(signUpAction);
  const fields = state.status === "error" ? (state.fields ?? {}) : {};
  const fieldCount = Object.keys(fields).length;
  // With field errors the summary points at them; each message sits under its own field.
  const error =
    state.status !== "error"
      ? null
      : fieldCount > 1
        ? "Please correct the highlighted fields."
        : (state.message ?? "Sign-up failed. Please try again.");
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-busy={busy}>
      {error ? (
        <Alert data-testid="signup-error" tone="error">
          {error}
        </Alert>
      ) : null}
      <Field label="Name" error={fields.name}>
        {(control) => (
          <Input {...control} data-testid="signup-name" name="name" autoComplete="name" required autoFocus />
        )}
      </Field>
      <Field label="Email" error={fields.email}>
        {(control) => (
          <Input {...control} data-testid="signup-email" name="email" type="email" autoComplete="email" required />
        )}
      </Field>
      <Field label="Password" hint="At least 8 characters." error={fields.password}>
        {(control) => (
          <Input
            {...control}
            data-testid="signup-password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
          />
        )}
      </Field>
      <Button
        data-testid="signup-submit"
        type="submit"
        variant="primary"
        pending={busy}
        className="w-full justify-center"
      >
        {busy ? "Creating your account…" : "Create account"}
      </Button>
    </form>
  );
}
