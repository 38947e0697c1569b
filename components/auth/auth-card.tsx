import { Sprout } from "lucide-react";
import type { ReactNode } from "react";
import { ThemeToggle } from "@/components/app/theme-toggle";

/** The frame around the sign-in and sign-up forms. */
export function AuthCard({
  title,
  subtitle,
  children,
  footer,
}: {
  title: string;
  subtitle?: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <main className="relative flex min-h-screen items-center justify-center bg-gradient-to-b from-emerald-50/70 to-stone-50 px-4 py-12">
      {/* The theme can be chosen before signing in (a dark-mode user should not meet a white page first). */}
      <div className="absolute top-3 right-3">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <span className="flex size-11 items-center justify-center rounded-xl bg-emerald-700 text-white shadow-sm">
            <Sprout aria-hidden="true" className="size-6" />
          </span>
          <div>
            <h1 className="text-xl font-semibold tracking-tight text-stone-900">{title}</h1>
            {subtitle ? <p className="mt-1 text-sm text-stone-600">{subtitle}</p> : null}
          </div>
        </div>
        <div className="rounded-2xl border border-stone-200 bg-white p-6 shadow-sm">{children}</div>
        {footer ? <div className="mt-6 text-center text-sm text-stone-600">{footer}</div> : null}
      </div>
    </main>
  );
}
