import { jobStepViews, type JobStepView } from "./job-steps";
import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pageRevisions, stories, users } from "@/db/schema";
import {
  countJobsByStatus,
  distinctValues,
  getJob,
  historyColumns,
  historyFilterSchema,
  historyQuerySchema,
  listJobHistory,
  isSectionedPayload,
  resolveTemplate,
  renderTemplate,
  tracedRuns,
  type ContextBreakdown,
  type HistoryFilters,
  type HistoryRow,
  type StatusCounts,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { createEmbeddedEngine, type RunDetail } from "@/lib/inngest/embedded";
import { inngestMode } from "@/lib/inngest/mode";
import { diffWords, type DiffPart } from "@/lib/text/diff";
import { requireAdmin } from "./access";
import type { Actor } from "./actor";
import { withValidCursor } from "./job-history";
import { isPageTextJob, PAGE_TARGET } from "./job-kinds";
import { cancelPageJob } from "./page-jobs/cancel";
import type { PageJobView } from "./page-jobs/view";
import { pageNumbersOf } from "./page-numbers";
import { renderSectionPrompts, type SectionSummary, summarizeSections } from "./page-jobs/sectioned-revise";
import { retryJob } from "./retry";
import { parseInput } from "./validation";

/**
 * Admin views of the job ledger. Every function starts with requireAdmin (lib/stories/access.ts): a non-admin gets
 * NOT_FOUND, exactly as if the admin pages did not exist, so their URLs reveal nothing.
 */

export interface AdminJobRow extends HistoryRow {
  storyTitle: string | null;
  pageNumber: number | null;
  userEmail: string | null;
}

export interface AdminJobList {
  filters: HistoryFilters;
  rows: AdminJobRow[];
  nextCursor: string | null;
  prevCursor: string | null;
  counts: StatusCounts;
  limit: number;
}

/** Parses the history filters; query strings hand us strings, so every field is coerced and "" means unset. */
export function parseHistoryInput(input: unknown): {
  filters: HistoryFilters;
  cursor?: string;
  before?: string;
  limit?: number;
} {
  const filters = parseInput(historyFilterSchema, input);
  const page = parseInput(historyQuerySchema, input);
  return { filters, cursor: page.cursor, before: page.before, limit: page.limit };
}

export async function listAdminJobs(actorOrNull: Actor | null, input: unknown): Promise<AdminJobList> {
  requireAdmin(actorOrNull);
  const db = await getDb();
  const { filters, cursor, before, limit } = parseHistoryInput(await resolveUserFilter(db, input));
  const [page, counts] = await Promise.all([
    withValidCursor(() => listJobHistory(db, filters, { cursor, before, limit }), {
      message: "This page link is not valid any more. Start again from the newest jobs.",
      field: "cursor",
      fieldMessage: "Not a valid page cursor.",
    }),
    countJobsByStatus(db, filters),
  ]);
  return {
    filters,
    rows: await enrichRows(db, page.rows),
    nextCursor: page.nextCursor,
    prevCursor: page.prevCursor,
    counts,
    limit: limit ?? 50,
  };
}

/** Values for the filter pickers: stories and users are looked up by id, models and error codes listed. */
export async function adminJobFilterOptions(actorOrNull: Actor | null) {
  requireAdmin(actorOrNull);
  const db = await getDb();
  const [models, errorCodes] = await Promise.all([distinctValues(db, "model"), distinctValues(db, "errorCode")]);
  return { models, errorCodes };
}

/** Story title, page number (1-based among the story's live pages) and requester email for a page of rows. */
export async function enrichRows(db: Db, rows: HistoryRow[]): Promise<AdminJobRow[]> {
  const storyIds = [...new Set(rows.map((r) => r.scopeId).filter((v): v is string => v !== null))];
  const userIds = [...new Set(rows.map((r) => r.requestedBy).filter((v): v is string => v !== null))];
  const pageIds = [...new Set(rows.filter((r) => r.targetType === PAGE_TARGET).map((r) => r.targetId))];
  const [storyRows, userRows, numbers] = await Promise.all([
    storyIds.length
      ? db.select({ id: stories.id, title: stories.title }).from(stories).where(inArray(stories.id, storyIds))
      : [],
    userIds.length ? db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, userIds)) : [],
    pageNumbersOf(db, pageIds),
  ]);
  const titles = new Map(storyRows.map((s) => [s.id, s.title]));
  const emails = new Map(userRows.map((u) => [u.id, u.email]));
  return rows.map((r) => ({
    ...r,
    storyTitle: r.scopeId ? (titles.get(r.scopeId) ?? null) : null,
    pageNumber: r.targetType === PAGE_TARGET ? (numbers.get(r.targetId) ?? null) : null,
    userEmail: r.requestedBy ? (emails.get(r.requestedBy) ?? null) : null,
  }));
}

