import { Sprout } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import type { UserRole } from "@/db/schema";
import { cn } from "@/lib/ui/cn";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";

function BarLink({ href, testId, children }: { href: string; testId: string; children: ReactNode }) {
  return (
    <Link
      href={href}
      data-testid={testId}
      className="rounded-md px-2 py-1 text-sm font-medium text-stone-600 outline-none hover:bg-stone-100 hover:text-stone-900 focus-visible:ring-2 focus-visible:ring-emerald-600"
    >
      {children}
    </Link>
  );
}

export function TopBar({ user }: { user: { name: string; email: string; role: UserRole } }) {
  const initials = user.name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");
  return (
    <header className="sticky top-0 z-30 border-b border-stone-200 bg-white/90 backdrop-blur">
      {/* On a phone the bar wraps onto a second line rather than pushing Sign out off the screen. */}
      <div className="mx-auto flex min-h-14 max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-1 px-3 py-2 sm:px-6">
        <Link
          href="/stories"
          className="flex items-center gap-2 rounded-md font-semibold tracking-tight text-stone-900 outline-none focus-visible:ring-2 focus-visible:ring-emerald-600 focus-visible:ring-offset-2"
        >
          <span className="flex size-7 items-center justify-center rounded-lg bg-emerald-700 text-white">
            <Sprout aria-hidden="true" className="size-4" />
          </span>
          Story Sprout
        </Link>
        <div className="flex min-w-0 flex-wrap items-center justify-end gap-x-3 gap-y-1">
          {user.role === "admin" ? (
            <nav aria-label="Admin" className="flex items-center gap-1">
              <BarLink href="/admin/jobs" testId="nav-admin-jobs">
                Jobs
              </BarLink>
              <BarLink href="/admin/usage" testId="nav-admin-usage">
                Usage
              </BarLink>
              <BarLink href="/admin/users" testId="nav-admin-users">
                Users
              </BarLink>
            </nav>
          ) : null}
          <ThemeToggle />
          <BarLink href="/settings" testId="nav-settings">
            Settings
          </BarLink>
          <div data-testid="user-menu" className="flex items-center gap-2.5" title={user.email}>
            <span
              aria-hidden="true"
              className="hidden size-8 items-center justify-center rounded-full bg-stone-200 text-xs font-semibold text-stone-700 sm:flex"
            >
              {initials || "?"}
            </span>
            <span className="flex flex-col leading-tight sm:flex-row sm:items-center sm:gap-2">
              <span
                data-testid="user-name"
                className="max-w-[8rem] truncate text-sm font-medium text-stone-900 sm:max-w-[12rem]"
              >
                {user.name}
              </span>
              <span
                data-testid="user-role"
                className={cn(
                  "w-fit rounded-full px-2 py-0.5 text-[11px] font-medium uppercase tracking-wide",
                  user.role === "admin" ? "bg-amber-100 text-amber-800" : "bg-emerald-50 text-emerald-800",
                )}
              >
                <span className="sr-only">Role: </span>
                {user.role}
              </span>
            </span>
          </div>
          <span aria-hidden="true" className="hidden h-6 w-px bg-stone-200 sm:block" />
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
