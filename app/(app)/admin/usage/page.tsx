import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/admin-nav";
import { BarChart, RankedBars } from "@/components/charts/bar-chart";
import { LineChart } from "@/components/charts/line-chart";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { currentActor } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { pageError } from "@/lib/http/render-error";
import { getAdminUsage, type AdminUsage, requireAdmin } from "@/lib/stories";
import { formatDuration, formatPercent, formatUsd } from "@/lib/ui/admin-format";
import { formatCount } from "@/lib/ui/format";

export const metadata: Metadata = { title: "Usage and cost" };
export const dynamic = "force-dynamic";

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function AdminUsagePage({ searchParams }: Props) {
  const raw = await searchParams;
  const input = { from: first(raw.from), to: first(raw.to) };
  const actor = await currentActor();
  try {
    requireAdmin(actor);
  } catch (error) {
    pageError(error, { notFound: ["NOT_FOUND", "UNAUTHENTICATED"] });
  }
  let usage: AdminUsage | null = null;
  let problem: string | null = null;
  try {
    usage = await getAdminUsage(actor, input);
  } catch (error) {
    if (isAppError(error) && error.code === "VALIDATION") problem = error.message;
    else throw error;
  }
  const dayLabel = (d: string) => d;
  const jobsLink = (key: string, value: string | null) =>
    value && usage
      ? `/admin/jobs?${new URLSearchParams({ [key]: value, from: usage.range.from.toISOString().slice(0, 10), to: usage.range.to.toISOString().slice(0, 10) })}`
      : undefined;

  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Usage and cost</h1>
        <AdminNav current="usage" />
      </div>
      <form method="get" action="/admin/usage" className="flex flex-wrap items-end gap-3" aria-label="Date range">
        <div>
          <Label htmlFor="u-from" className="text-xs text-stone-700">
            From (UTC, included)
          </Label>
          <Input
            id="u-from"
            name="from"
            type="date"
            defaultValue={input.from || usage?.range.from.toISOString().slice(0, 10)}
          />
        </div>
        <div>
          <Label htmlFor="u-to" className="text-xs text-stone-700">
            Until (UTC, not included)
          </Label>
          <Input
            id="u-to"
            name="to"
            type="date"
            defaultValue={input.to || usage?.range.to.toISOString().slice(0, 10)}
          />
        </div>
        <Button type="submit">Show</Button>
      </form>
      {problem ? <Alert tone="error">{problem}</Alert> : null}
      {usage ? (
        <>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="usage-totals">
            {(
              [
                [
                  "Jobs",
                  formatCount(usage.totals.jobs),
                  `${formatCount(usage.totals.succeeded)} succeeded, ${formatCount(usage.totals.failed)} failed, ${formatCount(usage.totals.cancelled)} cancelled`,
                ],
                [
                  "Success rate",
                  formatPercent(usage.totals.successRate),
                  "succeeded ÷ (succeeded + failed); cancelled jobs are not counted",
                ],
                [
                  "Latency p50 / p95 / p99",
                  `${formatDuration(usage.totals.p50Ms)} / ${formatDuration(usage.totals.p95Ms)} / ${formatDuration(usage.totals.p99Ms)}`,
                  "request to completion, queue included",
                ],
                [
                  "Tokens · cost",
                  `${formatCount(usage.totals.inputTokens + usage.totals.outputTokens)} · ${formatUsd(usage.totals.costUsd)}`,
                  `${formatCount(usage.totals.inputTokens)} in, ${formatCount(usage.totals.outputTokens)} out`,
                ],
                [
                  "Cache hits / misses",
                  `${formatCount(usage.totals.cacheHits)} / ${formatCount(usage.totals.cacheMisses)}`,
                  `identical requests answered without a model call; ${formatCount(usage.totals.cacheFresh)} new takes skipped the cache`,
                ],
              ] as const
            ).map(([term, value, hint]) => (
              <div key={term} className="rounded-xl border border-stone-200 bg-white p-3" title={hint}>
                <dt className="text-xs text-stone-500">{term}</dt>
                <dd
                  className="mt-1 text-lg font-semibold tabular-nums text-stone-900"
                  data-testid={`usage-${term.split(" ")[0]!.toLowerCase()}`}
                >
                  {value}
                </dd>
                <dd className="text-[11px] text-stone-500">{hint}</dd>
              </div>
            ))}
          </dl>

          <div className="grid gap-6 md:grid-cols-2">
            <BarChart
              title="Jobs per day (failed in red)"
              testId="chart-jobs"
              data={usage.days.map((d) => ({ label: dayLabel(d.day), value: d.jobs, highlight: d.failed }))}
              format={formatCount}
              highlightLabel="failed"
            />
            <LineChart
              title="Latency per day"
              testId="chart-latency"
              labels={usage.days.map((d) => d.day)}
              // The chart draws each series' legend swatch and points with the fill- twin of its stroke- class, made
              // at run time: named here so that Tailwind generates them (fill-emerald-600 fill-amber-500).
              series={[
                { name: "p50", values: usage.days.map((d) => d.p50Ms), className: "stroke-emerald-600" },
                { name: "p95", values: usage.days.map((d) => d.p95Ms), className: "stroke-amber-500" },
              ]}
              format={formatDuration}
            />
            <BarChart
              title="Tokens per day"
              testId="chart-tokens"
              data={usage.days.map((d) => ({ label: d.day, value: d.tokens }))}
              format={formatCount}
            />
            <BarChart
              title="Cost per day"
              testId="chart-cost"
              data={usage.days.map((d) => ({ label: d.day, value: d.costUsd ?? 0 }))}
              format={formatUsd}
            />
          </div>

          <div className="grid gap-8 md:grid-cols-2">
            <RankedBars
              title="Jobs per model"
              testId="usage-models"
              format={formatCount}
              rows={usage.models.map((m) => ({
                label: m.key ?? "—",
                value: m.jobs,
                detail: `${formatUsd(m.costUsd)} · p50 ${formatDuration(m.p50Ms)} · ${formatCount(m.failed)} failed`,
              }))}
            />
            <RankedBars
              title="Errors by frequency"
              testId="usage-errors"
              format={formatCount}
              rows={usage.errors.map((e) => ({ label: e.code, value: e.count }))}
            />
            <RankedBars
              title="Top users (jobs)"
              testId="usage-users"
              format={formatCount}
              rows={usage.users.map((u) => ({
                label: u.label,
                value: u.jobs,
                detail: `${formatCount(u.tokens)} tokens · ${formatUsd(u.costUsd)}`,
              }))}
            />
            <RankedBars
              title="Top stories (jobs)"
              testId="usage-stories"
              format={formatCount}
              rows={usage.stories.map((s) => ({
                label: s.label,
                value: s.jobs,
                detail: `${formatCount(s.tokens)} tokens · ${formatUsd(s.costUsd)}`,
              }))}
            />
          </div>
          <p className="text-xs text-stone-500">
            Hover a bar or point for its number. Open the{" "}
            <a className="underline" href={jobsLink("status", "failed")}>
              failed jobs of this range
            </a>{" "}
            in the history.
          </p>
        </>
      ) : null}
    </div>
  );
}
