import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { isUniqueViolation } from "@/db/errors";
import { pageRevisions, pages, stories } from "@/db/schema";
import { pageSuggestions, type PageSuggestion } from "@/db/suggestions-schema";
import { settleFanOutParent } from "@/lib/ai/jobs/fan-out";
import { findActiveJob, getJob, markCancelled } from "@/lib/ai/jobs/ledger";
import { requestJobCancel } from "@/lib/ai/jobs/queue";
import { submitJob } from "@/lib/ai/jobs/submit";
import { resolveModel } from "@/lib/ai/models";
import { loadTemplate } from "@/lib/ai/prompts";
import { AppError, jobFailureMessage } from "@/lib/errors";
import { log } from "@/lib/log";
import { loadOwnedPage, loadOwnedStory } from "./access";
import { requireActor, type Actor } from "./actor";
import { admitWithinLimits } from "./budget";
import { writePageContent } from "./pages";
import { buildPagePayload, livePageTexts } from "./page-job-input";
import { INSTRUCTION_MAX } from "./limits";
import { parseInput } from "./validation";

export const PAGE_TARGET = "page";
export const STORY_SCOPE = "story";

export const pageTextRequestSchema = z.object({
  pageId: z.uuid({ message: "Not a valid id." }),
  /** Omitted: a blank page is written, a page with text is revised. */
  mode: z.enum(["write", "revise"]).optional(),
  instruction: z
    .string()
    .trim()
    .max(INSTRUCTION_MAX, `An instruction can be at most ${INSTRUCTION_MAX} characters.`)
    .default(""),
});

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
  /** How the result landed: written into the page, kept as a suggestion, or not yet known. */
  resolution: "applied" | "suggested" | null;
  /** The page as it is now, once the job has settled, so the editor can continue from the right version. */
  page: { content: string; version: number; updatedAt: string } | null;
  /** The open suggestion this job left, when the page had changed meanwhile. */
  suggestionId: string | null;
  /** Set when the job is one page of a background revision: its text always lands as a suggestion. */
  parentJobId: string | null;
}

export function modelLabel(provider: string, model: string): string {
  return provider === "offline" ? "offline model" : model;
}

async function resolutionOf(jobId: string): Promise<PageJobView["resolution"]> {
  const db = await getDb();
  const [suggestion] = await db.select({ id: pageSuggestions.id }).from(pageSuggestions).where(eq(pageSuggestions.jobId, jobId)).limit(1);
  if (suggestion) return "suggested";
  const [revision] = await db.select({ id: pageRevisions.id }).from(pageRevisions).where(eq(pageRevisions.jobId, jobId)).limit(1);
  return revision ? "applied" : null;
}

async function settledPageState(job: AiJob): Promise<Pick<PageJobView, "page" | "suggestionId">> {
  if (job.status === "pending" || job.status === "running") return { page: null, suggestionId: null };
  const db = await getDb();
  const [page] = await db
    .select({ content: pages.content, version: pages.version, updatedAt: pages.updatedAt })
    .from(pages)
    .where(eq(pages.id, job.targetId))
    .limit(1);
  const [suggestion] = await db
    .select({ id: pageSuggestions.id })
    .from(pageSuggestions)
    .where(and(eq(pageSuggestions.jobId, job.id), eq(pageSuggestions.status, "open")))
    .limit(1);
  return {
    page: page ? { content: page.content, version: page.version, updatedAt: page.updatedAt.toISOString() } : null,
    suggestionId: suggestion?.id ?? null,
  };
}

export async function toPageJobView(job: AiJob): Promise<PageJobView> {
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
    resolution: job.status === "succeeded" ? await resolutionOf(job.id) : null,
    ...(await settledPageState(job)),
    parentJobId: job.parentJobId,
  };
}

/**
 * Asks the AI to write (blank page) or revise (page with text) one page. Checks ownership and limits, builds the
 * whole-story payload fitted to the model's budget, records a pending job and only then sends the event: the row is
 * the outbox, and a sweeper re-sends jobs whose event never left. A second request for the same page joins the
 * running job instead of starting another.
 */
