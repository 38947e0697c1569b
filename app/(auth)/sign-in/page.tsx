import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AuthCard } from "@/components/auth/auth-card";
import { Alert } from "@/components/ui/alert";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { signupEnabled } from "@/lib/auth/users";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  // The sign-up switch is read at request time, not frozen into the build.
  await connection();
  const { callbackUrl, signedOut } = await searchParams;
  const canSignUp = signupEnabled();
  return (
    <AuthCard
      title="Sign in to Story Sprout"
      subtitle="Pick up your stories where you left them."
      footer={
        canSignUp ? (
          <>
            New here?{" "}
            <Link
              href="/sign-up"
              className="rounded font-medium text-emerald-700 underline-offset-4 hover:underline focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:outline-none"
            >
              Create an account
            </Link>
          </>
        ) : (
          "Accounts are created by an administrator on this server."
        )
      }
    >
      {signedOut === "everywhere" && (
        <Alert tone="success" className="mb-4" data-testid="signed-out-everywhere">
          You were signed out on every device.
        </Alert>
      )}
      <SignInForm callbackUrl={safeCallbackPath(callbackUrl)} />
    </AuthCard>
  );
}
