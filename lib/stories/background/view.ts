import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import type { Story } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import { getJob, listChildren, settleFanOutParent } from "@/lib/ai";
import { AppError, jobFailureMessage } from "@/lib/errors";
import { loadStoryFor, type StoryAction } from "../access";
import { requireActor, type Actor } from "../actor";
import { BACKGROUND_JOB_TYPE, modelLabel, STORY_TARGET } from "../job-kinds";
import { storyPageNumbers } from "../page-numbers";
import { idField, parseInput } from "../validation";
import { jobStepViews, type JobStepView } from "../job-steps";
import type { BackgroundWorkflow, ParentPayload, SkipReason } from "./parent-payload";

const skipMessages: Record<SkipReason, string> = {
  busy: "skipped: already generating",
  blank: "skipped: the page is blank",
  deleted: "skipped: the page was deleted",
  "too-long": "skipped: too long for the AI model's input budget",
};

export interface BackgroundPageView {
  pageId: string;
  /** Where the page is now in the story; null when it was deleted since. */
  pageNumber: number | null;
  jobId: string;
  /** `finishing` = the text is in, its suggestion is being saved. */
  status: AiJob["status"] | "finishing";
  errorCode: string | null;
  errorMessage: string | null;
  suggestionId: string | null;
  suggestionStatus: "open" | "applied" | "discarded" | null;
  /** A chained workflow's steps (Revise, then proofread), each with what it spent; null for one call. */
  steps: JobStepView[] | null;
}

export interface BackgroundRevisionView {
  id: string;
  storyId: string;
  status: AiJob["status"];
  instruction: string;
  /** What each page's job does: revise, or revise then proofread. */
  workflow: BackgroundWorkflow;
  modelLabel: string;
  createdAt: string;
  completedAt: string | null;
  /** Pages being revised (selected minus skipped; before the fan-out, the selection). */
  total: number;
  /** Pages whose job has ended (succeeded with its suggestion saved, failed or cancelled). */
  done: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Pages whose job waits for a slot or is running. */
  active: number;
  openSuggestions: number;
  pages: BackgroundPageView[];
  skipped: { pageId: string; pageNumber: number | null; reason: string; message: string }[];
  failures: { pageId: string; pageNumber: number | null; message: string }[];
}

export async function toBackgroundRevisionView(db: Db, parent: AiJob): Promise<BackgroundRevisionView> {
  const numbers = await storyPageNumbers(db, parent.targetId);
  const payload = parent.promptPayload as ParentPayload;
  const children = await listChildren(db, parent.id);
  const suggestions = children.length
    ? await db
        .select({ id: pageSuggestions.id, jobId: pageSuggestions.jobId, status: pageSuggestions.status })
        .from(pageSuggestions)
        .where(
          inArray(
            pageSuggestions.jobId,
            children.map((c) => c.id),
          ),
        )
    : [];
  const byJob = new Map(suggestions.map((s) => [s.jobId, s]));
  const pageViews: BackgroundPageView[] = children
    .map((c) => {
      const suggestion = byJob.get(c.id);
      return {
        pageId: c.targetId,
        pageNumber: numbers.get(c.targetId) ?? null,
        jobId: c.id,
        status: c.status === "succeeded" && !suggestion ? ("finishing" as const) : c.status,
        errorCode: c.errorCode,
        errorMessage: c.status === "failed" ? jobFailureMessage(c.errorCode, "item") : null,
        suggestionId: suggestion?.id ?? null,
        suggestionStatus: suggestion?.status ?? null,
        steps: jobStepViews(c.steps),
      };
    })
    .sort((a, b) => (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity));
  const count = (...statuses: BackgroundPageView["status"][]) =>
    pageViews.filter((p) => statuses.includes(p.status)).length;
  const skipped = (payload.skipped ?? []).map((s) => ({
    pageId: s.targetId,
    pageNumber: numbers.get(s.targetId) ?? null,
    reason: s.reason,
    message: skipMessages[s.reason as SkipReason] ?? `skipped: ${s.reason}`,
  }));
  return {
    id: parent.id,
    storyId: parent.targetId,
    status: parent.status,
    instruction: parent.instruction,
    workflow: payload.workflow ?? "revise",
    modelLabel: modelLabel(parent.provider, parent.model),
    createdAt: parent.createdAt.toISOString(),
    completedAt: parent.completedAt?.toISOString() ?? null,
    total: parent.status === "pending" && children.length === 0 ? payload.pageIds.length : children.length,
    done: count("succeeded", "failed", "cancelled"),
    succeeded: count("succeeded"),
    failed: count("failed"),
    cancelled: count("cancelled"),
    active: count("pending", "running", "finishing"),
    openSuggestions: pageViews.filter((p) => p.suggestionStatus === "open").length,
    pages: pageViews,
    skipped,
    failures: pageViews
      .filter((p) => p.status === "failed")
      .map((p) => ({ pageId: p.pageId, pageNumber: p.pageNumber, message: p.errorMessage! })),
  };
}

/**
 * The parent job, for whoever may do `action` on its story (NOT_FOUND otherwise, as for a missing id).
 */
export async function loadRevisionFor(
  db: Db,
  actor: Actor,
  action: StoryAction,
  jobId: string,
): Promise<{ parent: AiJob; story: Story }> {
  const parent = await getJob(db, jobId);
  const notFoundMessage = "We couldn't find that background revision.";
  if (!parent || parent.jobType !== BACKGROUND_JOB_TYPE) throw new AppError("NOT_FOUND", notFoundMessage);
  return { parent, story: await loadStoryFor(db, actor, action, parent.targetId, { notFoundMessage }) };
}

/**
 * The story's background revision to show: the running one, else the latest one that still has suggestions to
 * review. A running revision whose pages have all ended is settled here too, so progress never spins forever.
 */
export async function getBackgroundRevision(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<BackgroundRevisionView | null> {
  const actor = requireActor(actorOrNull);
  const { storyId, jobId } = parseInput(z.object({ storyId: idField, jobId: idField.optional() }), input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  const [latest] = await db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.targetType, STORY_TARGET),
        eq(aiJobs.targetId, storyId),
        eq(aiJobs.jobType, BACKGROUND_JOB_TYPE),
        jobId ? eq(aiJobs.id, jobId) : undefined,
      ),
    )
    .orderBy(desc(aiJobs.createdAt), desc(aiJobs.id))
    .limit(1);
  if (!latest) return null;
  let view = await toBackgroundRevisionView(db, latest);
  // Normally the last page's landing ends the revision; this catches a lost event. A page whose text is in but
  // whose suggestion is still being saved ("finishing") is not finished yet.
  if (latest.status === "running" && view.active === 0) {
    const settled = await settleFanOutParent(db, latest.id);
    if (settled) view = await toBackgroundRevisionView(db, settled);
  }
  const parent = view;
  const active = parent.status === "pending" || parent.status === "running";
  // Asked for by id (the panel following it): always answer. Otherwise only what still needs the author.
  if (jobId || active || view.openSuggestions > 0) return view;
  return null;
}
