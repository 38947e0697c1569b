import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { stories } from "@/db/schema";
import {
  cancelFanOutRun,
  findActiveJob,
  getJob,
  listChildren,
  resolveTemplate,
  resolveModel,
  settleFanOutParent,
  submitJob,
  type FanOutPlan,
} from "@/lib/ai";
import { AppError, isAppError, jobFailureMessage } from "@/lib/errors";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { modelLabel, STORY_SCOPE, SUMMARIES_TARGET, SUMMARIZE_ALL_JOB_TYPE } from "../job-kinds";
import { storyPageNumbers } from "../page-numbers";
import { admitWithinLimits } from "../spending-policy";
import { idField, parseInput, storyIdSchema } from "../validation";
import { announceSummariesChanged } from "../rollups/schedule";
import { summaryJobFor, SUMMARY_TEMPLATE_KEY } from "./job";
import { livePagesForSummaries, summariesOf, summaryNeed } from "./state";

/** Summarize all as authors and the REST API see it: progress "done of total", failures per page. */
export interface SummarizeAllView {
  id: string;
  jobType: typeof SUMMARIZE_ALL_JOB_TYPE;
  storyId: string;
  status: AiJob["status"];
  modelLabel: string;
  createdAt: string;
  completedAt: string | null;
  /** Pages being summarised (known once the job has planned them; before that, the pages that needed it then). */
  total: number;
  /** Pages whose summary job has ended (succeeded and landed, failed or cancelled). */
  done: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  active: number;
  skipped: { pageId: string; pageNumber: number | null; reason: string }[];
  failures: { pageId: string; pageNumber: number | null; message: string }[];
}

interface ParentPayload {
  /** Pages that needed a summary when it was requested (the plan looks again when it runs). */
  requested: number;
  skipped?: { targetId: string; reason: string }[];
}

async function toSummarizeAllView(db: Db, parent: AiJob): Promise<SummarizeAllView> {
  const numbers = await storyPageNumbers(db, parent.targetId);
  const payload = parent.promptPayload as ParentPayload;
  const children = await listChildren(db, parent.id);
  // A succeeded child counts as done once its summary has landed (or been discarded): landed_at says so.
  const state = (c: AiJob) => (c.status === "succeeded" && c.landedAt === null ? "active" : c.status);
  const count = (s: string) => children.filter((c) => state(c) === s).length;
  const byNumber = <T extends { pageNumber: number | null }>(a: T, b: T) =>
    (a.pageNumber ?? Infinity) - (b.pageNumber ?? Infinity);
  return {
    id: parent.id,
    jobType: SUMMARIZE_ALL_JOB_TYPE,
    storyId: parent.targetId,
    status: parent.status,
    modelLabel: modelLabel(parent.provider, parent.model),
    createdAt: parent.createdAt.toISOString(),
    completedAt: parent.completedAt?.toISOString() ?? null,
    total: parent.status === "pending" && children.length === 0 ? payload.requested : children.length,
    done: count("succeeded") + count("failed") + count("cancelled"),
    succeeded: count("succeeded"),
    failed: count("failed"),
    cancelled: count("cancelled"),
    active: count("pending") + count("running") + count("active"),
    skipped: (payload.skipped ?? [])
      .map((s) => ({ pageId: s.targetId, pageNumber: numbers.get(s.targetId) ?? null, reason: s.reason }))
      .sort(byNumber),
    failures: children
      .filter((c) => c.status === "failed")
      .map((c) => ({
        pageId: c.targetId,
        pageNumber: numbers.get(c.targetId) ?? null,
        message: jobFailureMessage(c.errorCode, "item"),
      }))
      .sort(byNumber),
  };
}

/** The pages of a story whose summary is missing or stale and not pinned, in reading order. */
async function pagesToSummarize(db: Db, storyId: string) {
  const ordered = await livePagesForSummaries(db, storyId);
  const summaries = await summariesOf(
    db,
    ordered.map((p) => p.id),
  );
  const due = ordered.filter((p) => {
    const need = summaryNeed(p, summaries.get(p.id));
    return need === "missing" || need === "stale";
  });
  return { ordered, summaries, due };
}

export interface SummarizeAllOutcome {
  job: SummarizeAllView;
  /** False when Summarize all was already running for the story: this request joined it. */
  created: boolean;
}

/**
 * Brings every page's summary up to date in the background: one parent job per story (a second request joins the
 * running one), one `page.summarize` child per page whose summary is missing or stale; pinned summaries and blank
 * pages are left alone. A request, so it is admitted against the requester's budget and rate like any other.
 */
