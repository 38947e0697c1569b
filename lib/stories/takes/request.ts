import { z } from "zod";
import { getDb, type Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import type { Page, Story } from "@/db/schema";
import {
  createChildJob,
  createOrJoinJob,
  enqueueJob,
  findActiveJob,
  loadTemplate,
  lockRequester,
  publishJobUpdate,
  resolveModel,
  type NewJob,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { loadPageFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { PAGE_TARGET, STORY_SCOPE, TAKE_JOB_TYPE, TAKE_TARGET, TAKES_JOB_TYPE } from "../job-kinds";
import { INSTRUCTION_MAX, limits } from "../limits";
import { loadPagePromptInput } from "../page-job-input";
import { buildPageTextPrompt } from "../page-jobs/page-prompt";
import { assertCanRequestAi } from "../spending-policy";
import { idField, parseInput } from "../validation";
import { newBaseSeed, samplingFor, type TakeSampling, type TakeSetPayload } from "./payload";
import { findOpenTakeSet, toTakeSetView, type TakeSetView } from "./view";

export const takesRequestSchema = z.object({
  pageId: idField,
  count: z
    .number({ message: "Say how many takes to write (a whole number)." })
    .int("Say how many takes to write (a whole number).")
    .min(limits.takesMin, `Ask for at least ${limits.takesMin} takes.`)
    .max(limits.takesMax, `Ask for at most ${limits.takesMax} takes at once.`)
    .default(limits.takesDefault),
  /** Omitted: a blank page is written, a page with text is revised. */
  mode: z.enum(["write", "revise"]).optional(),
  instruction: z
    .string()
    .trim()
    .max(INSTRUCTION_MAX, `An instruction can be at most ${INSTRUCTION_MAX} characters.`)
    .default(""),
});

export interface TakesRequestOutcome {
  set: TakeSetView;
  /** False when the page already had an open take set: this request joined it. */
  created: boolean;
}

/** One take's job, built from the page's prompt (the same prompt for every take; only the sampling differs). */
export interface TakePrompt {
  mode: "write" | "revise";
  template: { key: string; version: number };
  provider: string;
  model: string;
  payload: unknown;
  contextLeftOut: unknown[];
  estimatedTokens: number;
  baseVersion: number;
}

/**
 * The prompt every take of a page shares: the whole-story prompt of Generate. A page too long for one prompt (which
 * Generate revises section by section) is refused: takes of a sectioned revision would multiply its many calls.
 */
export async function buildTakePrompt(
  db: Db,
  story: Story,
  page: Page,
  mode: "write" | "revise",
  instruction: string,
): Promise<TakePrompt> {
  const { ordered, memory } = await loadPagePromptInput(db, story.id);
  const model = resolveModel();
  const built = await buildPageTextPrompt({
    story,
    ordered,
    memory,
    pageId: page.id,
    mode,
    instruction,
    template: await loadTemplate(mode === "write" ? "page_write" : "page_revise"),
    model,
  });
  if (built.kind !== "whole")
    throw new AppError(
      "LIMIT_EXCEEDED",
      "This page is too long for takes: use Generate, which revises a long page section by section.",
    );
  return {
    mode,
    template: { key: built.template.key, version: built.template.version },
    provider: model.provider,
    model: model.modelId,
    payload: built.payload,
    contextLeftOut: built.contextLeftOut,
    estimatedTokens: built.estimatedTokens,
    baseVersion: page.version,
  };
}

export function takeJob(
  set: Pick<AiJob, "requestedBy" | "instruction" | "scopeId">,
  prompt: TakePrompt,
  takeId: string,
  sampling: TakeSampling,
): Omit<NewJob, "parentJobId"> {
  return {
    jobType: TAKE_JOB_TYPE,
    targetType: TAKE_TARGET,
    targetId: takeId,
    scopeType: STORY_SCOPE,
    scopeId: set.scopeId,
    requestedBy: set.requestedBy,
    templateKey: prompt.template.key,
    templateVersion: prompt.template.version,
    provider: prompt.provider,
    model: prompt.model,
    instruction: set.instruction,
    promptPayload: prompt.payload,
    contextLeftOut: prompt.contextLeftOut,
    baseVersion: prompt.baseVersion,
    sampling,
  };
}

/**
 * Generate takes: 2–4 takes of the page's Generate request, written in parallel. The set is admitted whole or not at
 * all (every take counts against the rate limit, and the token budget must cover every take's prompt), and the set
 * and its takes are recorded in one transaction under the requester's admission lock. One open set per page: a
 * request while one is being written or waits for a choice joins it. A page with another text job running (Generate,
 * a background page) answers CONFLICT. Takes never come from a cache: each is its own model call.
 */
export async function requestTakes(actorOrNull: Actor | null, input: unknown): Promise<TakesRequestOutcome> {
  const actor = requireActor(actorOrNull);
  const { pageId, count, mode: requestedMode, instruction } = parseInput(takesRequestSchema, input);
  const db = await getDb();
  const { page, story } = await loadPageFor(db, actor, "generate", pageId);

  const joined = await openOrBusy(db, page.id);
  if (joined) return { set: await toTakeSetView(db, joined), created: false };

  const mode = requestedMode ?? (page.content.trim() === "" ? "write" : "revise");
  if (mode === "revise" && page.content.trim() === "")
    throw new AppError("VALIDATION", "This page is blank: there is nothing to revise. Ask for takes that write it.");
  const prompt = await buildTakePrompt(db, story, page, mode, instruction);
  const baseSeed = newBaseSeed();
  const takes = Array.from({ length: count }, (_v, i) => ({
    takeId: crypto.randomUUID(),
    ...samplingFor(i, baseSeed),
  }));
  const payload: TakeSetPayload = { pageId: page.id, mode, baseSeed, takes, chosen: null };

  const outcome = await db.transaction(async (tx) => {
    await lockRequester(tx, actor.id);
    // A request that waited for the lock may find the set it raced with: it joins it.
    const raced = await openOrBusy(tx, page.id);
    if (raced) return { set: raced, children: null };
    await assertCanRequestAi(tx, actor, {
      jobs: count,
      requests: count,
      tokens: count * prompt.estimatedTokens,
      skipUsageWhenUnlimited: true,
    });
    const { job: set } = await createOrJoinJob(tx, {
      jobType: TAKES_JOB_TYPE,
      targetType: PAGE_TARGET,
      targetId: page.id,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: actor.id,
      templateKey: prompt.template.key,
      templateVersion: prompt.template.version,
      provider: prompt.provider,
      model: prompt.model,
      instruction,
      promptPayload: payload,
      contextLeftOut: [],
      baseVersion: page.version,
    });
    const children: AiJob[] = [];
    for (const take of takes) {
      const { takeId, ...sampling } = take;
      children.push((await createChildJob(tx, set.id, takeJob(set, prompt, takeId, sampling))).job);
    }
    return { set, children };
  });
  if (!outcome.children) return { set: await toTakeSetView(db, outcome.set), created: false };
  await announce(outcome.set);
  // The takes exist already: they start now rather than after the set's fan-out run (an engine function run and
  // its round trips ahead of every take). The fan-out sends them again under the same event ids, which the engine
  // drops, and a take that ends before the set is marked running is counted by the fan-out's own settle step.
  await Promise.all(outcome.children.map(announce));
  return { set: await toTakeSetView(db, outcome.set, outcome.children), created: true };
}

/** The page's open set (joined), or CONFLICT when another text job runs on the page. */
async function openOrBusy(db: Db, pageId: string): Promise<AiJob | undefined> {
  const active = await findActiveJob(db, PAGE_TARGET, pageId);
  if (active && active.jobType !== TAKES_JOB_TYPE)
    throw new AppError("CONFLICT", "The AI is already working on this page. Wait for it to finish, or cancel it.", {
      activeJobId: active.id,
    });
  return active ?? (await findOpenTakeSet(db, pageId));
}

/** Hands a committed job to Inngest; when the send fails the row stays pending and the sweeper sends it again. */
export async function announce(job: AiJob): Promise<void> {
  publishJobUpdate({ jobId: job.id, status: job.status, scopeId: job.scopeId });
  try {
    await enqueueJob(job);
  } catch (error) {
    log("warn", "ai job event not sent; left for the sweeper", { jobId: job.id, jobType: job.jobType, error });
  }
}