/** One engine run with its steps and calls, as the engine's query API returns it. */
export type EngineRunView = RunDetail;

export interface AdminJobDetail {
  /** The job's ledger row, without the engine trace (shown as `runs`). */
  job: Omit<AiJob, "engineTrace">;
  row: AdminJobRow;
  renderedPrompt: { text: string | null; error: string | null };
  /** What the prompt held, part by part, as recorded when the job was built (null for jobs before story memory). */
  contextBreakdown: ContextBreakdown | null;
  /** The page text at the job's base version, and the diff from it to the output. */
  before: string | null;
  diff: DiffPart[] | null;
  timings: { queuedMs: number | null; firstTokenMs: number | null; totalMs: number | null };
  parent: AdminJobRow | null;
  children: AdminJobRow[];
  retryOf: AdminJobRow | null;
  retries: AdminJobRow[];
  runs: EngineRunView[];
  canRetry: boolean;
  canCancel: boolean;
  /** A page revised section by section: its sections in order (null for a one-piece job). */
  sections: SectionSummary[] | null;
  /** A chained job (Revise, then proofread): each step with its template, tokens, cost and timings. */
  steps: JobStepView[] | null;
}

const jobIdSchema = z.object({ jobId: z.uuid({ message: "Not a valid job id." }) });

const ms = (from: Date | null, to: Date | null) => (from && to ? to.getTime() - from.getTime() : null);

export async function getAdminJobDetail(actorOrNull: Actor | null, input: unknown): Promise<AdminJobDetail> {
  requireAdmin(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const db = await getDb();
  const found = await getJob(db, jobId);
  if (!found) throw new AppError("NOT_FOUND", "We couldn't find that job.");
  const { engineTrace: _trace, ...job } = found;

  const related = await db
    .select(historyColumns)
    .from(aiJobs)
    .where(
      or(
        eq(aiJobs.id, job.id),
        job.parentJobId ? eq(aiJobs.id, job.parentJobId) : undefined,
        job.retryOf ? eq(aiJobs.id, job.retryOf) : undefined,
        eq(aiJobs.parentJobId, job.id),
        eq(aiJobs.retryOf, job.id),
      ),
    )
    .orderBy(asc(aiJobs.createdAt))
    .limit(500);
  const enriched = await enrichRows(db, related);
  const byId = new Map(enriched.map((r) => [r.id, r]));

  const before = await textBefore(db, job);
  return {
    job,
    row: byId.get(job.id)!,
    renderedPrompt: await renderJobPrompt(job),
    contextBreakdown: recordedBreakdown(job.promptPayload),
    before,
    diff: before !== null && job.outputText !== null ? diffWords(before, job.outputText) : null,
    timings: {
      queuedMs: ms(job.createdAt, job.startedAt),
      firstTokenMs: ms(job.startedAt ?? job.createdAt, job.firstTokenAt),
      totalMs: ms(job.createdAt, job.completedAt),
    },
    parent: job.parentJobId ? (byId.get(job.parentJobId) ?? null) : null,
    children: enriched.filter((r) => r.parentJobId === job.id),
    retryOf: job.retryOf ? (byId.get(job.retryOf) ?? null) : null,
    retries: enriched.filter((r) => r.retryOf === job.id),
    runs: await engineRunsForJob(db, found),
    canRetry: isPageTextJob(job) && !job.parentJobId && ["succeeded", "failed", "cancelled"].includes(job.status),
    canCancel: isPageTextJob(job) && (job.status === "pending" || job.status === "running"),
    sections: summarizeSections(job.promptPayload),
    steps: jobStepViews(job.steps),
  };
}

/** Renders the job's template at the version it recorded, with the payload it recorded: the prompt the model saw. */
export async function renderJobPrompt(job: Pick<AiJob, "templateKey" | "templateVersion" | "promptPayload">) {
  try {
    const template = await resolveTemplate(job.templateKey, job.templateVersion);
    // A page revised section by section sent one prompt per section: all of them, in order.
    if (isSectionedPayload(job.promptPayload))
      return { text: await renderSectionPrompts(template, job.promptPayload), error: null };
    return { text: await renderTemplate(template, job.promptPayload as Record<string, unknown>), error: null };
  } catch (error) {
    return { text: null, error: error instanceof Error ? error.message : "The template could not be rendered." };
  }
}

/** The breakdown a page job recorded with its payload (lib/ai buildDocumentPrompt), if it has one. */
function recordedBreakdown(payload: unknown): ContextBreakdown | null {
  const value = (payload as { contextBreakdown?: unknown } | null)?.contextBreakdown;
  if (!value || typeof value !== "object") return null;
  const breakdown = value as Partial<ContextBreakdown>;
  return Array.isArray(breakdown.sections) && typeof breakdown.totalTokens === "number"
    ? (breakdown as ContextBreakdown)
    : null;
}

async function textBefore(db: Db, job: Pick<AiJob, "targetType" | "baseVersion" | "targetId">): Promise<string | null> {
  if (job.targetType !== PAGE_TARGET || job.baseVersion === null) return null;
  const [revision] = await db
    .select({ content: pageRevisions.content })
    .from(pageRevisions)
    .where(and(eq(pageRevisions.pageId, job.targetId), eq(pageRevisions.version, job.baseVersion)))
    .limit(1);
  return revision?.content ?? null;
}

const RUNS_SHOWN = 20;

/**
 * The engine runs that worked on this job. The app's functions carry the job id in their event data (the engine also
 * finds the failure handler's runs, whose event wraps the original), searched within the job's lifetime. Runs the
 * engine's retention purged come from the copy it left in the ledger (engine_trace), so the view does not change.
 */
export async function engineRunsForJob(
  db: Db,
  job: Pick<AiJob, "id" | "createdAt" | "completedAt" | "engineTrace">,
): Promise<EngineRunView[]> {
  // With an external Inngest the runs live there (its dashboard shows them); the engine's tables are not in use.
  if (inngestMode() !== "embedded") return [];
  const live = await createEmbeddedEngine({ db }).query.runsForEvent({
    data: { jobId: job.id },
    from: new Date(job.createdAt.getTime() - 60_000),
    to: new Date((job.completedAt ?? new Date()).getTime() + 60 * 60_000),
    limit: RUNS_SHOWN,
  });
  const traced = tracedRuns(job.engineTrace);
  if (!traced.length) return live;
  const seen = new Set(live.map((r) => r.run.id));
  return [...live, ...traced.filter((r) => !seen.has(r.run.id))]
    .sort((a, b) => a.run.createdAt.getTime() - b.run.createdAt.getTime())
    .slice(0, RUNS_SHOWN);
}

export async function adminRetryJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireAdmin(actorOrNull);
  return retryJob(actor, input);
}

