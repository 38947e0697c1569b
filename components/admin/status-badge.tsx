import type { AiJobStatus } from "@/db/ai-schema";
import { cn } from "@/lib/ui/cn";

const tones: Record<AiJobStatus, string> = {
  pending: "bg-stone-100 text-stone-700 ring-stone-300",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  cancelled: "bg-amber-50 text-amber-900 ring-amber-200",
};

export function StatusBadge({ status }: { status: AiJobStatus }) {
  return (
    <span
      data-testid="job-status"
      className={cn("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", tones[status])}
    >
      {status}
    </span>
  );
}

/**
 * A finished job whose result the author set aside unused (a take not chosen, a dismissed take set): kept in the
 * ledger with its text, tokens and cost, written nowhere. Shown next to its status, which stays "succeeded".
 */
export function DiscardedBadge({ discardedAt }: { discardedAt: Date | string | null }) {
  if (discardedAt === null) return null;
  const when = new Date(discardedAt).toISOString().replace("T", " ").slice(0, 19);
  return (
    <span
      data-testid="job-discarded"
      title={`Discarded ${when} UTC: kept in the ledger, written nowhere`}
      className="ml-1 inline-flex rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-600 ring-1 ring-inset ring-stone-300"
    >
      discarded
    </span>
  );
}
