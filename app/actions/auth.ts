"use server";

import { AuthError } from "next-auth";
import { signIn, signOut } from "@/lib/auth";
import { createUser } from "@/lib/auth/users";
import { isAppError, toPublicError } from "@/lib/errors";
import { log } from "@/lib/log";

export interface AuthFormState {
  status: "idle" | "error" | "success";
  message?: string;
  fields?: Record<string, string>;
}

function safeCallback(value: FormDataEntryValue | null): string {
  // Only same-site paths: an open redirect after sign-in would be a phishing tool.
  const path = typeof value === "string" ? value : "";
  return path.startsWith("/") && !path.startsWith("//") ? path : "/stories";
}

export async function signInAction(_state: AuthFormState, formData: FormData): Promise<AuthFormState> {
  try {
    await signIn("credentials", {
      email: formData.get("email"),
      password: formData.get("password"),
      redirect: false,
    });
    return { status: "success", message: safeCallback(formData.get("callbackUrl")) };
  } catch (error) {
    if (error instanceof AuthError) return { status: "error", message: "Email or password is incorrect." };
    log("error", "sign-in failed", { error });
    return { status: "error", message: "Sign-in is unavailable right now. Please try again." };
  }
}

export async function signUpAction(_state: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const input = {
    name: formData.get("name") ?? "",
    email: formData.get("email") ?? "",
    password: formData.get("password") ?? "",
  };
  try {
    await createUser(input);
  } catch (error) {
    if (!isAppError(error)) log("error", "sign-up failed", { error });
    const publicError = toPublicError(error);
    return {
      status: "error",
      message: publicError.message,
      fields: publicError.details?.fields as Record<string, string> | undefined,
    };
  }
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirect: false });
  } catch (error) {
    log("error", "sign-in after sign-up failed", { error });
    return { status: "error", message: "Your account was created, but signing in failed. Please sign in." };
  }
  return { status: "success", message: "/stories" };
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
