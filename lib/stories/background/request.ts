import { and, asc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db";
import { pages } from "@/db/schema";
import { findActiveJob, resolveTemplate, resolveModel, submitJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadStoryFor } from "../access";
import { requireActor, type Actor } from "../actor";
import { BACKGROUND_JOB_TYPE, STORY_SCOPE, STORY_TARGET } from "../job-kinds";
import { BACKGROUND_PAGES_MAX, INSTRUCTION_MAX } from "../limits";
import { numberPages } from "../page-numbers";
import { admitWithinLimits } from "../spending-policy";
import { idField, parseInput } from "../validation";
import { backgroundWorkflows, type ParentPayload } from "./parent-payload";
import { toBackgroundRevisionView, type BackgroundRevisionView } from "./view";

/** What starting a background revision takes (the REST API's body is this without the story, which is in its path). */
export const backgroundRequestSchema = z.object({
  storyId: idField,
  pageIds: z
    .array(idField)
    .min(1, "Select at least one page to revise.")
    .max(BACKGROUND_PAGES_MAX, `A background revision can cover at most ${BACKGROUND_PAGES_MAX} pages.`),
  instruction: z
    .string()
    .trim()
    .min(1, "Say how the pages should be revised.")
    .max(INSTRUCTION_MAX, `An instruction can be at most ${INSTRUCTION_MAX} characters.`),
  /** `revise_proofread`: each page is revised, then the revised text proofread, in one job of two recorded steps. */
  workflow: z.enum(backgroundWorkflows, { error: "Choose revise, or revise then proofread." }).default("revise"),
});

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
export async function requestBackgroundRevision(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<BackgroundRequestOutcome> {
  const actor = requireActor(actorOrNull);
  const { storyId, pageIds, instruction, workflow } = parseInput(backgroundRequestSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "generate", storyId);

  const running = await findActiveJob(db, STORY_TARGET, story.id);
  if (running) {
    return {
      revision: await toBackgroundRevisionView(db, running),
      created: false,
      message:
        "A background revision of this story is already running: it is shown below. Wait for it to finish, or cancel it, before starting another.",
    };
  }

  const live = await db
    .select({ id: pages.id, content: pages.content })
    .from(pages)
    .where(and(eq(pages.storyId, story.id), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
  const wanted = new Set(pageIds);
  const selected = live.filter((p) => wanted.has(p.id));
  if (selected.length !== wanted.size)
    throw new AppError("NOT_FOUND", "We couldn't find one of the selected pages. It may have been deleted.");
  const numbers = numberPages(live);
  const blank = live
    .filter((p) => wanted.has(p.id) && p.content.trim() === "")
    .map((p) => ({ ...p, number: numbers.get(p.id)! }));
  if (blank.length > 0) {
    const names = blank.map((p) => p.number).join(", ");
    const message =
      blank.length === 1
        ? `Page ${names} is blank: there is nothing to revise. Unselect it (or write it first).`
        : `Pages ${names} are blank: there is nothing to revise. Unselect them (or write them first).`;
    throw new AppError("VALIDATION", message, { fields: { pageIds: message }, blankPageIds: blank.map((p) => p.id) });
  }

  const model = resolveModel(process.env, { storyChoice: story.modelId });
  const template = await resolveTemplate("page_revise");
  const payload: ParentPayload = { pageIds: selected.map((p) => p.id), workflow };
  const { job, created } = await submitJob(
    db,
    {
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
    },
    admitWithinLimits(actor, { jobs: selected.length }),
  );
  const n = selected.length;
  return {
    revision: await toBackgroundRevisionView(db, job),
    created,
    message: created
      ? `${workflow === "revise_proofread" ? "Revising, then proofreading," : "Revising"} ${n} ${n === 1 ? "page" : "pages"} in the background. Each result will wait as a suggestion on its page.`
      : "A background revision of this story is already running: it is shown below.",
  };
}
