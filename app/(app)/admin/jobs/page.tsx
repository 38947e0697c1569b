import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/admin/admin-nav";
import { JobFilters } from "@/components/admin/job-filters";
import { JobsTable } from "@/components/admin/jobs-table";
import { Alert } from "@/components/ui/alert";
import { aiJobStatuses } from "@/db/ai-schema";
import { currentActor } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { pageError } from "@/lib/http/render-error";
import { adminJobFilterOptions, listAdminJobs, type AdminJobList } from "@/lib/stories";
import { cn } from "@/lib/ui/cn";
import { formatCount } from "@/lib/ui/format";

export const metadata: Metadata = { title: "Job history" };
export const dynamic = "force-dynamic";

const filterKeys = [
  "status",
  "jobType",
  "scopeId",
  "requestedBy",
  "model",
  "errorCode",
  "contentRating",
  "clamped",
  "from",
  "to",
  "jobId",
  "limit",
] as const;

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AdminJobsPage({ searchParams }: Props) {
  const raw = await searchParams;
  const values: Record<string, string> = {};
  for (const key of [...filterKeys, "cursor", "before"]) {
    const value = raw[key];
    const first = Array.isArray(value) ? value[0] : value;
    if (first) values[key] = first;
  }
  const actor = await currentActor();
  // The admin check comes first: a non-admin gets the same 404 as for a page that does not exist.
  let options: Awaited<ReturnType<typeof adminJobFilterOptions>>;
  try {
    options = await adminJobFilterOptions(actor);
  } catch (error) {
    pageError(error, { notFound: ["NOT_FOUND", "UNAUTHENTICATED"] });
  }
  let list: AdminJobList | null = null;
  let problem: string | null = null;
  try {
    list = await listAdminJobs(actor, values);
  } catch (error) {
    if (isAppError(error) && error.code === "VALIDATION") problem = error.message;
    else throw error;
  }

  const query = (overrides: Record<string, string | null>) => {
    const params = new URLSearchParams();
    for (const key of filterKeys) if (values[key]) params.set(key, values[key]!);
    for (const [key, value] of Object.entries(overrides)) {
      if (value === null) params.delete(key);
      else params.set(key, value);
    }
    const text = params.toString();
    return text ? `?${text}` : "";
  };
  const filterHref = (key: string, value: string) => `/admin/jobs${query({ [key]: value })}`;
  const exportQuery = query({ limit: null });

  return (
    // The history table has ten columns: on wide screens the page takes more than the app's reading width so that
    // all of them show without scrolling; narrower screens scroll the table instead.
    <div className="space-y-6 xl:-mx-24">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold tracking-tight text-stone-900">Job history</h1>
        <AdminNav current="jobs" />
      </div>

      {list ? (
        <ul aria-label="Jobs per status" className="flex flex-wrap gap-2" data-testid="status-counts">
          <li>
            <Link
              href={`/admin/jobs${query({ status: null })}`}
              aria-current={!values.status ? "true" : undefined}
              className={cn(
                "flex items-center gap-2 rounded-lg border px-3 py-1.5 text-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
                !values.status
                  ? "border-emerald-600 bg-emerald-50"
                  : "border-stone-200 bg-white hover:border-stone-300",
              )}
            >
              All{" "}
              <span className="font-semibold tabular-nums" data-testid="count-total">
                {formatCount(list.counts.total)}
              </span>
            </Link>
          </li>
          {aiJobStatuses.map((status) => (
            <li key={status}>
              <Link
                href={`/admin/jobs${query({ status })}`}
                aria-current={values.status === status ? "true" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-lg border px-3 py-1.5 text-sm outline-none focus-visible:ring-2 focus-visible:ring-emerald-600",
                  values.status === status
                    ? "border-emerald-600 bg-emerald-50"
                    : "border-stone-200 bg-white hover:border-stone-300",
                )}
              >
                {status}{" "}
                <span className="font-semibold tabular-nums" data-testid={`count-${status}`}>
                  {formatCount(list.counts[status])}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}

      <JobFilters values={values} models={options.models} errorCodes={options.errorCodes} />

      {problem ? (
        <Alert tone="error" data-testid="filters-error">
          {problem}
        </Alert>
      ) : null}

      {list ? (
        <>
          <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-stone-600">
            <span>
              Newest first{list.prevCursor ? " (older page)" : ""} · {list.rows.length} shown
            </span>
            <a
              href={`/api/admin/jobs.csv${exportQuery}`}
              data-testid="export-csv"
              className="rounded-md border border-stone-300 bg-white px-3 py-1.5 font-medium text-stone-800 shadow-sm outline-none hover:bg-stone-50 focus-visible:ring-2 focus-visible:ring-emerald-600"
            >
              Export CSV
            </a>
          </div>
          <JobsTable rows={list.rows} filterHref={filterHref} />
          <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-2">
            {list.prevCursor ? (
              <span className="flex gap-4">
                <Link
                  href={`/admin/jobs${query({})}`}
                  data-testid="page-newest"
                  className="text-sm font-medium text-emerald-800 hover:underline"
                >
                  ⇤ Newest
                </Link>
                <Link
                  href={`/admin/jobs${query({ before: list.prevCursor })}`}
                  data-testid="page-prev"
                  className="text-sm font-medium text-emerald-800 hover:underline"
                >
                  ← Newer jobs
                </Link>
              </span>
            ) : (
              <span />
            )}
            {list.nextCursor ? (
              <Link
                href={`/admin/jobs${query({ cursor: list.nextCursor })}`}
                data-testid="page-next"
                className="text-sm font-medium text-emerald-800 hover:underline"
              >
                Older jobs →
              </Link>
            ) : null}
          </nav>
        </>
      ) : null}
    </div>
  );
}
