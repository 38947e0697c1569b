import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { codexEntries, pageSummaries, storyRollups } from "@/db/memory-schema";
import { preparedPerDb } from "@/db/prepared-queries";
import { pages, type Story } from "@/db/schema";
import {
  buildDocumentPrompt,
  ContextBudgetError,
  countTokens,
  type ContextSectionInput,
  type DocumentPromptPayload,
  type LeftOutItem,
  type MemoryEntryInput,
  rollupKey,
  type StoredRollupInput,
  type TokenCounting,
} from "@/lib/ai";
import { freshRollupInputs, rollupChildren } from "./rollups/state";
import { AppError } from "@/lib/errors";

/**
 * Pages on each side of the target kept whole (AI_CONTEXT_NEIGHBOURS, default 1, 0–10). A bad value is a
 * configuration error worth a loud failure, not a silent default.
 */
export function contextNeighbours(env: Record<string, string | undefined> = process.env): number {
  const raw = env.AI_CONTEXT_NEIGHBOURS;
  if (raw === undefined || raw.trim() === "") return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 10) {
    throw new Error(`AI_CONTEXT_NEIGHBOURS must be a whole number from 0 to 10 (got ${raw}).`);
  }
  return value;
}

/** A story's live page in reading order, with what a prompt needs of it. */
export interface LivePage {
  id: string;
  content: string;
  version: number;
  /** Stored o200k count of `content`. */
  tokenCount: number;
}

/** Prepared (db/prepared-queries.ts): read on every Generate. */
const livePages = preparedPerDb((db) =>
  db
    .select({ id: pages.id, content: pages.content, version: pages.version, tokenCount: pages.tokenCount })
    .from(pages)
    .where(and(eq(pages.storyId, sql.placeholder("storyId")), isNull(pages.deletedAt)))
    .orderBy(asc(pages.position))
    .prepare("live_page_texts"),
);

/**
 * A story's live pages in reading order with their token counts. Pages written before counts were stored get theirs
 * here, once, and written back (a count is a pure function of the text, so a concurrent write of the same count is
 * harmless; the `version` guard keeps a count from landing on newer text).
 */
export async function livePageTexts(db: Db, storyId: string): Promise<LivePage[]> {
  const rows = await livePages(db).execute({ storyId });
  const missing = rows.filter((r) => r.tokenCount === null);
  if (missing.length > 0) {
    for (const row of missing) row.tokenCount = countTokens(row.content);
    // One statement for all of them: a story of uncounted pages must not cost a round trip per page on a request.
    const values = sql.join(
      missing.map((r) => sql`(${r.id}::uuid, ${r.version}::int, ${r.tokenCount}::int)`),
      sql`, `,
    );
    await db.execute(sql`
      update ${pages} set token_count = v.token_count
      from (values ${values}) as v(id, version, token_count)
      where ${pages.id} = v.id and ${pages.version} = v.version and ${pages.tokenCount} is null`);
  }
  return rows as LivePage[];
}

/**
 * What story memory adds to a prompt: page summaries by page id, the codex as memory entries, and the stored roll-ups
 * still fresh (written from the summaries as they are now; the others give way to the stand-in).
 */
export interface StoryMemory {
  summaries: Map<string, { text: string; tokenCount: number; stale: boolean }>;
  codex: MemoryEntryInput[];
  rollups: StoredRollupInput[];
}

type StoryMemoryRows = Awaited<ReturnType<typeof readStoryMemoryRows>>;

/** The story's memory as stored: summaries, the codex entries that can apply, and roll-ups (three reads at once). */
/** Prepared (db/prepared-queries.ts): read on every Generate, beside the pages. */
const storyMemoryQueries = preparedPerDb((db) => {
  const storyId = sql.placeholder("storyId");
  return [
    db
      .select({
        pageId: pageSummaries.pageId,
        text: pageSummaries.text,
        tokenCount: pageSummaries.tokenCount,
        pageVersion: pageSummaries.pageVersion,
        pinned: pageSummaries.pinned,
      })
      .from(pageSummaries)
      .where(eq(pageSummaries.storyId, storyId))
      .prepare("story_page_summaries"),
    db
      .select()
      .from(codexEntries)
      .where(and(eq(codexEntries.storyId, storyId), inArray(codexEntries.activation, ["always", "mentioned"])))
      .orderBy(asc(codexEntries.name), asc(codexEntries.id))
      .prepare("story_codex_for_prompt"),
    db.select().from(storyRollups).where(eq(storyRollups.storyId, storyId)).prepare("story_rollups"),
  ] as const;
});