export async function requestPageText(
  actorOrNull: Actor | null,
  input: unknown,
  /** Internal: set by retryJob so the new job links to the one it repeats. */
  options: { retryOf?: string } = {},
): Promise<PageJobView> {
  return (await requestPageTextOutcome(actorOrNull, input, options)).job;
}

/** requestPageText, also saying whether a job was created or a running one joined (the REST API reports it). */
export async function requestPageTextOutcome(
  actorOrNull: Actor | null,
  input: unknown,
  options: { retryOf?: string } = {},
): Promise<{ job: PageJobView; created: boolean }> {
  const actor = requireActor(actorOrNull);
  const { pageId, mode: requestedMode, instruction } = parseInput(pageTextRequestSchema, input);
  const db = await getDb();
  const { page, story } = await loadOwnedPage(db, actor, pageId);

  const running = await findActiveJob(db, PAGE_TARGET, page.id);
  if (running) return { job: await toPageJobView(running), created: false };

  const mode = requestedMode ?? (page.content.trim() === "" ? "write" : "revise");
  if (mode === "revise" && page.content.trim() === "") {
    throw new AppError("VALIDATION", "This page is blank: there is nothing to revise. Use Generate to write it.");
  }
  const ordered = await livePageTexts(db, story.id);
  const model = resolveModel();
  const template = await loadTemplate(mode === "write" ? "page_write" : "page_revise");
  const built = buildPagePayload({
    story,
    ordered,
    pageId: page.id,
    mode,
    instruction,
    templateBody: template.body,
    budgetTokens: model.inputBudgetTokens,
  });
  const { job, created } = await submitJob(db, {
    jobType: mode === "write" ? "page_text.write" : "page_text.revise",
    targetType: PAGE_TARGET,
    targetId: page.id,
    scopeType: STORY_SCOPE,
    scopeId: story.id,
    requestedBy: actor.id,
    templateKey: template.key,
    templateVersion: template.version,
    provider: model.provider,
    model: model.modelId,
    instruction,
    promptPayload: built.payload,
    contextLeftOut: built.contextLeftOut,
    baseVersion: page.version,
    retryOf: options.retryOf ?? null,
  }, admitWithinLimits(actor));
  return { job: await toPageJobView(job), created };
}

async function loadPageJob(actor: Actor, jobId: string): Promise<AiJob> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || job.targetType !== PAGE_TARGET) throw new AppError("NOT_FOUND", "We couldn't find that job.");
  // The job is visible to whoever may see its page; a job of a deleted page is still the owner's to look at.
  await loadOwnedPage(db, actor, job.targetId, { includeDeleted: true });
  return job;
}

export async function getPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: z.uuid({ message: "Not a valid id." }) }), input);
  return toPageJobView(await loadPageJob(actor, jobId));
}

/** The running (or latest) job of a page, so that a reload or another tab picks it up. */
export async function getLatestPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView | null> {
  const actor = requireActor(actorOrNull);
  const { pageId } = parseInput(z.object({ pageId: z.uuid({ message: "Not a valid id." }) }), input);
  const db = await getDb();
  await loadOwnedPage(db, actor, pageId);
  const active = await findActiveJob(db, PAGE_TARGET, pageId);
  return active ? toPageJobView(active) : null;
}

export async function cancelPageJob(actorOrNull: Actor | null, input: unknown): Promise<PageJobView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: z.uuid({ message: "Not a valid id." }) }), input);
  const job = await loadPageJob(actor, jobId);
  const db = await getDb();
  const cancelled = await markCancelled(db, job.id);
  // Cancelling one page of a background revision may end the revision; no run reports a cancelled job.
  if (cancelled?.parentJobId) await settleFanOutParent(db, cancelled.parentJobId);
  if (cancelled) {
    try {
      await requestJobCancel(job.id);
    } catch (error) {
      // The ledger already says cancelled; the run's next step sees that and stops.
      log("warn", "cancel event not sent", { jobId: job.id, error });
    }
  }
  return toPageJobView(cancelled ?? (await getJob(db, job.id))!);
}

