import Link from "next/link";
import { cn } from "@/lib/ui/cn";

/** Tabs between the admin pages; the current one is marked for assistive technology too. */
export function AdminNav({ current }: { current: "jobs" | "usage" | "users" | "prompts" | "models" | "health" }) {
  const items = [
    { key: "jobs", href: "/admin/jobs", label: "Job history" },
    { key: "usage", href: "/admin/usage", label: "Usage and cost" },
    { key: "users", href: "/admin/users", label: "Users and budgets" },
    { key: "prompts", href: "/admin/prompts", label: "Prompts" },
    { key: "models", href: "/admin/models", label: "Models" },
    { key: "health", href: "/admin/health", label: "Health" },
  ] as const;
  return (
    <nav aria-label="Admin" className="flex flex-wrap gap-x-1 border-b border-stone-200">
      {items.map((item) => (
        <Link
          key={item.key}
          href={item.href}
          aria-current={current === item.key ? "page" : undefined}
          className={cn(
            "-mb-px rounded-t-md border-b-2 px-3 py-2 text-sm font-medium outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
            current === item.key
              ? "border-emerald-700 text-emerald-800"
              : "border-transparent text-stone-600 hover:text-stone-900",
          )}
        >
          {item.label}
        </Link>
      ))}
    </nav>
  );
}
