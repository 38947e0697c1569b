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
 * What is left of the user's daily AI budget, next to Generate. Refreshed whenever `refreshKey` changes (a job
 * started or settled). Shows nothing when no budget applies; a failed lookup shows nothing either (the server still
 * enforces the budget).
 */
export function AiBudgetHint({ refreshKey }: { refreshKey: string }) {
  const [allowance, setAllowance] = useState<AiAllowance | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies(refreshKey): refreshKey is not read inside; it is the signal to fetch the allowance again
  useEffect(() => {
    let live = true;
    void callAction(() => getAiAllowanceAction()).then((result) => {
      if (live && result.ok) setAllowance(result.data);
    });
    return () => {
      live = false;
    };
  }, [refreshKey]);
  const text = allowance ? describeAllowance(allowance) : null;
  if (!allowance || !text) return null;
  const exhausted = allowance.tokensLeft === 0 || allowance.costLeftUsd === 0;
  return (
    <span
      data-testid="ai-budget"
      data-tokens-left={allowance.tokensLeft ?? undefined}
      title={`Resets at 00:00 UTC (${new Date(allowance.resetsAt).toISOString().slice(0, 16).replace("T", " ")} UTC)`}
      className={exhausted ? "text-xs font-medium text-red-700" : "text-xs text-stone-500"}
    >
      {text}
    </span>
  );
}
