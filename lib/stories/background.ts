import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { pages, stories, type Story } from "@/db/schema";
import { pageSuggestions } from "@/db/suggestions-schema";
import type { FanOutPlan } from "@/lib/ai/functions/fan-out-job";
import { cancelFanOut, listChildren, settleFanOutParent } from "@/lib/ai/jobs/fan-out";
import { findActiveJob, getJob } from "@/lib/ai/jobs/ledger";
import { publishJobUpdate } from "@/lib/ai/jobs/live";
import { requestJobCancel } from "@/lib/ai/jobs/queue";
import { submitJob } from "@/lib/ai/jobs/submit";
import { resolveModel } from "@/lib/ai/models";
import { loadTemplate } from "@/lib/ai/prompts";
import { AppError, isAppError, jobFailureMessage } from "@/lib/errors";
import { BACKGROUND_PAGES_MAX, INSTRUCTION_MAX } from "./limits";
import { log } from "@/lib/log";
import { loadOwnedStory } from "./access";
import { requireActor, type Actor } from "./actor";
import { admitWithinLimits } from "./budget";
import { modelLabel, PAGE_TARGET, STORY_SCOPE, writeSuggestion } from "./generation";
import { buildPagePayload, livePageTexts } from "./page-job-input";
import { parseInput } from "./validation";

/**
 * Background revisions: the author picks pages of a story and one instruction; a parent job (`story.revise_pages`,
 * target = the story) fans out one `page_text.revise` child per page (lib/ai/functions/fan-out-job.ts), run under
 * AI_BACKGROUND_CONCURRENCY. Every child's text lands as a suggestion on its page — never written directly — and
 * the author reviews them one by one or with Apply all / Discard all.
 */

export const STORY_TARGET = "story";
export const BACKGROUND_JOB_TYPE = "story.revise_pages" as const;
/** More pages than this in one request is refused: a story this long should be revised in parts. */

const id = z.uuid({ message: "Not a valid id." });

const requestSchema = z.object({
  storyId: id,
  pageIds: z
    .array(id)
    .min(1, "Select at least one page to revise.")
    .max(BACKGROUND_PAGES_MAX, `A background revision can cover at most ${BACKGROUND_PAGES_MAX} pages.`),
  instruction: z
    .string()
    .trim()
    .min(1, "Say how the pages should be revised.")
    .max(INSTRUCTION_MAX, `An instruction can be at most ${INSTRUCTION_MAX} characters.`),
});

/** What the parent job records about its request; the fan-out adds `skipped`. */
interface ParentPayload {
  pageIds: string[];
  skipped?: { targetId: string; reason: string }[];
}

type SkipReason = "busy" | "blank" | "deleted" | "too-long";

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
}

export interface BackgroundRevisionView {
  id: string;
  storyId: string;
  status: AiJob["status"];
  instruction: string;
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

async function pageNumbers(db: Db, storyId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ id: pages.id })
    .from(pages)
    .where(and(eq(pages.storyId, storyId), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
  return new Map(rows.map((r, i) => [r.id, i + 1]));
}

async function toView(db: Db, parent: AiJob): Promise<BackgroundRevisionView> {
  const numbers = await pageNumbers(db, parent.targetId);
  const payload = parent.promptPayload as ParentPayload;
  const children = await listChildren(db, parent.id);
  const suggestions = children.length
    ? await db
        .select({ id: pageSuggestions.id, jobId: pageSuggestions.jobId, status: pageSuggestions.status })
        .from(pageSuggestions)
        .where(inArray(pageSuggestions.jobId, children.map((c) => c.id)))
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
      };
    })
    .sort((a, b) => (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity));
  const count = (...statuses: BackgroundPageView["status"][]) => pageViews.filter((p) => statuses.includes(p.status)).length;
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

/** The parent job, visible to whoever may see its story (NOT_FOUND otherwise, as for a missing id). */
async function loadOwnedRevision(db: Db, actor: Actor, jobId: string): Promise<{ parent: AiJob; story: Story }> {
  const parent = await getJob(db, jobId);
  if (!parent || parent.jobType !== BACKGROUND_JOB_TYPE) throw new AppError("NOT_FOUND", "We couldn't find that background revision.");
  try {
    return { parent, story: await loadOwnedStory(db, actor, parent.targetId) };
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") throw new AppError("NOT_FOUND", "We couldn't find that background revision.");
    throw error;
  }
}

export interface BackgroundRequestOutcome {
  revision: BackgroundRevisionView;
  /** False when the story already had a background revision running: this request joined it. */
  created: boolean;
  message: string;
}

/**
 * Starts a background revision of the chosen pages. Blank pages are refused up front (there is nothing to revise):
 * the author unselects them. A story has at most one background revision at a time (one active job per target):
 * a second request joins the running one and says so.
 */
