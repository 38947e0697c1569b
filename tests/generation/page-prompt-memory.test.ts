import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { codexEntries, pageSummaries } from "@/db/memory-schema";
import { pages } from "@/db/schema";
import { countTokens } from "@/lib/ai";
import { loadTemplate, renderTemplate } from "@/lib/ai/prompts";
import { sectionVariables, type SectionedPayload } from "@/lib/ai/sections";
import { checkPageTextRequest, createCodexEntry, pinPageSummary, requestPageText, savePage } from "@/lib/stories";
import { contextNeighbours, livePageTexts } from "@/lib/stories/page-job-input";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";

/** Page prompts built from the database: stored token counts, page summaries and the story's codex. */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
}));

const t = useTestDb();

describe("page prompts with story memory", () => {
  it("stores each page's token count when it is written, and fills missing ones when a prompt is built", async () => {
    const author = await makeActor();
    const { story, pages: added } = await makeStory(author, ["Mara climbed the stairs.", ""]);
    const [row] = await t.db().select().from(pages).where(eq(pages.id, added[0]!.id));
    expect(row!.tokenCount).toBe(countTokens("Mara climbed the stairs."));
    await savePage(author, { pageId: added[1]!.id, content: "Tobin rowed out at dawn, slowly.", baseVersion: 1 });
    const [saved] = await t.db().select().from(pages).where(eq(pages.id, added[1]!.id));
    expect(saved!.tokenCount).toBe(countTokens("Tobin rowed out at dawn, slowly."));

    // A page from before counts were stored: counted and written back when a prompt needs it.
    await t.db().update(pages).set({ tokenCount: null }).where(eq(pages.id, added[0]!.id));
    const live = await livePageTexts(t.db(), story.id);
    expect(live[0]!.tokenCount).toBe(countTokens("Mara climbed the stairs."));
    const [filled] = await t.db().select().from(pages).where(eq(pages.id, added[0]!.id));
    expect(filled!.tokenCount).toBe(countTokens("Mara climbed the stairs."));
  });

  it("previews and records the codex entries mentioned near the page, summaries of far pages, and every page", async () => {
    const author = await makeActor();
    const contents = Array.from(
      { length: 40 },
      (_v, i) => `Page ${i + 1}. ${"The gulls circled over the grey harbour while the keeper watched. ".repeat(40)}`,
    );
    contents[37] = `The Captain came ashore. ${contents[37]}`;
    contents[38] = `Mara's lamp was lit. ${contents[38]}`;
    const { story, pages: added } = await makeStory(author, contents);
    const target = added[38]!;
    const summary = "Mara buries the silver key under the third step.";
    await t
      .db()
      .insert(pageSummaries)
      .values({
        pageId: added[2]!.id,
        storyId: story.id,
        text: summary,
        tokenCount: countTokens(summary),
        pageVersion: 1,
        source: "ai",
      });
    const entry = (name: string, aliases: string[], activation: "always" | "mentioned" | "never") => ({
      storyId: story.id,
      kind: "character" as const,
      name,
      aliases,
      description: `${name} is important.`,
      activation,
      tokenCount: countTokens(`${name}\n${aliases.join("\n")}\n${name} is important.`),
    });
    await t
      .db()
      .insert(codexEntries)
      .values([
        entry("Mara Quill", ["Mara"], "mentioned"),
        entry("Captain Orr", ["the Captain"], "mentioned"),
        entry("Gull Point", [], "always"),
        entry("Tobin", [], "mentioned"),
        entry("Secret", ["Mara"], "never"),
      ]);

    const check = await checkPageTextRequest(author, { pageId: target.id, instruction: "darker" });
    const { context } = check;
    expect(context.totalTokens).toBeLessThanOrEqual(context.budgetTokens);
    expect(check.promptTokens).toBe(context.totalTokens);
    expect(context.pagesRepresented).toBe(40);
    const codex = context.sections.filter((s) => s.kind === "codex").map((s) => [s.label, s.reason]);
    expect(codex).toEqual([
      ["Gull Point (character)", "always"],
      ["Mara Quill (character)", "mentioned: Mara, page 39"],
      ["Captain Orr (character)", "mentioned: the Captain, page 38"],
    ]);
    const third = context.sections.find((s) => s.pages && s.pages.from <= 3 && 3 <= s.pages.to)!;
    expect(["summary", "rollup"]).toContain(third.kind);
    expect(check.estimatedCostUsd).toBe(0);
    expect(check.pagesShortened).toBeGreaterThan(0);

    // The job records the same breakdown with its payload, and renders the codex and the summary.
    const job = await requestPageText(author, { pageId: target.id, instruction: "darker" });
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, job.id));
    expect(row!.templateVersion).toBe(3);
    const payload = row!.promptPayload as { contextBreakdown: typeof context; codex: { name: string }[] };
    expect(payload.contextBreakdown.sections).toEqual(context.sections);
    expect(payload.codex.map((c) => c.name)).toEqual(["Gull Point", "Mara Quill", "Captain Orr"]);
    expect(row!.contextLeftOut).toEqual(context.leftOut);
  });

  it("keeps AI_CONTEXT_NEIGHBOURS pages whole on each side, and refuses a bad value loudly", async () => {
    const author = await makeActor();
    const { pages: added } = await makeStory(author, ["One.", "Two.", "Three.", "Four.", "Five."]);
    const kinds = async () =>
      (await checkPageTextRequest(author, { pageId: added[2]!.id })).context.sections
        .filter((s) => s.pages)
        .map((s) => s.kind);
    vi.stubEnv("AI_CONTEXT_NEIGHBOURS", "2");
    // Target and neighbours first (in reading order), then the other pages in reading order.
    expect(await kinds()).toEqual(["neighbour", "neighbour", "target", "neighbour", "neighbour"]);
    vi.stubEnv("AI_CONTEXT_NEIGHBOURS", "0");
    expect(await kinds()).toEqual(["target", "page", "page", "page", "page"]);
    vi.unstubAllEnvs();
    expect(contextNeighbours({})).toBe(1);
    expect(() => contextNeighbours({ AI_CONTEXT_NEIGHBOURS: "many" })).toThrow(/AI_CONTEXT_NEIGHBOURS/);
    expect(() => contextNeighbours({ AI_CONTEXT_NEIGHBOURS: "11" })).toThrow(/0 to 10/);
  });

  it("a page alone over the budget is previewed as a revision in sections; refused only when one section cannot fit", async () => {
    const author = await makeActor();
    const { pages: added } = await makeStory(author, ["A short page.", "word ".repeat(20_000)]);
    const long = await checkPageTextRequest(author, { pageId: added[1]!.id });
    expect(long.sections).toBeGreaterThan(1);
    // The largest section's prompt is shown, with the story memory that fits beside it (here the other page, whole).
    expect(long.context.sections.filter((s) => s.kind === "target")).toEqual([
      expect.objectContaining({ label: expect.stringMatching(new RegExp(`^Page 2, in ${long.sections} sections`)) }),
    ]);
    expect(long.context.sections).toContainEqual(
      expect.objectContaining({ kind: "neighbour", pages: { from: 1, to: 1 } }),
    );
    expect(long.promptTokens).toBeLessThanOrEqual(8000);
    const fine = await checkPageTextRequest(author, { pageId: added[0]!.id });
    expect(fine.sections).toBeNull();
    expect(fine.context.sections.map((s) => s.kind)).toContain("target");

    // The smallest budget and the longest instruction: not even one section fits beside it.
    vi.stubEnv("AI_INPUT_BUDGET_TOKENS", "500");
    try {
      await expect(
        checkPageTextRequest(author, {
          pageId: added[1]!.id,
          instruction: "Make it darker, shorter and colder. ".repeat(13),
        }),
      ).rejects.toMatchObject({
        code: "LIMIT_EXCEEDED",
        details: { code: "GEN_CONSTRAINT_FAIL", budgetTokens: 500, neededTokens: expect.any(Number) },
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("a page revised section by section gives every section the codex entries and nearby summaries that fit", async () => {
    const author = await makeActor();
    const filler = (n: number) =>
      `The tide turned at the harbour wall and the boats on the ${n}th mooring swung round slowly in the grey water. `;
    // Other pages long enough that the story does not fit whole beside a section: far ones go in as summaries.
    const other = (n: number) => `${filler(n).repeat(60)}`;
    const paragraph = (n: number, extra = "") => `${filler(n).repeat(6)}${extra}`.trim();
    const longPage = Array.from({ length: 120 }, (_v, i) =>
      paragraph(
        i,
        i === 0 ? "Tobin rowed across the bay at first light." : i === 119 ? "At last they reached Kellan Point." : "",
      ),
    ).join("\n\n");
    const contents = Array.from({ length: 9 }, (_v, i) => (i === 4 ? longPage : other(i)));
    const { story, pages: added } = await makeStory(author, contents);
    const target = added[4]!;
    for (const [i, page] of added.entries()) {
      if (i !== 4)
        await pinPageSummary(author, { pageId: page.id, text: `Summary of page ${i + 1}: the boats swing.` });
    }
    const codex = [
      { kind: "thing", name: "The Lamp", description: "The lamp burns whale oil.", activation: "always" },
      { kind: "character", name: "Tobin", description: "Tobin is the ferryman.", activation: "mentioned" },
      { kind: "place", name: "Kellan Point", description: "A headland north of the bay.", activation: "mentioned" },
      { kind: "character", name: "The Ghost", description: "Nobody has seen it.", activation: "mentioned" },
    ] as const;
    for (const entry of codex) await createCodexEntry(author, { storyId: story.id, ...entry });

    const preview = await checkPageTextRequest(author, { pageId: target.id, instruction: "Make it darker" });
    expect(preview.sections).toBeGreaterThan(2);
    expect(preview.context.sections.filter((s) => s.kind === "codex").map((s) => s.label)).toContain(
      "The Lamp (thing)",
    );
    expect(preview.context.totalTokens).toBeLessThanOrEqual(preview.budgetTokens);

    const job = await requestPageText(author, { pageId: target.id, instruction: "Make it darker" });
    const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, job.id));
    const payload = row!.promptPayload as SectionedPayload;
    const template = await loadTemplate(row!.templateKey, row!.templateVersion);
    expect([template.key, template.version]).toEqual(["page_revise_section", 3]);
    const prompts: string[] = [];
    for (let i = 0; i < payload.textSections.length; i++)
      prompts.push(await renderTemplate(template, sectionVariables(payload, i)));
    expect(prompts.length).toBe(preview.sections);
    const last = prompts.length - 1;
    for (const [i, prompt] of prompts.entries()) {
      // Never over the budget, counted exactly as the model's tokenizer counts it.
      expect(countTokens(prompt)).toBeLessThanOrEqual(preview.budgetTokens);
      // Always-on entries in every section; an entry nobody mentions in none.
      expect(prompt).toContain("The lamp burns whale oil.");
      expect(prompt).not.toContain("Nobody has seen it.");
      // Mentioned entries where their section mentions them.
      expect(prompt.includes("Tobin is the ferryman.")).toBe(i === 0);
      expect(prompt.includes("A headland north of the bay.")).toBe(i === last);
      // Every other page is there: the neighbours (whole or summarised), the far ones as summaries or in brief.
      for (const n of [1, 2, 3, 4, 6, 7, 8, 9]) expect(prompt).toMatch(new RegExp(`--- Pages? (\\d+–)?${n}\\b`));
      expect(prompt).toContain("Summary of page 1: the boats swing.");
      expect(prompt).toContain("Summary of page 9: the boats swing.");
      // The page being revised is marked, not repeated whole.
      expect(prompt).toContain(">>> PAGE BEING REVISED <<<");
      expect(prompt.split("Tobin rowed across the bay").length).toBeLessThanOrEqual(2);
    }
    // Deterministic: the same story gives the same sections and the same memory.
    const again = await checkPageTextRequest(author, { pageId: target.id, instruction: "Make it darker" });
    expect(again.context).toEqual(preview.context);
  });
});
