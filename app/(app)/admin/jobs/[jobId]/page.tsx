import type { Metadata } from "next";
import Link from "next/link";
import type { ModelFallback } from "@/lib/ai";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { DiffView } from "@/components/admin/diff-view";
import { JobActions } from "@/components/admin/job-actions";
import { DiscardedBadge, StatusBadge } from "@/components/admin/status-badge";
import { ContextBreakdownView } from "@/components/stories/context-breakdown";
import { currentActor } from "@/lib/auth";
import { pageError } from "@/lib/http/render-error";
import { errorText } from "@/lib/ui/error-text";
import { getAdminJobDetail, type AdminJobDetail, type AdminJobRow } from "@/lib/stories";
import { formatDuration, formatTokens, formatUsd, formatUtc } from "@/lib/ui/admin-format";
import { formatCount } from "@/lib/ui/format";

export const metadata: Metadata = { title: "Job" };
export const dynamic = "force-dynamic";

interface Props {
  params: Promise<{ jobId: string }>;
}

async function load(jobId: string): Promise<AdminJobDetail> {
  try {
    return await getAdminJobDetail(await currentActor(), { jobId });
  } catch (error) {
    // Not an admin, not a job, not even an id: all look the same from outside.
    pageError(error, { notFound: ["NOT_FOUND", "VALIDATION", "UNAUTHENTICATED"] });
  }
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section aria-labelledby={`h-${title}`} className="space-y-2" data-testid={testId}>
      <h2 id={`h-${title}`} className="text-lg font-semibold text-stone-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Pre({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <pre
      data-testid={testId}
      className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-words rounded-lg border border-stone-200 bg-stone-50 p-3 font-mono text-xs text-stone-800"
    >
      {children}
    </pre>
  );
}