export async function adminCancelJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireAdmin(actorOrNull);
  const { jobId } = parseInput(jobIdSchema, input);
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job) throw new AppError("NOT_FOUND", "We couldn't find that job.");
  if (job.targetType !== PAGE_TARGET) {
    throw new AppError("VALIDATION", "Cancel this background revision from its story.");
  }
  return cancelPageJob(actor, { jobId });
}

/**
 * The user filter accepts an email as well as an id (admins know people by email); an unknown email is a
 * validation error rather than an empty list that looks like "this person ran nothing".
 */
async function resolveUserFilter(db: Db, input: unknown): Promise<unknown> {
  if (!input || typeof input !== "object") return input;
  const raw = (input as Record<string, unknown>).requestedBy;
  if (typeof raw !== "string" || !raw.includes("@")) return input;
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${raw.trim()})`)
    .limit(1);
  if (!user)
    throw new AppError("VALIDATION", `No user has the email ${raw.trim().slice(0, 200)}.`, {
      fields: { requestedBy: "Unknown email." },
    });
  return { ...(input as Record<string, unknown>), requestedBy: user.id };
}

const CSV_EXPORT_MAX_ROWS = 100_000;
const CSV_BATCH = 1000;

export const csvColumns = [
  "id",
  "created_at",
  "status",
  "job_type",
  "story_id",
  "story_title",
  "page_number",
  "user_email",
  "provider",
  "model",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "duration_ms",
  "attempts",
  "error_code",
  "parent_job_id",
  "retry_of",
] as const;

/**
 * The filtered history as CSV rows, newest first, fetched in keyset batches so memory stays flat; stops at
 * CSV_EXPORT_MAX_ROWS. The admin check and the filter validation happen before the first row is produced, so a
 * refused export fails as a whole instead of sending a partial file.
 */
export async function exportAdminJobsCsv(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<AsyncGenerator<unknown[]>> {
  requireAdmin(actorOrNull);
  const db = await getDb();
  const { filters } = parseHistoryInput(await resolveUserFilter(db, input));
  async function* rows(): AsyncGenerator<unknown[]> {
    let cursor: string | undefined;
    let sent = 0;
    while (sent < CSV_EXPORT_MAX_ROWS) {
      const page = await listJobHistory(db, filters, {
        cursor,
        limit: Math.min(CSV_BATCH, CSV_EXPORT_MAX_ROWS - sent),
      });
      for (const r of await enrichRows(db, page.rows)) {
        yield [
          r.id,
          r.createdAt,
          r.status,
          r.jobType,
          r.scopeId,
          r.storyTitle,
          r.pageNumber,
          r.userEmail,
          r.provider,
          r.model,
          r.inputTokens,
          r.outputTokens,
          r.costUsd,
          r.durationMs === null ? null : Math.round(r.durationMs),
          r.attempts,
          r.errorCode,
          r.parentJobId,
          r.retryOf,
        ];
      }
      sent += page.rows.length;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }
  return rows();
}
