import Link from "next/link";
import { formatDuration, formatTokens, formatUsd, formatUtc } from "@/lib/ui/admin-format";
import type { AdminJobRow } from "@/lib/stories";
import { DiscardedBadge, StatusBadge } from "./status-badge";

const link =
  "rounded text-emerald-800 underline-offset-2 outline-none hover:underline focus-visible:ring-2 focus-visible:ring-emerald-600";

/** The history table. Story and user cells link to the same list filtered by them. */
export function JobsTable({
  rows,
  filterHref,
}: {
  rows: AdminJobRow[];
  filterHref: (key: string, value: string) => string;
}) {
  if (rows.length === 0) {
    return (
      <p
        data-testid="jobs-empty"
        className="rounded-xl border border-dashed border-stone-300 p-8 text-center text-sm text-stone-600"
      >
        No jobs match these filters.
      </p>
    );
  }
  return (
    <div className="relative overflow-x-auto rounded-xl border border-stone-200 bg-white">
      <table data-testid="jobs-table" className="min-w-full text-left text-sm">
        <caption className="sr-only">AI jobs, newest first</caption>
        <thead className="border-b border-stone-200 bg-stone-50 text-xs uppercase tracking-wide text-stone-600">
          <tr>
            {["Time (UTC)", "Status", "Type", "Story", "User", "Model", "Tokens", "Cost", "Duration", "Error"].map(
              (h) => (
                <th key={h} scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                  {h}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {rows.map((r) => (
            <tr key={r.id} data-testid="job-row" data-job-id={r.id} className="hover:bg-stone-50">
              <td className="whitespace-nowrap px-3 py-2">
                <Link href={`/admin/jobs/${r.id}`} className={link} data-testid="job-link" title={`Job ${r.id}`}>
                  {formatUtc(r.createdAt).replace(" UTC", "")}
                </Link>
              </td>
              <td className="px-3 py-2">
                <span className="inline-flex flex-wrap items-center">
                  <StatusBadge status={r.status} />
                  <DiscardedBadge discardedAt={r.discardedAt} />
                </span>
              </td>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
                {r.jobType}
                {r.retryOf ? (
                  <span className="ml-1 rounded bg-stone-100 px-1 text-[10px] text-stone-600">retry</span>
                ) : null}
              </td>
              <td className="max-w-[14rem] px-3 py-2">
                {r.scopeId ? (
                  <Link
                    href={filterHref("scopeId", r.scopeId)}
                    className={`${link} block truncate`}
                    title={r.storyTitle ?? r.scopeId}
                  >
                    {r.storyTitle ?? "deleted story"}
                    {r.pageNumber ? <span className="text-stone-500"> · p. {r.pageNumber}</span> : null}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td className="max-w-[12rem] px-3 py-2">
                {r.requestedBy ? (
                  <Link
                    href={filterHref("requestedBy", r.requestedBy)}
                    className={`${link} block truncate`}
                    title={r.userEmail ?? r.requestedBy}
                  >
                    {r.userEmail ?? "deleted user"}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td className="whitespace-nowrap px-3 py-2">{r.model}</td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
                {formatTokens(r.inputTokens, r.outputTokens)}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{formatUsd(r.costUsd)}</td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{formatDuration(r.durationMs)}</td>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs text-red-700">{r.errorCode ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
