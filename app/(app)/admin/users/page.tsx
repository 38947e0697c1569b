import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/admin-nav";
import { UserBudgetRowView } from "@/components/admin/user-budget-row";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { RatingMaxForm } from "@/components/ratings/rating-max-form";
import { getSiteSettings, listUserBudgets } from "@/lib/stories";

export const metadata: Metadata = { title: "Users and AI budgets" };

export default async function AdminUsersPage() {
  let data: Awaited<ReturnType<typeof listUserBudgets>>;
  let site: Awaited<ReturnType<typeof getSiteSettings>>;
  try {
    const actor = await currentActor();
    [data, site] = await Promise.all([listUserBudgets(actor), getSiteSettings(actor)]);
  } catch (error) {
    // Non-admins get the ordinary "not found": admin pages do not announce themselves.
    pageError(error, { notFound: ["NOT_FOUND", "UNAUTHENTICATED"] });
  }
  const { users, defaults } = data;
  const tokenDefault = defaults.dailyTokenBudget === null ? "unlimited" : `default ${defaults.dailyTokenBudget}`;
  const costDefault = defaults.dailyCostBudgetUsd === null ? "unlimited" : `default ${defaults.dailyCostBudgetUsd}`;
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Users and AI budgets</h1>
        <AdminNav current="users" />
        <p className="text-sm text-stone-600">
          Usage is since 00:00 UTC today. A blank budget uses the server default ({tokenDefault} tokens, {costDefault}{" "}
          USD per day); 0 stops the user&apos;s AI requests. Rate limit:{" "}
          {defaults.ratePerMinute === null ? "none" : `${defaults.ratePerMinute} AI requests per minute`}.
        </p>
      </div>
      <section aria-labelledby="site-rating" className="space-y-2">
        <h2 id="site-rating" className="text-base font-semibold text-stone-900">
          Content rating
        </h2>
        <p className="text-sm text-stone-600">
          Every AI job is held to the lowest of its story&apos;s rating, this site maximum and the requesting
          user&apos;s own maximum (below, or set by the user in Settings). Clamped jobs are listed in the job history.
        </p>
        <RatingMaxForm
          label="Highest rating on this site"
          initial={site.maxContentRating}
          testId="site-rating"
          target={{ kind: "site" }}
        />
      </section>
      {/* relative: the visually hidden labels inside are absolutely positioned and would otherwise widen the page. */}
      <div className="relative overflow-x-auto rounded-xl border border-stone-200 bg-white px-4">
        <table className="w-full text-left" data-testid="admin-users-table">
          <thead className="text-xs font-medium uppercase tracking-wide text-stone-500">
            <tr>
              <th scope="col" className="py-3 pr-4">
                User
              </th>
              <th scope="col" className="py-3 pr-4">
                Role
              </th>
              <th scope="col" className="py-3 pr-4">
                Today
              </th>
              <th scope="col" className="py-3 pr-4">
                Tokens / day
              </th>
              <th scope="col" className="py-3 pr-4">
                USD / day
              </th>
              <th scope="col" className="py-3 pr-4">
                <span className="sr-only">Save</span>
              </th>
              <th scope="col" className="py-3">
                Max rating
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {users.map((u) => (
              <UserBudgetRowView key={u.id} initial={u} defaults={{ tokens: tokenDefault, cost: costDefault }} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
