import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { SkipLinks } from "@/components/app/skip-links";
import { TopBar } from "@/components/app/top-bar";
import { ToastProvider } from "@/components/ui/toast";
import { auth } from "@/lib/auth";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  // proxy.ts already sends anonymous visitors to sign in; this guards an expired or foreign session cookie.
  if (!session?.user?.id) redirect("/sign-in");
  const { name, email, role } = session.user;
  return (
    <ToastProvider>
      <SkipLinks />
      <TopBar user={{ name: name ?? email ?? "Signed in", email: email ?? "", role: role ?? "author" }} />
      <main id="main" className="mx-auto w-full max-w-5xl px-4 py-8 sm:px-6 sm:py-10">
        {children}
      </main>
    </ToastProvider>
  );
}
