import { and, asc, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { pages, stories } from "@/db/schema";
import { storyTranslations } from "@/db/translations-schema";
import { buildSectionedPayload, ContextBudgetError, loadTemplate, resolveModel, type FanOutPlan } from "@/lib/ai";
import { PAGE_TARGET, STORY_SCOPE, TRANSLATE_PAGE_JOB_TYPE } from "../job-kinds";
import { languageName } from "../languages";
import { numberPages } from "../page-numbers";
import { glossaryFor, type GlossaryEntry } from "./glossary";
import type { PageTranslationPayload, TranslationParentPayload } from "./payload";
import { isStale, linkedPages } from "./sync";

/** The glossary entries a page needs: those whose name or an alias occurs in it (case folded). */
function glossaryForText(glossary: readonly GlossaryEntry[], text: string): GlossaryEntry[] {
  const folded = text.toLocaleLowerCase();
  return glossary.filter((entry) =>
    [entry.name, ...entry.aliases.split(", ")].some((n) => n !== "" && folded.includes(n.toLocaleLowerCase())),
  );
}

/**
 * The children of a translation run, built when it runs from the source as it is then: one `page.translate` per
 * translation page still stale, its source page's text cut into sections (one section for most pages: the runner
 * treats every translation as sectioned, so a page near the 100,000-character limit is translated piece by piece and
 * reassembled rather than cut short by the model's output limit). Pages whose source is gone, blank or already
 * translated at its current version are skipped.
 */
export async function planTranslation(parent: AiJob): Promise<FanOutPlan> {
  const db = await getDb();
  const payload = parent.promptPayload as TranslationParentPayload;
  const skipAll = (reason: string): FanOutPlan => ({
    children: [],
    skipped: payload.pageIds.map((targetId) => ({ targetId, reason })),
  });
  const [link] = await db.select().from(storyTranslations).where(eq(storyTranslations.storyId, parent.targetId));
  if (!link) return skipAll("deleted");
  const [source] = await db.select().from(stories).where(eq(stories.id, link.sourceStoryId));
  if (!source) return skipAll("deleted");
  const sourcePages = await db
    .select()
    .from(pages)
    .where(and(eq(pages.storyId, source.id), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position));
  const sourceById = new Map(sourcePages.map((p) => [p.id, p]));
  const linked = await linkedPages(db, link.storyId);
  const numbers = numberPages(linked.map((l) => l.page));
  const glossary = await glossaryFor(db, source.id, link.language);
  const template = await loadTemplate(parent.templateKey);
  const model = resolveModel();
  const plan: FanOutPlan = { children: [], skipped: [] };
  for (const pageId of payload.pageIds) {
    const entry = linked.find((l) => l.page.id === pageId);
    const from = entry?.link?.sourcePageId ? sourceById.get(entry.link.sourcePageId) : undefined;
    if (!entry?.link || !from) {
      plan.skipped.push({ targetId: pageId, reason: "deleted" });
      continue;
    }
    if (!isStale(entry.link, from)) {
      plan.skipped.push({ targetId: pageId, reason: "current" });
      continue;
    }
    if (from.content.trim() === "") {
      plan.skipped.push({ targetId: pageId, reason: "blank" });
      continue;
    }
    const own: PageTranslationPayload = { sourcePageId: from.id, sourceVersion: from.version };
    let built: ReturnType<typeof buildSectionedPayload>;
    try {
      built = buildSectionedPayload({
        text: from.content,
        variables: {
          story: { title: source.title },
          source: { language: source.language, name: languageName(source.language) },
          target: { language: link.language, name: languageName(link.language) },
          page: { number: numbers.get(pageId) ?? 0 },
          glossary: glossaryForText(glossary, from.content).map(({ name, aliases, translated }) => ({
            name,
            aliases,
            translated,
          })),
          ...own,
        },
        templateBody: template.body,
        budgetTokens: model.inputBudgetTokens,
      });
    } catch (error) {
      if (error instanceof ContextBudgetError) {
        plan.skipped.push({ targetId: pageId, reason: "too-long" });
        continue;
      }
      throw error;
    }
    plan.children.push({
      jobType: TRANSLATE_PAGE_JOB_TYPE,
      targetType: PAGE_TARGET,
      targetId: pageId,
      scopeType: STORY_SCOPE,
      scopeId: link.storyId,
      requestedBy: parent.requestedBy,
      templateKey: template.key,
      templateVersion: template.version,
      provider: parent.provider,
      model: parent.model,
      instruction: "",
      promptPayload: built.payload,
      contextLeftOut: [],
      baseVersion: entry.page.version,
    });
  }
  return plan;
}
