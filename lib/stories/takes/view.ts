import { and, desc, eq, isNull, ne } from "drizzle-orm";
import type { Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import type { Page, Story } from "@/db/schema";
import { getJob, listChildren } from "@/lib/ai";
import { AppError, jobFailureMessage, type JobErrorCode } from "@/lib/errors";
import { loadPageFor, type StoryAction } from "../access";
import type { Actor } from "../actor";
import { modelLabel, PAGE_TARGET, TAKES_JOB_TYPE } from "../job-kinds";
import type { TakeSetPayload } from "./payload";

/** One take as the page and the REST API show it. */
export interface TakeView {
  id: string;
  /** 1-based position in its set, in the order the takes were asked for. */
  number: number;
  status: AiJob["status"];
  /** The text so far while it is written, then the whole take. */
  text: string;
  temperature: number | null;
  seed: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  startedAt: string | null;
  completedAt: string | null;
  /** Elapsed time of a finished take (running ones count from `startedAt`). */
  elapsedMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  chosen: boolean;
  discarded: boolean;
}

/**
 * A take set. `state`: `writing` while a take is still being written, `ready` when they are all done and the author
 * has not chosen, `chosen` once one landed, `dismissed` when the author cancelled the set.
 */
export interface TakeSetView {
  id: string;
  jobType: typeof TAKES_JOB_TYPE;
  pageId: string;
  storyId: string;
  status: AiJob["status"];
  state: "writing" | "ready" | "chosen" | "dismissed";
  mode: "write" | "revise";
  instruction: string;
  modelLabel: string;
  baseVersion: number | null;
  takes: TakeView[];
  chosenTakeId: string | null;
  /** How the chosen take landed: written into the page, or kept as a suggestion (the page changed meanwhile). */
  landing: "applied" | "suggested" | "unchanged" | null;
  createdAt: string;
}

const isActive = (job: Pick<AiJob, "status">) => job.status === "pending" || job.status === "running";

export function toTakeView(job: AiJob, number: number, chosenTakeId: string | null): TakeView {
  const elapsedFrom = job.startedAt ?? job.createdAt;
  return {
    id: job.id,
    number,
    status: job.status,
    text: job.outputText ?? job.partialText ?? "",
    temperature: job.sampling?.temperature ?? null,
    seed: job.sampling?.seed ?? null,
    inputTokens: job.inputTokens,
    outputTokens: job.outputTokens,
    costUsd: job.costUsd === null ? null : Number(job.costUsd),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
    elapsedMs: job.completedAt ? job.completedAt.getTime() - elapsedFrom.getTime() : null,
    errorCode: job.errorCode,
    errorMessage:
      job.status === "failed" && job.errorCode ? jobFailureMessage(job.errorCode as JobErrorCode, "item") : null,
    chosen: job.id === chosenTakeId,
    discarded: job.discardedAt !== null,
  };
}

/** The set with its takes (read from the ledger: the children, in the order they were asked for). */
export async function toTakeSetView(db: Db, set: AiJob, children?: readonly AiJob[]): Promise<TakeSetView> {
  const payload = set.promptPayload as TakeSetPayload;
  // In the order they were asked for: the set's own takes as its payload lists them (they share one creation time),
  // then each "another take" by its creation.
  const order = new Map(payload.takes.map((t, i) => [t.takeId, i]));
  const rank = (job: AiJob) => order.get(job.targetId) ?? payload.takes.length;
  const takes = [...(children ?? (await listChildren(db, set.id)))].sort(
    (x, y) => rank(x) - rank(y) || x.createdAt.getTime() - y.createdAt.getTime(),
  );
  const chosenTakeId = payload.chosen?.takeJobId ?? null;
  const state: TakeSetView["state"] = chosenTakeId
    ? "chosen"
    : set.discardedAt !== null || set.status === "cancelled"
      ? "dismissed"
      : takes.some(isActive) || isActive(set)
        ? "writing"
        : "ready";
  return {
    id: set.id,
    jobType: TAKES_JOB_TYPE,
    pageId: set.targetId,
    storyId: set.scopeId ?? "",
    status: set.status,
    state,
    mode: payload.mode,
    instruction: set.instruction,
    modelLabel: modelLabel(set.provider, set.model),
    baseVersion: set.baseVersion,
    takes: takes.map((take, i) => toTakeView(take, i + 1, chosenTakeId)),
    chosenTakeId,
    landing: (payload.chosen?.landing as TakeSetView["landing"]) ?? null,
    createdAt: set.createdAt.toISOString(),
  };
}

/**
 * A take set and its page for `action` on the page's story. Another author's set answers NOT_FOUND, exactly like a
 * missing one (loadPageFor), so set ids do not leak.
 */
export async function loadTakeSetFor(
  db: Db,
  actor: Actor,
  action: StoryAction,
  setId: string,
): Promise<{ set: AiJob; page: Page; story: Story }> {
  const notFoundMessage = "We couldn't find that take set.";
  const set = await getJob(db, setId);
  if (!set || set.jobType !== TAKES_JOB_TYPE || set.targetType !== PAGE_TARGET)
    throw new AppError("NOT_FOUND", notFoundMessage);
  const { page, story } = await loadPageFor(db, actor, action, set.targetId, { includeDeleted: true, notFoundMessage });
  return { set, page, story };
}

/**
 * The page's open take set: the newest one neither chosen, dismissed nor cancelled — still being written, or waiting
 * for the author's choice. One per page: a new request joins it.
 */
export async function findOpenTakeSet(db: Db, pageId: string): Promise<AiJob | undefined> {
  const [set] = await db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.jobType, TAKES_JOB_TYPE),
        eq(aiJobs.targetType, PAGE_TARGET),
        eq(aiJobs.targetId, pageId),
        isNull(aiJobs.discardedAt),
        ne(aiJobs.status, "cancelled"),
      ),
    )
    .orderBy(desc(aiJobs.createdAt))
    .limit(1);
  // A set is only ever started when the page has no open one, so the newest set not dismissed is the only candidate.
  if (!set) return undefined;
  return (set.promptPayload as TakeSetPayload).chosen ? undefined : set;
}
