import { CircleAlert, CircleCheck, Info, TriangleAlert } from "lucide-react";
import type { HTMLAttributes, ReactNode } from "react";
import { cn } from "@/lib/ui/cn";

type Tone = "error" | "warning" | "info" | "success";

const tones: Record<Tone, { box: string; icon: ReactNode }> = {
  error: {
    box: "border-red-200 bg-red-50 text-red-800",
    icon: <CircleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-red-600" />,
  },
  warning: {
    box: "border-amber-200 bg-amber-50 text-amber-900",
    icon: <TriangleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-amber-600" />,
  },
  info: {
    box: "border-stone-200 bg-stone-50 text-stone-700",
    icon: <Info aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-stone-500" />,
  },
  success: {
    box: "border-emerald-200 bg-emerald-50 text-emerald-900",
    icon: <CircleCheck aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-emerald-600" />,
  },
};

/** An inline message box. Errors and warnings are announced (role="alert"). */
export function Alert({
  tone = "error",
  className,
  children,
  ...props
}: { tone?: Tone; children: ReactNode } & HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      role={tone === "error" || tone === "warning" ? "alert" : "status"}
      className={cn("flex gap-2 rounded-lg border px-3 py-2 text-sm", tones[tone].box, className)}
      {...props}
    >
      {tones[tone].icon}
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
