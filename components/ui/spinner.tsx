import { LoaderCircle } from "lucide-react";
import { cn } from "@/lib/ui/cn";

/** A decorative spinner: the element it sits in says what is happening (aria-busy, a label such as "Saving…"). */
export function Spinner({ className }: { className?: string }) {
  return <LoaderCircle aria-hidden="true" className={cn("size-4 shrink-0 animate-spin", className)} />;
}

/** A spinner with a visible label, for panels that are loading. */
export function LoadingBlock({ label, className }: { label: string; className?: string }) {
  return (
    <div role="status" className={cn("flex items-center gap-2 text-sm text-stone-500", className)}>
      <Spinner />
      <span>{label}</span>
    </div>
  );
}
