import { eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { stories, type Story } from "@/db/schema";
import { resolveTemplate, resolveModel, type FanOutPlan, type PromptTemplate } from "@/lib/ai";
import { CODEX_BATCH_TARGET, CODEX_SUGGEST_JOB_TYPE, STORY_SCOPE } from "../../job-kinds";
import { livePageTexts } from "../../page-job-input";
import { codexRows } from "../entries";
import { planBatches, type Batch } from "./batches";

/** The batches of a story as it is now: its live pages with text and its codex's names. */
export async function storyBatches(db: Db, story: Story, template: PromptTemplate): Promise<Batch[]> {
  const live = await livePageTexts(db, story.id);
  const existing = (await codexRows(db, story.id)).map((row) => ({ kind: row.kind, name: row.name }));
  return planBatches({
    story: { title: story.title, language: story.language },
    pages: live.map((p, i) => ({ id: p.id, number: i + 1, text: p.content })),
    existing,
    template,
    budgetTokens: resolveModel(process.env, { task: "codex" }).inputBudgetTokens,
  });
}

/**
 * The children of a Suggest entries run, planned when it runs (the story may have changed since the request): one
 * `codex.suggest` job per batch of pages, each reading its pages and the codex's names.
 */
export async function planCodexSuggestions(parent: AiJob): Promise<FanOutPlan> {
  const db = await getDb();
  const [story] = await db.select().from(stories).where(eq(stories.id, parent.targetId)).limit(1);
  if (!story) return { children: [], skipped: [] };
  const template = await resolveTemplate(parent.templateKey, parent.templateVersion);
  const batches = await storyBatches(db, story, template);
  return {
    skipped: [],
    children: batches.map((batch) => ({
      jobType: CODEX_SUGGEST_JOB_TYPE,
      targetType: CODEX_BATCH_TARGET,
      targetId: batch.firstPageId,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: parent.requestedBy,
      templateKey: template.key,
      templateVersion: template.version,
      provider: parent.provider,
      model: parent.model,
      instruction: "",
      promptPayload: batch.payload,
      contextLeftOut: [],
      baseVersion: null,
    })),
  };
}
