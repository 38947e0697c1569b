"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { headers } from "next/headers";
import { currentActor, signIn, signOut } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { clientAddress } from "@/lib/auth/client-address";
import { endAllSessions } from "@/lib/auth/sessions";
import { admitAttempt, AttemptsThrottled } from "@/lib/auth/throttle";
import { createUser } from "@/lib/auth/users";
import { AppError } from "@/lib/errors";
import { errorResult } from "@/lib/http/render-error";

export interface AuthFormState {
  status: "idle" | "error" | "success";
  message?: string;
  fields?: Record<string, string>;
}

/** A failed form as the form shows it: the renderer's message and field messages (it logs what was unexpected). */
function failedForm(error: unknown, action: string, message?: string): AuthFormState {
  const result = errorResult(error, { action });
  const publicError = result.ok ? undefined : result.error;
  return {
    status: "error",
    message: message ?? publicError?.message,
    fields: publicError?.details?.fields as Record<string, string> | undefined,
  };
}

function tooManyAttempts(retryAfterSeconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new AppError(
    "TOO_MANY_ATTEMPTS",
    `Too many attempts. Please wait ${minutes === 1 ? "a minute" : `${minutes} minutes`} and try again.`,
    { retryAfterSeconds },
  );
}

export async function signInAction(_state: AuthFormState, formData: FormData): Promise<AuthFormState> {
  try {
    await signIn("credentials", {
      email: formData.get("email"),
      password: formData.get("password"),
      redirect: false,
    });
    return { status: "success", message: safeCallbackPath(formData.get("callbackUrl")) };
  } catch (error) {
    const throttled = error instanceof CredentialsSignin ? /^throttled:(\d+)$/.exec(error.code) : null;
    if (throttled) return failedForm(tooManyAttempts(Number(throttled[1])), "signIn");
    if (error instanceof AuthError) return failedForm(new AppError("INVALID_CREDENTIALS"), "signIn");
    return failedForm(error, "signIn", "Sign-in is unavailable right now. Please try again.");
  }
}

export async function signUpAction(_state: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const input = {
    name: formData.get("name") ?? "",
    email: formData.get("email") ?? "",
    password: formData.get("password") ?? "",
  };
  try {
    await admitAttempt("sign-up", clientAddress(await headers()), null);
    await createUser(input);
  } catch (error) {
    if (error instanceof AttemptsThrottled) return failedForm(tooManyAttempts(error.retryAfterSeconds), "signUp");
    return failedForm(error, "signUp");
  }
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirect: false });
  } catch (error) {
    return failedForm(error, "signInAfterSignUp", "Your account was created, but signing in failed. Please sign in.");
  }
  return { status: "success", message: "/stories" };
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}

/**
 * Ends every session of whoever asks (other browsers, a stolen cookie) and then this one. Acts only on the asker's own
 * sessions; an anonymous caller has none and is simply sent to sign in.
 */
export async function signOutEverywhereAction(): Promise<void> {
  const actor = await currentActor();
  if (actor) await endAllSessions(actor.id);
  await signOut({ redirectTo: "/sign-in?signedOut=everywhere" });
}
