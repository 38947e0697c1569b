import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { stories } from "@/db/schema";
import { resolveTemplate, resolveModel, type FanOutPlan, type JobStep } from "@/lib/ai";
import { isAppError } from "@/lib/errors";
import { PAGE_TARGET, STORY_SCOPE } from "../job-kinds";
import { loadPagePromptInput } from "../page-job-input";
import { buildPageTextPrompt, type PageTextPrompt } from "../page-jobs/page-prompt";
import { ratingConstraints, ratingForJob } from "../ratings/policy";
import type { ParentPayload } from "./parent-payload";

/**
 * The proofread step's template. Its input is the revised page, whatever its length: one longer than one answer
 * holds is proofread section by section (lib/ai/chain.ts).
 */
export const PROOFREAD_TEMPLATE_KEY = "page_proofread";

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
  const template = await resolveTemplate(parent.templateKey, parent.templateVersion);
  // The model the parent was requested with (the story's choice then).
  const model = resolveModel(process.env, { storyChoice: parent.model });
  // Held to the rating as it is now, for whoever asked (their own maximum may have changed since).
  const rating = await ratingForJob(db, story, parent.requestedBy);
  const proofread = payload.workflow === "revise_proofread" ? await resolveTemplate(PROOFREAD_TEMPLATE_KEY) : null;
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
    let built: PageTextPrompt;
    try {
      // A page too long for one prompt gets a job that revises it section by section.
      built = await buildPageTextPrompt({
        story,
        ordered: live,
        memory,
        pageId,
        mode: "revise",
        instruction: parent.instruction,
        template,
        model,
        constraints: ratingConstraints(rating),
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
      templateKey: built.template.key,
      templateVersion: built.template.version,
      provider: parent.provider,
      model: parent.model,
      instruction: parent.instruction,
      promptPayload: built.payload,
      contextLeftOut: built.contextLeftOut,
      baseVersion: page.version,
      ...rating,
      steps: proofread
        ? [
            { name: "revise", templateKey: built.template.key, templateVersion: built.template.version },
            {
              name: "proofread",
              templateKey: proofread.key,
              templateVersion: proofread.version,
              variables: { story: { title: story.title, language: story.language } },
              inputVariable: "text",
            } satisfies JobStep,
          ]
        : null,
    });
  }
  return plan;
}