async function storyOwnerOf(db: Db, storyId: string): Promise<string | null> {
  const [story] = await db.select({ ownerId: stories.ownerId }).from(stories).where(eq(stories.id, storyId)).limit(1);
  return story?.ownerId ?? null;
}

/**
 * Lands a succeeded job's text on its page: written as an `ai` revision when the page is still at the version the
 * job started from, otherwise kept as a suggestion for the author. Safe to run twice (Inngest may repeat a step).
 */
export async function applyPageJobResult(jobId: string): Promise<"applied" | "suggested" | "skipped"> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || job.targetType !== PAGE_TARGET || job.status !== "succeeded" || job.outputText === null) return "skipped";
  const already = await resolutionOf(job.id);
  if (already) return already;
  const [page] = await db.select().from(pages).where(eq(pages.id, job.targetId)).limit(1);
  if (!page) return "skipped";
  // A background revision's pages wait for review (lib/stories/background.ts), and so does a retry started by someone
  // other than the story's owner (an admin on the job history, who is not looking at the page): the author chooses.
  // Generate pressed in the editor writes directly, whoever pressed it, like Save.
  if (
    job.parentJobId === null &&
    !page.deletedAt &&
    job.baseVersion !== null &&
    page.version === job.baseVersion &&
    (job.retryOf === null || job.requestedBy === (await storyOwnerOf(db, page.storyId)))
  ) {
    try {
      await writePageContent(db, {
        pageId: page.id,
        content: job.outputText,
        baseVersion: job.baseVersion,
        authorId: job.requestedBy,
        source: "ai",
        jobId: job.id,
      });
      return "applied";
    } catch (error) {
      if (!(error instanceof AppError && error.code === "CONFLICT") && !isUniqueViolation(error)) throw error;
      if (isUniqueViolation(error)) return "applied";
    }
  }
  try {
    await db.insert(pageSuggestions).values({
      pageId: page.id,
      jobId: job.id,
      content: job.outputText,
      baseVersion: job.baseVersion ?? page.version,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return "suggested";
}

export async function listOpenSuggestions(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<(PageSuggestion & { parentJobId: string | null })[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(z.object({ storyId: z.uuid({ message: "Not a valid id." }) }), input);
  const db = await getDb();
  await loadOwnedStory(db, actor, storyId);
  const rows = await db
    .select({ suggestion: pageSuggestions, parentJobId: aiJobs.parentJobId })
    .from(pageSuggestions)
    .innerJoin(pages, eq(pages.id, pageSuggestions.pageId))
    .innerJoin(aiJobs, eq(aiJobs.id, pageSuggestions.jobId))
    .where(and(eq(pages.storyId, storyId), eq(pageSuggestions.status, "open"), isNull(pages.deletedAt)))
    .orderBy(desc(pageSuggestions.createdAt));
  return rows.map((r) => ({ ...r.suggestion, parentJobId: r.parentJobId }));
}

const suggestionActionSchema = z.object({
  suggestionId: z.uuid({ message: "Not a valid id." }),
  baseVersion: z.number().int().min(1).optional(),
});

async function loadOwnedSuggestion(actor: Actor, suggestionId: string): Promise<PageSuggestion> {
  const db = await getDb();
  const [suggestion] = await db.select().from(pageSuggestions).where(eq(pageSuggestions.id, suggestionId)).limit(1);
  if (!suggestion) throw new AppError("NOT_FOUND", "We couldn't find that suggestion.");
  await loadOwnedPage(db, actor, suggestion.pageId);
  return suggestion;
}

export const SUGGESTION_RESOLVED_MESSAGE = "This suggestion was already applied or discarded.";

/**
 * Writes a suggestion's text as an `ai` revision at `baseVersion` and marks the suggestion applied, in one
 * transaction: a crash or a concurrent Apply/Discard can never leave the text written with the suggestion still
 * open (or the other way round). A suggestion resolved meanwhile is a CONFLICT with `details.resolved`.
 */
export async function writeSuggestion(
  db: Db,
  suggestion: Pick<PageSuggestion, "id" | "pageId" | "jobId" | "content">,
  args: { baseVersion: number; actorId: string },
) {
  return writePageContent(
    db,
    { pageId: suggestion.pageId, content: suggestion.content, baseVersion: args.baseVersion, authorId: args.actorId, source: "ai", jobId: suggestion.jobId },
    async (tx) => {
      const [marked] = await tx
        .update(pageSuggestions)
        .set({ status: "applied", resolvedAt: new Date(), resolvedBy: args.actorId })
        .where(and(eq(pageSuggestions.id, suggestion.id), eq(pageSuggestions.status, "open")))
        .returning({ id: pageSuggestions.id });
      if (!marked) throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE, { resolved: true });
    },
  );
}

/** Applies a suggestion as a new `ai` revision on top of the page's current version (the author chose it). */
export async function applySuggestion(actorOrNull: Actor | null, input: unknown) {
  const actor = requireActor(actorOrNull);
  const { suggestionId, baseVersion } = parseInput(suggestionActionSchema, input);
  const suggestion = await loadOwnedSuggestion(actor, suggestionId);
  if (suggestion.status !== "open") throw new AppError("CONFLICT", SUGGESTION_RESOLVED_MESSAGE);
  const db = await getDb();
  const { page } = await loadOwnedPage(db, actor, suggestion.pageId);
  return writeSuggestion(db, suggestion, { baseVersion: baseVersion ?? page.version, actorId: actor.id });
}

export async function discardSuggestion(actorOrNull: Actor | null, input: unknown): Promise<void> {
  const actor = requireActor(actorOrNull);
  const { suggestionId } = parseInput(suggestionActionSchema, input);
  const suggestion = await loadOwnedSuggestion(actor, suggestionId);
  const db = await getDb();
  await db
    .update(pageSuggestions)
    .set({ status: "discarded", resolvedAt: new Date(), resolvedBy: actor.id })
    .where(and(eq(pageSuggestions.id, suggestion.id), eq(pageSuggestions.status, "open")));
}

/** Active jobs of a story's pages, so that a reload or a second tab shows them still running. */
export async function listActivePageJobs(actorOrNull: Actor | null, input: unknown): Promise<PageJobView[]> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(z.object({ storyId: z.uuid({ message: "Not a valid id." }) }), input);
  const db = await getDb();
  await loadOwnedStory(db, actor, storyId);
  const rows = await db
    .select({ job: aiJobs })
    .from(aiJobs)
    .innerJoin(pages, and(eq(aiJobs.targetType, PAGE_TARGET), eq(pages.id, aiJobs.targetId)))
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt), inArray(aiJobs.status, ["pending", "running"])));
  return Promise.all(rows.map((r) => toPageJobView(r.job)));
}

/**
 * Undo of an AI write: brings back the text from before the job, as a new revision. Refused with CONFLICT when the
 * page was edited after the AI wrote it (the history panel can still restore any version).
 */
export async function undoPageJob(actorOrNull: Actor | null, input: unknown) {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: z.uuid({ message: "Not a valid id." }) }), input);
  const job = await loadPageJob(actor, jobId);
  const db = await getDb();
  const [written] = await db.select().from(pageRevisions).where(eq(pageRevisions.jobId, job.id)).limit(1);
  if (!written) throw new AppError("NOT_FOUND", "This AI text was not written into the page, so there is nothing to undo.");
  const [previous] = await db
    .select()
    .from(pageRevisions)
    .where(and(eq(pageRevisions.pageId, written.pageId), eq(pageRevisions.version, written.version - 1)))
    .limit(1);
  if (!previous) throw new AppError("NOT_FOUND", "The text from before the AI wrote this page was not found.");
  return writePageContent(db, {
    pageId: written.pageId,
    content: previous.content,
    baseVersion: written.version,
    authorId: actor.id,
    source: "human",
  });
}