export async function requestSummarizeAll(actorOrNull: Actor | null, input: unknown): Promise<SummarizeAllOutcome> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(storyIdSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "generate", storyId);
  const running = await findActiveJob(db, SUMMARIES_TARGET, story.id);
  if (running) return { job: await toSummarizeAllView(db, running), created: false };
  const { due } = await pagesToSummarize(db, story.id);
  const model = resolveModel(process.env, { task: "summary" });
  const template = await resolveTemplate(SUMMARY_TEMPLATE_KEY);
  const payload: ParentPayload = { requested: due.length };
  const { job, created } = await submitJob(
    db,
    {
      jobType: SUMMARIZE_ALL_JOB_TYPE,
      targetType: SUMMARIES_TARGET,
      targetId: story.id,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: actor.id,
      templateKey: template.key,
      templateVersion: template.version,
      provider: model.provider,
      model: model.modelId,
      instruction: "",
      promptPayload: payload,
      contextLeftOut: [],
      baseVersion: null,
    },
    admitWithinLimits(actor, { jobs: due.length }),
  );
  return { job: await toSummarizeAllView(db, job), created };
}

/** The children of Summarize all, planned from the story as it is when the job runs. */
export async function planSummarizeAll(parent: AiJob): Promise<FanOutPlan> {
  const db = await getDb();
  const [story] = await db.select().from(stories).where(eq(stories.id, parent.targetId)).limit(1);
  if (!story) return { children: [], skipped: [] };
  const { ordered, summaries, due } = await pagesToSummarize(db, story.id);
  // Every summary is current already: the roll-ups may still be missing or stale (each summary that lands otherwise
  // announces itself, and the roll-ups follow the last one).
  if (due.length === 0) await announceSummariesChanged(story.id, parent.requestedBy);
  const template = await resolveTemplate(parent.templateKey, parent.templateVersion);
  const model = { ...resolveModel(process.env, { task: "summary" }), provider: parent.provider, modelId: parent.model };
  return {
    children: due.map((page) =>
      summaryJobFor({ story, ordered, summaries, page, requestedBy: parent.requestedBy, template, model }),
    ),
    skipped: [],
  };
}

const notFound = () => new AppError("NOT_FOUND", "We couldn't find that job.");

/**
 * The story's Summarize all to show: the one asked for by id, else the latest. A running one whose pages have all
 * ended is settled here too (a lost event), so its progress never spins forever. Null when there never was one.
 */
export async function getSummarizeAll(actorOrNull: Actor | null, input: unknown): Promise<SummarizeAllView | null> {
  const actor = requireActor(actorOrNull);
  const { storyId, jobId } = parseInput(z.object({ storyId: idField, jobId: idField.optional() }), input);
  const db = await getDb();
  await loadStoryFor(db, actor, "read", storyId);
  const [latest] = await db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.targetType, SUMMARIES_TARGET),
        eq(aiJobs.targetId, storyId),
        eq(aiJobs.jobType, SUMMARIZE_ALL_JOB_TYPE),
        jobId ? eq(aiJobs.id, jobId) : undefined,
      ),
    )
    .orderBy(desc(aiJobs.createdAt), desc(aiJobs.id))
    .limit(1);
  if (!latest) {
    if (jobId) throw notFound();
    return null;
  }
  let view = await toSummarizeAllView(db, latest);
  if (latest.status === "running" && view.active === 0) {
    const settled = await settleFanOutParent(db, latest.id);
    if (settled) view = await toSummarizeAllView(db, settled);
  }
  return view;
}

/** Summarize all by job id (the REST job endpoints), for whoever may read its story; NOT_FOUND otherwise. */
export async function getSummarizeAllJob(actor: Actor, jobId: string): Promise<SummarizeAllView> {
  const db = await getDb();
  const job = await getJob(db, jobId);
  if (!job || job.jobType !== SUMMARIZE_ALL_JOB_TYPE) throw notFound();
  try {
    const view = await getSummarizeAll(actor, { storyId: job.targetId, jobId });
    if (!view) throw notFound();
    return view;
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") throw notFound();
    throw error;
  }
}

/** Cancels Summarize all: pages not summarised yet are cancelled; summaries already written stay. */
export async function cancelSummarizeAllJob(actor: Actor, jobId: string): Promise<SummarizeAllView> {
  const db = await getDb();
  const view = await getSummarizeAllJob(actor, jobId);
  await loadStoryFor(db, actor, "generate", view.storyId);
  await cancelFanOutRun(db, jobId);
  return getSummarizeAllJob(actor, jobId);
}
