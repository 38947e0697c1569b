import { z } from "zod";
import { getDb } from "@/db";
import { prerenderPrompt, resolveTemplate, resolveModel, submitJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { requireActor, type Actor } from "../actor";
import { PAGE_TARGET, STORY_SCOPE, TAKES_JOB_TYPE } from "../job-kinds";
import { INSTRUCTION_MAX } from "../limits";
import { loadPagePromptInput } from "../page-job-input";
import { ratingConstraints, ratingForJob } from "../ratings/policy";
import { admitWithinLimits } from "../spending-policy";
import { idField, parseInput } from "../validation";
import { buildPageTextPrompt } from "./page-prompt";
import { loadPageWithActiveJob } from "./page-with-active-job";
import { toPageJobView, type PageJobView } from "./view";

export const pageTextRequestSchema = z.object({
  pageId: idField,
  /** Omitted: a blank page is written, a page with text is revised. */
  mode: z.enum(["write", "revise"]).optional(),
  instruction: z
    .string()
    .trim()
    .max(INSTRUCTION_MAX, `An instruction can be at most ${INSTRUCTION_MAX} characters.`)
    .default(""),
  /** A new take: the earlier identical result is not reused (the generation cache is skipped). */
  fresh: z.boolean().default(false),
});

/**
 * Asks the AI to write (blank page) or revise (page with text) one page. Checks access and limits, builds the
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
  const { pageId, mode: requestedMode, instruction, fresh } = parseInput(pageTextRequestSchema, input);
  const db = await getDb();
  const { page, story, active } = await loadPageWithActiveJob(db, actor, pageId);
  if (active?.jobType === TAKES_JOB_TYPE)
    throw new AppError(
      "CONFLICT",
      "Takes are being written for this page: wait for them (then choose one), or cancel them, before you Generate.",
      { activeJobId: active.id },
    );
  if (active) return { job: await toPageJobView(active), created: false };

  const mode = requestedMode ?? (page.content.trim() === "" ? "write" : "revise");
  if (mode === "revise" && page.content.trim() === "") {
    throw new AppError("VALIDATION", "This page is blank: there is nothing to revise. Use Generate to write it.");
  }
  const model = resolveModel(process.env, { storyChoice: story.modelId });
  // Independent reads, sent together: each awaited in turn was a round trip added to the wait for the first token.
  const [{ ordered, memory }, rating, template] = await Promise.all([
    loadPagePromptInput(db, story.id),
    ratingForJob(db, story, actor.id),
    resolveTemplate(mode === "write" ? "page_write" : "page_revise"),
  ]);
  const built = await buildPageTextPrompt({
    story,
    ordered,
    memory,
    pageId: page.id,
    mode,
    instruction,
    template,
    model,
    constraints: ratingConstraints(rating),
  });
  const { template: rendered, payload, contextLeftOut } = built;
  const jobType = mode === "write" ? "page_text.write" : "page_text.revise";
  // The whole-story prompt is rendered here, where template and payload are at hand: the run then starts with the
  // model call (lib/ai/jobs/prerender.ts). A page revised section by section renders its sections in its run.
  const prerendered =
    built.kind === "whole"
      ? await prerenderPrompt({
          jobType,
          template: rendered,
          payload: built.payload,
          provider: model.provider,
          model: model.modelId,
        })
      : null;
  const { job, created } = await submitJob(
    db,
    {
      jobType,
      targetType: PAGE_TARGET,
      targetId: page.id,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: actor.id,
      templateKey: rendered.key,
      templateVersion: rendered.version,
      provider: model.provider,
      model: model.modelId,
      instruction,
      promptPayload: payload,
      contextLeftOut,
      baseVersion: page.version,
      retryOf: options.retryOf ?? null,
      ...rating,
      fresh,
      ...prerendered,
    },
    admitWithinLimits(actor),
  );
  return { job: await toPageJobView(job), created };
}
