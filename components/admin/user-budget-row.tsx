"use client";

import { useState, type FormEvent } from "react";
import { setUserBudgetAction } from "@/app/actions/budgets";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { RatingMaxForm } from "@/components/ratings/rating-max-form";
import type { UserBudgetRow } from "@/lib/stories";
import { callAction, fieldErrors } from "@/lib/ui/call-action";
import { formatCount } from "@/lib/ui/format";

/** One user's row on /admin/users: today's usage and their budgets, editable in place (blank = server default). */
export function UserBudgetRowView({
  initial,
  defaults,
}: {
  initial: UserBudgetRow;
  defaults: { tokens: string; cost: string };
}) {
  const [row, setRow] = useState(initial);
  const [tokens, setTokens] = useState(initial.dailyTokenBudget?.toString() ?? "");
  const [cost, setCost] = useState(initial.dailyCostBudgetUsd?.toString() ?? "");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const dirty =
    tokens !== (row.dailyTokenBudget?.toString() ?? "") || cost !== (row.dailyCostBudgetUsd?.toString() ?? "");

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setSaved(false);
    const result = await callAction(() =>
      setUserBudgetAction({ userId: row.id, dailyTokenBudget: tokens, dailyCostBudgetUsd: cost }),
    );
    setPending(false);
    if (!result.ok) {
      const fields = fieldErrors(result.error.details);
      setError(fields.dailyTokenBudget ?? fields.dailyCostBudgetUsd ?? result.error.message);
      return;
    }
    setRow(result.data);
    setTokens(result.data.dailyTokenBudget?.toString() ?? "");
    setCost(result.data.dailyCostBudgetUsd?.toString() ?? "");
    setSaved(true);
  }

  const formId = `budget-${row.id}`;
  return (
    <tr data-testid="admin-user-row" data-user-id={row.id} className="align-top">
      <td className="py-3 pr-4">
        <p className="font-medium text-stone-900">{row.name}</p>
        <p className="text-xs text-stone-500">{row.email}</p>
      </td>
      <td className="py-3 pr-4 text-sm text-stone-700">{row.role}</td>
      <td className="py-3 pr-4 text-sm tabular-nums text-stone-700" data-testid="admin-user-usage">
        {formatCount(row.tokensToday)} tokens · ${row.costTodayUsd.toFixed(4)} · {formatCount(row.jobsToday)} jobs
      </td>
      <td className="py-3 pr-4">
        <label className="sr-only" htmlFor={`${formId}-tokens`}>
          Daily token budget for {row.email}
        </label>
        <Input
          id={`${formId}-tokens`}
          form={formId}
          data-testid="admin-user-token-budget"
          inputMode="numeric"
          value={tokens}
          placeholder={defaults.tokens}
          onChange={(e) => setTokens(e.target.value)}
          className="w-36"
        />
      </td>
      <td className="py-3 pr-4">
        <label className="sr-only" htmlFor={`${formId}-cost`}>
          Daily cost budget in USD for {row.email}
        </label>
        <Input
          id={`${formId}-cost`}
          form={formId}
          data-testid="admin-user-cost-budget"
          inputMode="decimal"
          value={cost}
          placeholder={defaults.cost}
          onChange={(e) => setCost(e.target.value)}
          className="w-28"
        />
      </td>
      <td className="py-3 pr-4">
        <form id={formId} onSubmit={onSubmit} className="flex items-center gap-2">
          <Button type="submit" size="sm" data-testid="admin-user-save" pending={pending} disabled={!dirty && !pending}>
            Save
          </Button>
          {saved && !dirty ? (
            <span role="status" className="text-xs text-emerald-700">
              Saved
            </span>
          ) : null}
        </form>
        {error ? (
          <p role="alert" data-testid="admin-user-error" className="mt-1 max-w-48 text-xs text-red-700">
            {error}
          </p>
        ) : null}
      </td>
      <td className="py-3">
        <RatingMaxForm
          label={`Highest content rating for ${row.email}`}
          initial={row.maxContentRating}
          blankLabel="Site maximum"
          testId="admin-user-rating"
          target={{ kind: "user", userId: row.id }}
        />
      </td>
    </tr>
  );
}