export async function requestBackgroundRevision(actorOrNull: Actor | null, input: unknown): Promise<BackgroundRequestOutcome> {
  const actor = requireActor(actorOrNull);
  const { storyId, pageIds, instruction } = parseInput(requestSchema, input);
  const db = await getDb();
  const story = await loadOwnedStory(db, actor, storyId);

  const running = await findActiveJob(db, STORY_TARGET, story.id);
  if (running) {
    return {
      revision: await toView(db, running),
      created: false,
      message: "A background revision of this story is already running: it is shown below. Wait for it to finish, or cancel it, before starting another.",
    };
  }

  const live = await db
    .select({ id: pages.id, content: pages.content })
    .from(pages)
    .where(and(eq(pages.storyId, story.id), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
  const wanted = new Set(pageIds);
  const selected = live.filter((p) => wanted.has(p.id));
  if (selected.length !== wanted.size) throw new AppError("NOT_FOUND", "We couldn't find one of the selected pages. It may have been deleted.");
  const blank = live.map((p, i) => ({ ...p, number: i + 1 })).filter((p) => wanted.has(p.id) && p.content.trim() === "");
  if (blank.length > 0) {
    const names = blank.map((p) => p.number).join(", ");
    const message =
      blank.length === 1
        ? `Page ${names} is blank: there is nothing to revise. Unselect it (or write it first).`
        : `Pages ${names} are blank: there is nothing to revise. Unselect them (or write them first).`;
    throw new AppError("VALIDATION", message, { fields: { pageIds: message }, blankPageIds: blank.map((p) => p.id) });
  }

  const model = resolveModel();
  const template = await loadTemplate("page_revise");
  const payload: ParentPayload = { pageIds: selected.map((p) => p.id) };
  const { job, created } = await submitJob(db, {
    jobType: BACKGROUND_JOB_TYPE,
    targetType: STORY_TARGET,
    targetId: story.id,
    scopeType: STORY_SCOPE,
    scopeId: story.id,
    requestedBy: actor.id,
    templateKey: template.key,
    templateVersion: template.version,
    provider: model.provider,
    model: model.modelId,
    instruction,
    promptPayload: payload,
    contextLeftOut: [],
    baseVersion: null,
  }, admitWithinLimits(actor, { jobs: selected.length }));
  const n = selected.length;
  return {
    revision: await toView(db, job),
    created,
    message: created
      ? `Revising ${n} ${n === 1 ? "page" : "pages"} in the background. Each result will wait as a suggestion on its page.`
      : "A background revision of this story is already running: it is shown below.",
  };
}

/**
 * The children of a background revision, built when it runs (lib/stories/functions/revise-story-pages.ts): each
 * selected page revised from the story as it is then. Pages deleted or blanked since the request are skipped.
 */
export async function planBackgroundRevision(parent: AiJob): Promise<FanOutPlan> {
  const db = await getDb();
  const payload = parent.promptPayload as ParentPayload;
  const [story] = await db.select().from(stories).where(eq(stories.id, parent.targetId)).limit(1);
  if (!story) return { children: [], skipped: payload.pageIds.map((targetId) => ({ targetId, reason: "deleted" })) };
  const live = await livePageTexts(db, story.id);
  const template = await loadTemplate(parent.templateKey, parent.templateVersion);
  const budgetTokens = resolveModel().inputBudgetTokens;
  const plan: FanOutPlan = { children: [], skipped: [] };
  for (const pageId of payload.pageIds) {
    const page = live.find((p) => p.id === pageId);
    if (!page) {
      plan.skipped.push({ targetId: pageId, reason: "deleted" });
      continue;
    }
    if (page.content.trim() === "") {
      plan.skipped.push({ targetId: pageId, reason: "blank" });
      continue;
    }
    let built;
    try {
      built = buildPagePayload({
        story,
        ordered: live,
        pageId,
        mode: "revise",
        instruction: parent.instruction,
        templateBody: template.body,
        budgetTokens,
      });
    } catch (error) {
      if (isAppError(error) && error.code === "LIMIT_EXCEEDED") {
        plan.skipped.push({ targetId: pageId, reason: "too-long" });
        continue;
      }
      throw error;
    }
    plan.children.push({
      jobType: "page_text.revise",
      targetType: PAGE_TARGET,
      targetId: pageId,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: parent.requestedBy,
      templateKey: template.key,
      templateVersion: template.version,
      provider: parent.provider,
      model: parent.model,
      instruction: parent.instruction,
      promptPayload: built.payload,
      contextLeftOut: built.contextLeftOut,
      baseVersion: page.version,
    });
  }
  return plan;
}

/**
 * The story's background revision to show: the running one, else the latest one that still has suggestions to
 * review. A running revision whose pages have all ended is settled here too, so progress never spins forever.
 */
export async function getBackgroundRevision(actorOrNull: Actor | null, input: unknown): Promise<BackgroundRevisionView | null> {
  const actor = requireActor(actorOrNull);
  const { storyId, jobId } = parseInput(z.object({ storyId: id, jobId: id.optional() }), input);
  const db = await getDb();
  await loadOwnedStory(db, actor, storyId);
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
  let view = await toView(db, latest);
  // Normally the last page's landing ends the revision; this catches a lost event. A page whose text is in but
  // whose suggestion is still being saved ("finishing") is not finished yet.
  if (latest.status === "running" && view.active === 0) {
    const settled = await settleFanOutParent(db, latest.id);
    if (settled) view = await toView(db, settled);
  }
  const parent = view;
  const active = parent.status === "pending" || parent.status === "running";
  // Asked for by id (the panel following it): always answer. Otherwise only what still needs the author.
  if (jobId || active || view.openSuggestions > 0) return view;
  return null;
}

/** Cancels the revision: pages not finished yet are cancelled; finished pages keep their suggestions. */
export async function cancelBackgroundRevision(actorOrNull: Actor | null, input: unknown): Promise<BackgroundRevisionView> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: id }), input);
  const db = await getDb();
  const { parent } = await loadOwnedRevision(db, actor, jobId);
  const cancelled = await cancelFanOut(db, parent.id);
  if (cancelled) {
    for (const job of [cancelled.parent, ...cancelled.children]) {
      publishJobUpdate({ jobId: job.id, status: "cancelled" });
      try {
        await requestJobCancel(job.id);
      } catch (error) {
        // The ledger already says cancelled; a run sees that at its next step (or its next partial-text flush).
        log("warn", "cancel event not sent", { jobId: job.id, error });
      }
    }
  }
  return toView(db, (await getJob(db, parent.id))!);
}