function readStoryMemoryRows(db: Db, storyId: string) {
  const [summaries, codex, rollups] = storyMemoryQueries(db);
  return Promise.all([summaries.execute({ storyId }), codex.execute({ storyId }), rollups.execute({ storyId })]);
}

/** The memory that applies to the live pages: a summary of a page no longer live is left out. */
function storyMemoryOf(live: readonly LivePage[], [summaryRows, codexRows, rollupRows]: StoryMemoryRows): StoryMemory {
  const versions = new Map(live.map((p) => [p.id, p.version]));
  const summaries: StoryMemory["summaries"] = new Map();
  for (const s of summaryRows) {
    const pageVersion = versions.get(s.pageId);
    if (pageVersion === undefined) continue;
    // A stale summary still beats the page's first sentences; a pinned one is the author's and never stale.
    summaries.set(s.pageId, {
      text: s.text,
      tokenCount: s.tokenCount,
      stale: !s.pinned && s.pageVersion < pageVersion,
    });
  }
  const codex = codexRows.map(
    (e): MemoryEntryInput => ({
      id: e.id,
      name: e.name,
      kind: e.kind,
      description: e.description,
      activation: e.activation,
      // 0 is the column's default for rows written before counting: count them here instead.
      tokenCount: e.tokenCount > 0 ? e.tokenCount : null,
      names: [e.name, ...e.aliases],
    }),
  );
  const rollups = freshRollupInputs(
    rollupChildren(live, (id) => summaries.get(id)?.text),
    new Map(rollupRows.map((r) => [rollupKey(r.start, r.size), r])),
  );
  return { summaries, codex, rollups };
}

/** Everything a page prompt is built from: the live pages and the story's memory. */
export async function loadPagePromptInput(
  db: Db,
  storyId: string,
): Promise<{ ordered: LivePage[]; memory: StoryMemory }> {
  // The memory's reads do not depend on the pages': sent together, they are one round trip on Generate's path, not two.
  const [ordered, rows] = await Promise.all([livePageTexts(db, storyId), readStoryMemoryRows(db, storyId)]);
  return { ordered, memory: storyMemoryOf(ordered, rows) };
}

/**
 * The payload for writing or revising one page: the instruction and the page whole, its neighbours, the codex
 * entries that apply, and every other page as a summary or a roll-up, within the model's input budget (see
 * lib/ai/context/assemble.ts). When the page and instruction alone exceed the budget: LIMIT_EXCEEDED
 * (GEN_CONSTRAINT_FAIL) with the numbers.
 */
export function buildPagePayload(args: {
  story: Pick<Story, "title" | "description" | "language">;
  /** The story's live pages in order. */
  ordered: readonly LivePage[];
  memory: StoryMemory;
  pageId: string;
  mode: "write" | "revise";
  instruction: string;
  templateBody: string;
  budgetTokens: number;
  counting: TokenCounting;
  constraints?: readonly string[];
}): { payload: DocumentPromptPayload; contextLeftOut: LeftOutItem[]; estimatedTokens: number } {
  const sections = args.ordered.map((p): ContextSectionInput => {
    // Writing replaces the page: whatever is on it (whitespace) is not context.
    const blankTarget = p.id === args.pageId && args.mode === "write";
    const summary = args.memory.summaries.get(p.id);
    return {
      id: p.id,
      text: blankTarget ? "" : p.content,
      tokenCount: blankTarget ? 0 : p.tokenCount,
      summary: summary ?? null,
    };
  });
  try {
    const payload = buildDocumentPrompt({
      document: { title: args.story.title, description: args.story.description, language: args.story.language },
      sections,
      targetId: args.pageId,
      instruction: args.instruction,
      templateBody: args.templateBody,
      budgetTokens: args.budgetTokens,
      counting: args.counting,
      memory: args.memory.codex,
      rollups: args.memory.rollups,
      neighbours: contextNeighbours(),
      constraints: args.constraints,
    });
    return {
      payload,
      contextLeftOut: payload.contextBreakdown.leftOut,
      estimatedTokens: payload.contextBreakdown.totalTokens,
    };
  } catch (error) {
    if (error instanceof ContextBudgetError) {
      throw new AppError("LIMIT_EXCEEDED", "This page is too long for the AI model's input budget.", {
        code: "GEN_CONSTRAINT_FAIL",
        neededTokens: error.neededTokens,
        budgetTokens: error.budgetTokens,
      });
    }
    throw error;
  }
}