function JobLink({ row, testId }: { row: AdminJobRow; testId?: string }) {
  return (
    <Link
      href={`/admin/jobs/${row.id}`}
      data-testid={testId}
      className="inline-flex items-center gap-2 rounded text-sm text-emerald-800 hover:underline"
    >
      <StatusBadge status={row.status} /> <span className="font-mono text-xs">{row.id}</span>
      <span className="text-stone-500">{formatUtc(row.createdAt)}</span>
    </Link>
  );
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export default async function AdminJobPage({ params }: Props) {
  const detail = await load((await params).jobId);
  const { job, row, timings } = detail;
  const facts: [string, ReactNode][] = [
    [
      "Type",
      <span key="type" className="font-mono text-xs">
        {job.jobType}
      </span>,
    ],
    [
      "Story",
      row.scopeId ? (
        <Link key="story" href={`/stories/${row.scopeId}`} className="text-emerald-800 hover:underline">
          {row.storyTitle ?? "deleted story"}
        </Link>
      ) : (
        "—"
      ),
    ],
    [
      "Page",
      row.pageNumber
        ? `page ${row.pageNumber}`
        : job.targetType === "page"
          ? "deleted page"
          : `${job.targetType} ${job.targetId}`,
    ],
    ["Requested by", row.userEmail ?? "—"],
    ["Model", `${job.provider} / ${job.model}`],
    [
      "Template",
      // The exact version the job recorded, in the prompt library (built-in or an admin's).
      <Link
        key="template"
        href={`/admin/prompts/${job.templateKey}/${job.templateVersion}`}
        data-testid="job-template-link"
        className="text-emerald-800 hover:underline"
      >
        {job.templateKey} v{job.templateVersion}
      </Link>,
    ],
    [
      "Content rating",
      job.contentRating === null
        ? "—"
        : job.ratingClampedBy
          ? `${job.contentRating} (the story asked for ${job.requestedRating}; clamped by the ${job.ratingClampedBy === "site" ? "site's" : "user's"} maximum)`
          : job.contentRating,
    ],
    [
      "Model fallbacks",
      (job.modelFallbacks as ModelFallback[]).length === 0 ? (
        "—"
      ) : (
        <ol key="fallbacks" className="space-y-1" data-testid="job-model-fallbacks">
          {(job.modelFallbacks as ModelFallback[]).map((f) => (
            <li key={`${f.from}-${f.at}`}>
              {f.from} → {f.to ?? "none left"}: {f.reason}
            </li>
          ))}
        </ol>
      ),
    ],
    [
      "Generation cache",
      job.reusedFrom ? (
        <span key="reused" data-testid="job-reused">
          reused the result of{" "}
          <Link href={`/admin/jobs/${job.reusedFrom}`} className="text-emerald-800 hover:underline">
            {job.reusedFrom}
          </Link>{" "}
          (no model call)
        </span>
      ) : job.fresh ? (
        "fresh result asked for (cache not used)"
      ) : (
        "—"
      ),
    ],
    ["Instruction", job.instruction || "—"],
    [
      "Tokens",
      `${formatTokens(job.inputTokens, job.outputTokens)} (in ${formatCount(job.inputTokens ?? 0)}, out ${formatCount(job.outputTokens ?? 0)})`,
    ],
    ["Cost", formatUsd(job.costUsd)],
    ["Created", formatUtc(job.createdAt)],
    ["Queued for", formatDuration(timings.queuedMs)],
    ["First token after", formatDuration(timings.firstTokenMs)],
    ["Total", formatDuration(timings.totalMs)],
    [
      "Attempts",
      job.resumedAttempts > 0
        ? `${job.attempts} (${job.resumedAttempts} continued the text an interrupted attempt had streamed)`
        : String(job.attempts),
    ],
    ["Base version", job.baseVersion === null ? "—" : `v${job.baseVersion}`],
    // A take: what made it differ, and whether the author set it aside (kept here, written nowhere).
    ...(job.sampling
      ? [["Sampling", `temperature ${job.sampling.temperature}, seed ${job.sampling.seed}`] as [string, string]]
      : []),
    ...(job.discardedAt
      ? [
          ["Discarded", `${formatUtc(job.discardedAt)} (not chosen: kept in the ledger, written nowhere)`] as [
            string,
            string,
          ],
        ]
      : []),
  ];

  return (
    <div className="space-y-8">
      <div className="space-y-3">
        <p className="text-sm">
          <Link href="/admin/jobs" className="text-emerald-800 hover:underline">
            ← Job history
          </Link>
        </p>
        <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-stone-900">
          Job{" "}
          <span className="font-mono text-base" data-testid="job-id">
            {job.id}
          </span>{" "}
          <StatusBadge status={job.status} />
          <DiscardedBadge discardedAt={job.discardedAt} />
        </h1>
        <AdminNav current="jobs" />
      </div>

      <JobActions jobId={job.id} canRetry={detail.canRetry} canCancel={detail.canCancel} />

      {job.errorCode ? (
        <div
          role="note"
          className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900"
          data-testid="job-error"
        >
          <span className="font-mono font-semibold">{job.errorCode}</span>
          {job.errorMessage ? <span>: {job.errorMessage}</span> : null}
        </div>
      ) : null}

      <dl
        className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-xl border border-stone-200 bg-white p-4 text-sm sm:grid-cols-2"
        data-testid="job-facts"
      >
        {facts.map(([term, value]) => (
          <div key={term} className="flex gap-2">
            <dt className="w-36 shrink-0 text-stone-500">{term}</dt>
            <dd className="min-w-0 break-words text-stone-900">{value}</dd>
          </div>
        ))}
      </dl>

      {detail.retryOf || detail.retries.length || detail.parent || detail.children.length ? (
        <Section title="Related jobs" testId="job-related">
          <ul className="space-y-1">
            {detail.retryOf ? (
              <li>
                Retry of <JobLink row={detail.retryOf} testId="job-retry-of" />
              </li>
            ) : null}
            {detail.retries.map((r) => (
              <li key={r.id}>
                Retried as <JobLink row={r} testId="job-retried-as" />
              </li>
            ))}
            {detail.parent ? (
              <li>
                Part of <JobLink row={detail.parent} />
              </li>
            ) : null}
            {detail.children.map((r) => (
              <li key={r.id}>
                Child <JobLink row={r} />
              </li>
            ))}
          </ul>
        </Section>
      ) : null}

      <Section title="Output" testId="job-output">
        {job.outputText !== null ? (
          <Pre>{job.outputText}</Pre>
        ) : (
          <p className="text-sm text-stone-500">No output{job.partialText ? " yet; partial text below." : "."}</p>
        )}
        {job.outputText === null && job.partialText ? <Pre>{job.partialText}</Pre> : null}
      </Section>

      <Section title="Change against the page before">
        {detail.diff ? (
          <DiffView parts={detail.diff} />
        ) : (
          <p className="text-sm text-stone-500">
            {detail.before === null
              ? "The page text at the job's base version is not available."
              : "No output to compare."}
          </p>
        )}
      </Section>

      {detail.steps ? (
        <Section title="Workflow steps" testId="job-steps">
          <p className="text-sm text-stone-600">
            One job, {detail.steps.length} model calls in a chain: each step renders its own template with the answer of
            the step before. The job&apos;s tokens and cost are their sums; its rendered prompt below is step 1&apos;s.
          </p>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs text-stone-500">
                <tr>
                  <th className="py-1 pr-3 font-medium">Step</th>
                  <th className="py-1 pr-3 font-medium">Template</th>
                  <th className="py-1 pr-3 font-medium">Tokens</th>
                  <th className="py-1 pr-3 font-medium">Cost</th>
                  <th className="py-1 pr-3 font-medium">Started</th>
                  <th className="py-1 pr-3 font-medium">Took</th>
                </tr>
              </thead>
              <tbody>
                {detail.steps.map((step, i) => (
                  <tr
                    key={step.name}
                    data-testid="job-step"
                    data-done={step.done}
                    className="border-t border-stone-100"
                  >
                    <td className="py-1 pr-3 font-medium text-stone-900">
                      {i + 1}. {step.name}
                    </td>
                    <td className="py-1 pr-3 text-stone-700">
                      {step.template}
                      {step.sections ? ` · in ${step.sections} sections` : ""}
                    </td>
                    <td className="py-1 pr-3 tabular-nums">
                      {step.done ? formatTokens(step.inputTokens, step.outputTokens) : "not run"}
                    </td>
                    <td className="py-1 pr-3 tabular-nums">{step.done ? formatUsd(step.costUsd) : "—"}</td>
                    <td className="py-1 pr-3 text-stone-700">{step.startedAt ? formatUtc(step.startedAt) : "—"}</td>
                    <td className="py-1 pr-3 tabular-nums">{formatDuration(step.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      ) : null}

      {detail.sections ? (
        <Section title="Sections" testId="job-sections">
          <p className="text-sm text-stone-600">
            The page was too long for the whole-story prompt: it was revised in{" "}
            {detail.sections.length === 1 ? "one section" : `${detail.sections.length} sections`}, one model call each,
            joined into one answer. Each section&apos;s step is listed under the engine runs below.
          </p>
          <ol className="space-y-1 text-sm">
            {detail.sections.map((section) => (
              <li key={section.number} data-testid="job-section" className="flex flex-wrap gap-x-3">
                <span className="font-medium text-stone-900">Section {section.number}</span>
                <span className="text-stone-500">{formatCount(section.characters)} characters</span>
                <span className="min-w-0 break-words text-stone-700">{section.opening}</span>
              </li>
            ))}
          </ol>
        </Section>
      ) : null}
      <Section title="Prompt context" testId="job-context">
        {detail.contextBreakdown ? (
          <ContextBreakdownView breakdown={detail.contextBreakdown} />
        ) : (
          <p className="text-sm text-stone-500">
            This job recorded no breakdown of its prompt (it predates story memory).
          </p>
        )}
      </Section>

      <Section title="Rendered prompt" testId="job-rendered-prompt">
        {detail.renderedPrompt.text !== null ? (
          <Pre>{detail.renderedPrompt.text}</Pre>
        ) : (
          <p className="text-sm text-red-700">{detail.renderedPrompt.error}</p>
        )}
      </Section>

      <Section title="Prompt payload">
        <details>
          <summary className="cursor-pointer text-sm text-stone-700">Show the JSON payload</summary>
          <Pre testId="job-payload">{json(job.promptPayload)}</Pre>
        </details>
        {Array.isArray(job.contextLeftOut) && job.contextLeftOut.length ? (
          <details>
            <summary className="cursor-pointer text-sm text-stone-700">
              Left out to fit the budget ({job.contextLeftOut.length})
            </summary>
            <Pre>{json(job.contextLeftOut)}</Pre>
          </details>
        ) : null}
      </Section>

      <Section title="Engine runs and steps" testId="job-runs">
        {detail.runs.length === 0 ? (
          <p className="text-sm text-stone-500">No engine run was found for this job.</p>
        ) : null}
        {detail.runs.map(({ run, steps, attempts }) => (
          <div key={run.id} className="space-y-2 rounded-xl border border-stone-200 bg-white p-3" data-testid="job-run">
            <p className="text-sm">
              <span className="font-mono text-xs">{run.functionId}</span> · run{" "}
              <span className="font-mono text-xs">{run.id}</span> · <strong>{run.status}</strong> ·{" "}
              {formatUtc(run.createdAt)}
              {run.endedAt ? ` · took ${formatDuration(run.endedAt.getTime() - run.createdAt.getTime())}` : ""}
            </p>
            {run.error ? (
              <p data-testid="job-run-error" className="text-sm break-words text-red-700">
                {errorText(run.error)}
              </p>
            ) : null}
            <div className="relative overflow-x-auto">
              <table className="min-w-full text-left text-xs">
                <caption className="sr-only">Steps of run {run.id}</caption>
                <thead className="text-stone-500">
                  <tr>
                    <th scope="col" className="px-2 py-1 font-medium">
                      Step
                    </th>
                    <th scope="col" className="px-2 py-1 font-medium">
                      Status
                    </th>
                    <th scope="col" className="px-2 py-1 font-medium">
                      Failed attempts
                    </th>
                    <th scope="col" className="px-2 py-1 font-medium">
                      Took
                    </th>
                    <th scope="col" className="px-2 py-1 font-medium">
                      Error
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-stone-100">
                  {steps.map((s) => (
                    <tr key={s.id} data-testid="job-step">
                      <td className="px-2 py-1 font-mono">{s.name}</td>
                      <td className="px-2 py-1">{s.status}</td>
                      <td className="px-2 py-1 tabular-nums">{s.attempts}</td>
                      <td className="px-2 py-1 tabular-nums">
                        {s.endedAt ? formatDuration(s.endedAt.getTime() - s.createdAt.getTime()) : "—"}
                      </td>
                      <td
                        className="max-w-[24rem] truncate px-2 py-1 text-red-700"
                        title={s.error ? errorText(s.error) : undefined}
                      >
                        {s.error ? errorText(s.error) : ""}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {attempts.length ? (
              <details>
                <summary className="cursor-pointer text-xs text-stone-700">
                  Every call the engine made ({attempts.length})
                </summary>
                <ol className="mt-1 space-y-0.5 text-xs">
                  {attempts.map((a) => (
                    <li key={a.id} data-testid="job-attempt">
                      attempt {a.attempt + 1} · {a.outcome}
                      {a.httpStatus ? ` · HTTP ${a.httpStatus}` : ""} ·{" "}
                      {formatDuration(a.endedAt.getTime() - a.startedAt.getTime())}
                      {a.error ? <span className="text-red-700"> · {errorText(a.error)}</span> : null}
                    </li>
                  ))}
                </ol>
              </details>
            ) : null}
          </div>
        ))}
      </Section>
    </div>
  );
}
