import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { stories } from "@/db/schema";
import { loadTemplate, type PromptTemplate, resolveModel, tokenCountingFor, type FanOutPlan } from "@/lib/ai";
import { isAppError } from "@/lib/errors";
import { PAGE_TARGET, STORY_SCOPE } from "../job-kinds";
import { buildPagePayload, loadPagePromptInput } from "../page-job-input";
import { buildSectionedRevise, needsSections } from "../page-jobs/sectioned-revise";
import type { ParentPayload } from "./parent-payload";

/**
 * The children of a background revision, built when it runs (lib/stories/functions/revise-story-pages.ts): each
 * selected page revised from the story as it is then. Pages deleted or blanked since the request are skipped.
 */
export async function planBackgroundRevision(parent: AiJob): Promise<FanOutPlan> {
  const db = await getDb();
  const payload = parent.promptPayload as ParentPayload;
  const [story] = await db.select().from(stories).where(eq(stories.id, parent.targetId)).limit(1);
  if (!story) return { children: [], skipped: payload.pageIds.map((targetId) => ({ targetId, reason: "deleted" })) };
  const { ordered: live, memory } = await loadPagePromptInput(db, story.id);
  // The children are built now, from the story as it is now: with the current template, whose payload this builds
  // (a parent recorded before a template change names the older version).
  const template = await loadTemplate(parent.templateKey);
  const model = resolveModel();
  const budgetTokens = model.inputBudgetTokens;
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
    let built: { payload: unknown; contextLeftOut: unknown[] };
    let childTemplate: PromptTemplate = template;
    try {
      built = buildPagePayload({
        story,
        ordered: live,
        memory,
        pageId,
        mode: "revise",
        instruction: parent.instruction,
        templateBody: template.body,
        budgetTokens,
        counting: tokenCountingFor(model),
      });
    } catch (error) {
      if (!needsSections(error, "revise")) throw error;
      // Too long for one prompt: this page's job revises it section by section (../page-jobs/sectioned-revise.ts).
      try {
        const sectioned = await buildSectionedRevise({
          story,
          ordered: live,
          pageId,
          instruction: parent.instruction,
          budgetTokens,
        });
        built = sectioned;
        childTemplate = sectioned.template;
      } catch (sectionError) {
        if (isAppError(sectionError) && sectionError.code === "LIMIT_EXCEEDED") {
          plan.skipped.push({ targetId: pageId, reason: "too-long" });
          continue;
        }
        throw sectionError;
      }
    }
    plan.children.push({
      jobType: "page_text.revise",
      targetType: PAGE_TARGET,
      targetId: pageId,
      scopeType: STORY_SCOPE,
      scopeId: story.id,
      requestedBy: parent.requestedBy,
      templateKey: childTemplate.key,
      templateVersion: childTemplate.version,
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
