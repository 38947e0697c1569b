"use client";

import { useEffect, useState } from "react";
import { getAiAllowanceAction } from "@/app/actions/budgets";
import type { AiAllowance } from "@/lib/stories";
import { callAction } from "@/lib/ui/call-action";
import { formatCount } from "@/lib/ui/format";

function describeAllowance(a: AiAllowance): string | null {
  const parts: string[] = [];
  if (a.tokensLeft !== null) parts.push(`${formatCount(a.tokensLeft)} tokens`);
  if (a.costLeftUsd !== null) parts.push(`$${a.costLeftUsd.toFixed(2)}`);
  return parts.length ? `${parts.join(" · ")} left today` : null;
}

/**
 * The user's daily AI allowance, fetched again whenever `refreshKey` changes (a job started or settled, a request was
 * refused). Null until known, when no lookup succeeded, or on failure (the server still enforces the budget).
 */
export function useAiAllowance(refreshKey: string): AiAllowance | null {
  const [allowance, setAllowance] = useState<AiAllowance | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies(refreshKey): refreshKey is not read inside; it is the signal to fetch the allowance again
  useEffect(() => {
    let live = true;
    const fetchAllowance = () =>
      void callAction(() => getAiAllowanceAction()).then((result) => {
        if (live && result.ok) setAllowance(result.data);
      });
    fetchAllowance();
    // Coming back to the tab may find a budget raised by an admin or reset at midnight.
    const onVisible = () => {
      if (document.visibilityState === "visible") fetchAllowance();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      live = false;
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [refreshKey]);
  return allowance;
}

function isUsedUp(a: AiAllowance): boolean {
  return a.tokensLeft === 0 || a.costLeftUsd === 0;
}

/** Why Generate cannot run today, with when it can again (in the reader's time zone); null while budget is left. */
export function budgetUsedUpReason(a: AiAllowance): string | null {
  if (!isUsedUp(a)) return null;
  const resets = new Date(a.resetsAt);
  const time = resets.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  const sameDay = resets.toDateString() === new Date().toDateString();
  return `Your AI budget for today is used up. It resets ${sameDay ? "at" : "tomorrow at"} ${time}.`;
}

/** What is left of the user's daily AI budget, next to Generate. Shows nothing when no budget applies. */
export function AiBudgetHint({ allowance }: { allowance: AiAllowance | null }) {
  const text = allowance ? describeAllowance(allowance) : null;
  if (!allowance || !text) return null;
  return (
    <span
      data-testid="ai-budget"
      data-tokens-left={allowance.tokensLeft ?? undefined}
      title={`Resets at 00:00 UTC (${new Date(allowance.resetsAt).toISOString().slice(0, 16).replace("T", " ")} UTC)`}
      className={isUsedUp(allowance) ? "text-xs font-medium text-red-700" : "text-xs text-stone-500"}
    >
      {text}
    </span>
  );
}
