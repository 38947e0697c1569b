import { z } from "zod";
import { getDb } from "@/db";
import { findActiveJob, resolveTemplate, resolveModel, submitJob } from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { loadStoryFor } from "../../access";
import { requireActor, type Actor } from "../../actor";
import { CODEX_TARGET, STORY_SCOPE, SUGGEST_CODEX_JOB_TYPE } from "../../job-kinds";
import { admitWithinLimits } from "../../spending-policy";
import { idField, parseInput } from "../../validation";
import { storyBatches } from "./plan";
import { latestSuggestRun, toCodexSuggestRunView, type CodexSuggestRunView } from "./view";

const requestSchema = z.object({ storyId: idField });

export interface CodexSuggestOutcome {
  run: CodexSuggestRunView;
  /** False when a run was already going on this story: this request joined it. */
  created: boolean;
  message: string;
}

/**
 * Starts Suggest entries on a story: the AI reads the story in batches of pages and proposes entries that wait for
 * the author's review. A story has one run at a time; a second request joins it.
 */
export async function requestCodexSuggestions(actorOrNull: Actor | null, input: unknown): Promise<CodexSuggestOutcome> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(requestSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "generate", storyId);

  const running = await findActiveJob(db, CODEX_TARGET, story.id);
  if (running) {
    return {
      run: await toCodexSuggestRunView(db, running),
      created: false,
      message: "The AI is already reading this story for codex entries: its progress is shown.",
    };
  }
  const template = await resolveTemplate("codex_suggest");
  const batches = await storyBatches(db, story, template);
  if (batches.length === 0)
    throw new AppError("VALIDATION", "The story has no text yet: write a page before asking for codex entries.", {
      fields: { storyId: "The story has no text yet." },
    });
  const model = resolveModel(process.env, { task: "codex" });
  const { job, created } = await submitJob(
    db,
    {
      jobType: SUGGEST_CODEX_JOB_TYPE,
      targetType: CODEX_TARGET,
      targetId: story.id,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: actor.id,
      templateKey: template.key,
      templateVersion: template.version,
      provider: model.provider,
      model: model.modelId,
      instruction: "",
      promptPayload: {},
      contextLeftOut: [],
      baseVersion: null,
    },
    admitWithinLimits(actor, { jobs: batches.length }),
  );
  const n = batches.length;
  return {
    run: await toCodexSuggestRunView(db, job),
    created,
    message: created
      ? `Reading the story in ${n} ${n === 1 ? "part" : "parts"}. Suggested entries will wait for your review.`
      : "The AI is already reading this story for codex entries: its progress is shown.",
  };
}

/** The story's latest Suggest entries run, or null when there has been none. */
export async function getCodexSuggestRun(
  actorOrNull: Actor | null,
  input: unknown,
): Promise<CodexSuggestRunView | null> {
  const actor = requireActor(actorOrNull);
  const { storyId } = parseInput(requestSchema, input);
  const db = await getDb();
  const story = await loadStoryFor(db, actor, "read", storyId);
  const job = await latestSuggestRun(db, story.id);
  return job ? toCodexSuggestRunView(db, job) : null;
}
