import { eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { pageRevisions, pages } from "@/db/schema";
import { pageSuggestions, type SuggestionReason } from "@/db/suggestions-schema";
import { AI_JOB_ATTEMPTS } from "@/lib/ai";
import { jobFailureMessage, retryReasonText } from "@/lib/errors";
import { modelLabel } from "../job-kinds";
import { sectionCount } from "./sectioned-revise";

/** A page job as the editor and the REST API show it. */
export interface PageJobView {
  id: string;
  status: AiJob["status"];
  jobType: AiJob["jobType"];
  pageId: string;
  model: string;
  provider: string;
  modelLabel: string;
  instruction: string;
  baseVersion: number | null;
  partialText: string | null;
  outputText: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /**
   * How the result landed: written into the page, kept as a suggestion, identical to the page (nothing to change), or
   * not yet known.
   */
  resolution: "applied" | "suggested" | "unchanged" | null;
  /** Why the text waits as a suggestion (when it does). */
  suggestionReason: Exclude<SuggestionReason, "unchanged"> | null;
  /** The page as it is now, once the job has settled, so the editor can continue from the right version. */
  page: { content: string; version: number; updatedAt: string } | null;
  /** The open suggestion this job left, when the page had changed meanwhile. */
  suggestionId: string | null;
  /** Set when the job is one page of a background revision: its text always lands as a suggestion. */
  parentJobId: string | null;
  /**
   * A page too long for one prompt is revised section by section in one job: how many sections, and which one is
   * being revised (only the live stream knows it, from the running step; null elsewhere). Null for a one-piece job.
   */
  sections: { count: number; current: number | null } | null;
  /**
   * The model call's attempts while the job is active (null once it settles): which one this is (0 before the first
   * starts), of how many, and — after a failed one — why it failed in words and when the next starts (null while an
   * attempt runs). Never the provider's own message.
   */
  attempt: { number: number; max: number; retryReason: string | null; retryAt: string | null } | null;
  /** The text is an earlier identical request's, reused from the generation cache: no model call, no cost. */
  reused: boolean;
}

/** The attempts of an active job, as PageJobView shows them. */
export function attemptOf(job: Pick<AiJob, "status" | "attempts" | "retryCode" | "retryAt">): PageJobView["attempt"] {
  if (job.status !== "pending" && job.status !== "running") return null;
  return {
    number: job.attempts,
    max: AI_JOB_ATTEMPTS,
    retryReason: job.retryCode ? retryReasonText(job.retryCode) : null,
    retryAt: job.retryAt?.toISOString() ?? null,
  };
}

/** Where a succeeded job's text went, from its suggestion (a job has at most one) and its revision of the page. */
function resolutionFrom(
  suggestion: { reason: string } | undefined,
  revision: { id: string } | undefined,
): PageJobView["resolution"] {
  if (suggestion) return suggestion.reason === "unchanged" ? "unchanged" : "suggested";
  return revision ? "applied" : null;
}

const revisionOf = async (db: Db, jobId: string) =>
  (await db.select({ id: pageRevisions.id }).from(pageRevisions).where(eq(pageRevisions.jobId, jobId)).limit(1))[0];

const suggestionOf = async (db: Db, jobId: string) =>
  (
    await db
      .select({ id: pageSuggestions.id, reason: pageSuggestions.reason, status: pageSuggestions.status })
      .from(pageSuggestions)
      .where(eq(pageSuggestions.jobId, jobId))
      .limit(1)
  )[0];

/** Where a succeeded job's text went: a suggestion, a revision of the page, or nowhere yet. */
export async function resolutionOf(jobId: string): Promise<PageJobView["resolution"]> {
  const db = await getDb();
  // Both looked up at once: each round trip awaited in turn would delay the landing that asks.
  const [suggestion, revision] = await Promise.all([suggestionOf(db, jobId), revisionOf(db, jobId)]);
  return resolutionFrom(suggestion, revision);
}

/**
 * What an ended job's view adds: the page as it is now, the job's open suggestion and, for a succeeded job, where its
 * text went. One statement, so one snapshot: read apart, the page could be read before the landing's commit and the
 * revision after it, and the view would say "applied" beside the page's old text (the editor would then continue
 * from it). One round trip as well, as a live view rebuilds this while the text lands. The job's one suggestion
 * serves both the resolution and the open suggestion.
 */
async function settledPageState(
  job: AiJob,
): Promise<Pick<PageJobView, "page" | "suggestionId" | "suggestionReason" | "resolution">> {
  if (job.status === "pending" || job.status === "running") {
    return { page: null, suggestionId: null, suggestionReason: null, resolution: null };
  }
  const db = await getDb();
  const suggestion = db
    .select({ id: pageSuggestions.id, reason: pageSuggestions.reason, status: pageSuggestions.status })
    .from(pageSuggestions)
    .where(eq(pageSuggestions.jobId, job.id))
    .limit(1)
    .as("job_suggestion");
  const revision = db
    .select({ id: pageRevisions.id })
    .from(pageRevisions)
    .where(eq(pageRevisions.jobId, job.id))
    .limit(1)
    .as("job_revision");
  // From a one-row base: the suggestion and the revision are still read when no page row matches the target.
  const [row] = await db
    .select({
      content: pages.content,
      version: pages.version,
      updatedAt: pages.updatedAt,
      suggestionId: suggestion.id,
      suggestionReason: suggestion.reason,
      suggestionStatus: suggestion.status,
      revisionId: revision.id,
    })
    .from(sql`(select 1) as one`)
    .leftJoin(pages, eq(pages.id, job.targetId))
    .leftJoin(suggestion, sql`true`)
    .leftJoin(revision, sql`true`);
  const page =
    row?.content != null && row.version != null && row.updatedAt != null
      ? { content: row.content, version: row.version, updatedAt: row.updatedAt.toISOString() }
      : null;
  const found = row?.suggestionId
    ? { id: row.suggestionId, reason: row.suggestionReason!, status: row.suggestionStatus! }
    : undefined;
  const open = found?.status === "open" ? found : undefined;
  return {
    page,
    suggestionId: open?.id ?? null,
    suggestionReason: open && open.reason !== "unchanged" ? open.reason : null,
    resolution:
      job.status === "succeeded" ? resolutionFrom(found, row?.revisionId ? { id: row.revisionId } : undefined) : null,
  };
}

export async function toPageJobView(job: AiJob): Promise<PageJobView> {
  const settled = await settledPageState(job);
  return {
    id: job.id,
    status: job.status,
    jobType: job.jobType,
    pageId: job.targetId,
    model: job.model,
    provider: job.provider,
    modelLabel: modelLabel(job.provider, job.model),
    instruction: job.instruction,
    baseVersion: job.baseVersion,
    partialText: job.partialText,
    outputText: job.outputText,
    errorCode: job.errorCode,
    errorMessage: job.errorCode ? jobFailureMessage(job.errorCode, "page") : null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
    ...settled,
    parentJobId: job.parentJobId,
    sections: sectionsOf(job),
    attempt: attemptOf(job),
    reused: job.reusedFrom !== null,
  };
}

function sectionsOf(job: AiJob): PageJobView["sections"] {
  const count = sectionCount(job.promptPayload);
  return count === null ? null : { count, current: null };
}
