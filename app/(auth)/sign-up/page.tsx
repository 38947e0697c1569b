import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { AuthCard } from "@/components/auth/auth-card";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { Alert } from "@/components/ui/alert";
import { signupEnabled } from "@/lib/auth/users";

export const metadata: Metadata = { title: "Create an account" };

const linkClass =
  "rounded font-medium text-emerald-700 underline-offset-4 hover:underline focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:outline-none";

export default async function SignUpPage() {
  // The sign-up switch is read at request time, not frozen into the build.
  await connection();
  const enabled = signupEnabled();
  return (
    <AuthCard
      title={enabled ? "Create your account" : "Sign-up is turned off"}
      subtitle={enabled ? "Start writing your first story in a minute." : undefined}
      footer={
        <>
          Already have an account?{" "}
          <Link href="/sign-in" className={linkClass}>
            Sign in
          </Link>
        </>
      }
    >
      {enabled ? (
        <SignUpForm />
      ) : (
        <Alert tone="info" data-testid="signup-disabled">
          This server does not accept new sign-ups. Ask an administrator to create an account for you.
        </Alert>
      )}
    </AuthCard>
  );
}