async function openSuggestionsOf(db: Db, parentJobId: string) {
  return db
    .select({ suggestion: pageSuggestions })
    .from(pageSuggestions)
    .innerJoin(aiJobs, eq(aiJobs.id, pageSuggestions.jobId))
    .where(and(eq(aiJobs.parentJobId, parentJobId), eq(pageSuggestions.status, "open")))
    .orderBy(asc(pageSuggestions.createdAt));
}

export interface ApplyAllOutcome {
  applied: { pageId: string; pageNumber: number | null }[];
  /** Pages edited since the revision read them: their suggestions stay open for the author to compare. */
  stale: { pageId: string; pageNumber: number | null }[];
  revision: BackgroundRevisionView;
}

/**
 * Applies every open suggestion of the revision whose page is still at the version the suggestion was made from
 * (one new `ai` revision each). A page edited meanwhile keeps the author's text; its suggestion stays open.
 */
export async function applyAllSuggestions(actorOrNull: Actor | null, input: unknown): Promise<ApplyAllOutcome> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: id }), input);
  const db = await getDb();
  const { parent } = await loadOwnedRevision(db, actor, jobId);
  const numbers = await pageNumbers(db, parent.targetId);
  const applied: ApplyAllOutcome["applied"] = [];
  const stale: ApplyAllOutcome["stale"] = [];
  for (const { suggestion } of await openSuggestionsOf(db, parent.id)) {
    const where = { pageId: suggestion.pageId, pageNumber: numbers.get(suggestion.pageId) ?? null };
    try {
      // The version check is the write's own: it succeeds only if nobody changed the page since the suggestion.
      await writeSuggestion(db, suggestion, { baseVersion: suggestion.baseVersion, actorId: actor.id });
    } catch (error) {
      if (isAppError(error) && (error.code === "CONFLICT" || error.code === "NOT_FOUND")) {
        // Resolved meanwhile (applied or discarded from another tab): nothing to report for it.
        if (error.code === "CONFLICT" && !error.details?.resolved) stale.push(where);
        continue;
      }
      throw error;
    }
    applied.push(where);
  }
  const byNumber = (a: { pageNumber: number | null }, b: { pageNumber: number | null }) =>
    (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity);
  return { applied: applied.sort(byNumber), stale: stale.sort(byNumber), revision: await toView(db, (await getJob(db, parent.id))!) };
}

/** Discards every open suggestion of the revision; pages keep their text. */
export async function discardAllSuggestions(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<{ discarded: number; revision: BackgroundRevisionView }> {
  const actor = requireActor(actorOrNull);
  const { jobId } = parseInput(z.object({ jobId: id }), input);
  const db = await getDb();
  const { parent } = await loadOwnedRevision(db, actor, jobId);
  const open = await openSuggestionsOf(db, parent.id);
  const discarded = open.length
    ? await db
        .update(pageSuggestions)
        .set({ status: "discarded", resolvedAt: new Date(), resolvedBy: actor.id })
        .where(and(inArray(pageSuggestions.id, open.map((o) => o.suggestion.id)), eq(pageSuggestions.status, "open")))
        .returning({ id: pageSuggestions.id })
    : [];
  return { discarded: discarded.length, revision: await toView(db, (await getJob(db, parent.id))!) };
}
