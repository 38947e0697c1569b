import { describe, expect, it } from "vitest";
import {
  assembleContext,
  buildDocumentPrompt,
  ContextBudgetError,
  type ContextSectionInput,
  type MemoryEntryInput,
} from "@/lib/ai/context";
import { loadTemplate, renderTemplate } from "@/lib/ai/prompts";
import { countTokens } from "@/lib/ai/tokens";

const WORDS = "the wind carried salt over the harbour while gulls circled and the keeper watched the grey water".split(
  " ",
);

/** About `words` words of prose, different per page, with sentences. */
function prose(seed: number, words = 300): string {
  const out: string[] = [];
  for (let k = 0; k < words; k++) {
    const word = WORDS[(seed * 7 + k * 3) % WORDS.length]!;
    out.push(k % 15 === 14 ? `${word}.` : word);
  }
  return `Page ${seed + 1} opens. ${out.join(" ")}.`;
}

function story(n: number, opts: { summaries?: boolean; words?: number } = {}): ContextSectionInput[] {
  return Array.from({ length: n }, (_v, i) => {
    const text = prose(i, opts.words);
    const summary = `On page ${i + 1} the keeper counts the gulls and writes number ${i + 1} in the log before dawn.`;
    return {
      id: `p${i + 1}`,
      text,
      tokenCount: countTokens(text),
      summary: opts.summaries === false ? null : { text: summary, tokenCount: countTokens(summary) },
    };
  });
}

const base = { instruction: "", fixedTokens: 300, counting: "o200k" as const };

describe("assembleContext", () => {
  it("sends a short story whole", () => {
    const sections = story(5, { summaries: false });
    const result = assembleContext({ ...base, sections, targetId: "p3", budgetTokens: 8000 });
    expect(result.parts.map((p) => p.kind)).toEqual(["page", "neighbour", "target", "neighbour", "page"]);
    expect(result.parts.map((p) => p.text)).toEqual(sections.map((s) => s.text));
    expect(result.breakdown.pagesRepresented).toBe(5);
    expect(result.breakdown.totalTokens).toBe(result.breakdown.sections.reduce((sum, s) => sum + s.tokens, 0));
  });

  it("does not refuse a 600-page story, and represents every page", () => {
    const sections = story(600);
    const result = assembleContext({ ...base, sections, targetId: "p300", budgetTokens: 8000 });
    expect(result.breakdown.totalTokens).toBeLessThanOrEqual(8000);
    expect(result.breakdown.pagesRepresented).toBe(600);
    expect(result.parts.some((p) => p.kind === "rollup")).toBe(true);
    // Nearer pages are represented at least as finely as farther ones on the same side.
    const width = (page: number) => {
      const part = result.parts.find((p) => p.from <= page && page <= p.to)!;
      return part.to - part.from + 1;
    };
    for (let page = 2; page < 298; page++) expect(width(page)).toBeLessThanOrEqual(width(page - 1) + 0);
  });

  it("keeps the prompt from growing with omitted pages: 5,000 pages fit a 4,000-token budget", () => {
    const sections = story(5000, { words: 20 });
    const result = assembleContext({ ...base, sections, targetId: "p2500", budgetTokens: 4000 });
    expect(result.breakdown.totalTokens).toBeLessThanOrEqual(4000);
    expect(result.breakdown.pagesRepresented).toBe(5000);
  });

  it("uses a deterministic stand-in (first sentences) for a page without a summary", () => {
    const sections = story(200, { summaries: false });
    const result = assembleContext({ ...base, sections, targetId: "p100", budgetTokens: 8000 });
    const standIn = result.parts.find((p) => p.kind === "summary")!;
    expect(standIn.source).toBe("stand-in");
    expect(sections[standIn.from - 1]!.text.startsWith(standIn.text.replace(/…$/, ""))).toBe(true);
    expect(standIn.text.length).toBeLessThanOrEqual(320);
  });

  it("marks a stale summary and still uses it", () => {
    const sections = story(40);
    sections[0] = { ...sections[0]!, summary: { text: "Old news about the keeper.", tokenCount: 6, stale: true } };
    const result = assembleContext({ ...base, sections, targetId: "p39", budgetTokens: 3000 });
    const first = result.parts.find((p) => p.from === 1)!;
    expect(first).toMatchObject({ kind: "summary", source: "stale-summary", text: "Old news about the keeper." });
  });

  it("refuses only when the instruction and the target alone exceed the budget", () => {
    const sections = story(3);
    sections[1] = { id: "p2", text: "x ".repeat(5000), tokenCount: 5000, summary: null };
    let error: unknown;
    try {
      assembleContext({ ...base, sections, targetId: "p2", instruction: "shorter", budgetTokens: 4000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContextBudgetError);
    const needed = (error as ContextBudgetError).neededTokens;
    expect(needed).toBeGreaterThan(4000);
    expect((error as ContextBudgetError).budgetTokens).toBe(4000);
    // Exactly the needed budget is enough: everything else gives way.
    const result = assembleContext({ ...base, sections, targetId: "p2", instruction: "shorter", budgetTokens: needed });
    expect(result.breakdown.totalTokens).toBe(needed);
    expect(result.parts.find((p) => p.kind === "target")!.text).toBe(sections[1]!.text);
  });

  it("includes codex entries that are always on or mentioned near the target, saying why", () => {
    const sections = story(50);
    sections[40] = { ...sections[40]!, text: `${sections[40]!.text} Then the Captain came.`, tokenCount: null };
    sections[41] = { ...sections[41]!, text: `Mara's boat. ${sections[41]!.text}`, tokenCount: null };
    const memory: MemoryEntryInput[] = [
      {
        id: "m",
        name: "Mara Quill",
        kind: "character",
        description: "Keeper.",
        activation: "mentioned",
        tokenCount: null,
        names: ["Mara Quill", "Mara"],
      },
      {
        id: "c",
        name: "Captain Orr",
        kind: "character",
        description: "Old.",
        activation: "mentioned",
        tokenCount: 5,
        names: ["Captain Orr", "the Captain"],
      },
      {
        id: "g",
        name: "Gull Point",
        kind: "place",
        description: "A cape.",
        activation: "always",
        tokenCount: 5,
        names: ["Gull Point"],
      },
      {
        id: "n",
        name: "Tobin",
        kind: "character",
        description: "Never shown.",
        activation: "never",
        tokenCount: 5,
        names: ["Tobin", "Mara"],
      },
      {
        id: "x",
        name: "Elsewhere",
        kind: "place",
        description: "Not mentioned.",
        activation: "mentioned",
        tokenCount: 5,
        names: ["Elsewhere"],
      },
    ];
    const result = assembleContext({ ...base, sections, targetId: "p42", instruction: "", memory, budgetTokens: 8000 });
    expect(result.memory.map((m) => [m.id, m.reason])).toEqual([
      ["g", "always"],
      ["m", "mentioned: Mara, page 42"],
      ["c", "mentioned: the Captain, page 41"],
    ]);
    expect(result.memory[1]!.aliases).toEqual(["Mara"]);
    const rows = result.breakdown.sections.filter((s) => s.kind === "codex");
    expect(rows.map((r) => r.label)).toEqual([
      "Gull Point (place)",
      "Mara Quill (character)",
      "Captain Orr (character)",
    ]);
    expect(rows.every((r) => r.tokens > 0)).toBe(true);
  });

  it("counts other models' tokens with the documented estimate (o200k × 1.3)", () => {
    const sections = story(3);
    const exact = assembleContext({ ...base, sections, targetId: "p2", budgetTokens: 8000 });
    const estimate = assembleContext({ ...base, sections, targetId: "p2", budgetTokens: 8000, counting: "estimate" });
    const target = (r: typeof exact) => r.parts.find((p) => p.kind === "target")!.tokens;
    expect(target(estimate)).toBe(Math.ceil(20 * 1.3) + Math.ceil(sections[1]!.tokenCount! * 1.3));
    expect(target(exact)).toBe(20 + sections[1]!.tokenCount!);
  });
});

describe("page prompts (version 2)", () => {
  it("carries a fact stated on page 3 into the prompt for page 100 through its summary", async () => {
    const sections = story(100);
    sections[2] = {
      ...sections[2]!,
      summary: { text: "Mara buries the silver key under the third step.", tokenCount: 12 },
    };
    const template = await loadTemplate("page_write");
    const payload = buildDocumentPrompt({
      document: { title: "Gull Point", description: "", language: "en" },
      sections: sections.map((s, i) => (i === 99 ? { ...s, text: "", tokenCount: 0 } : s)),
      targetId: "p100",
      instruction: "",
      templateBody: template.body,
      budgetTokens: 8000,
      counting: "o200k",
    });
    const prompt = await renderTemplate(template, payload as unknown as Record<string, unknown>);
    expect(prompt).toContain("Mara buries the silver key under the third step.");
    expect(prompt).toContain(">>> PAGE TO WRITE <<<");
    expect(payload.contextBreakdown.totalTokens).toBeLessThanOrEqual(8000);
    // The accounting is an upper bound of what is sent.
    expect(countTokens(prompt)).toBeLessThanOrEqual(payload.contextBreakdown.totalTokens);
  });

  it("prints codex text literally, never as template code", async () => {
    const template = await loadTemplate("page_revise");
    const payload = buildDocumentPrompt({
      document: { title: "T", description: "", language: "en" },
      sections: story(3),
      targetId: "p2",
      instruction: "keep {{ story.title }} as is",
      templateBody: template.body,
      budgetTokens: 8000,
      counting: "o200k",
      memory: [
        {
          id: "e",
          name: "Mara",
          kind: "character",
          description: "Says {{ x }} and {% raw %}{% endraw %} and {% include 'secret' %}.",
          activation: "always",
          tokenCount: null,
          names: ["Mara", "{{ pageCount }}"],
        },
      ],
    });
    const prompt = await renderTemplate(template, payload as unknown as Record<string, unknown>);
    expect(prompt).toContain(
      "- Mara (character; also called {{ pageCount }}): Says {{ x }} and {% raw %}{% endraw %} and {% include 'secret' %}.",
    );
    expect(prompt).toContain("The writer's instruction: keep {{ story.title }} as is");
  });
});

describe("assembleContext with stored roll-ups", () => {
  const sections = story(200);
  const target = { targetId: "p200", budgetTokens: 1500 };

  it("represents a run by its stored roll-up's text, marked as the AI's, instead of the stand-in", () => {
    const standIns = assembleContext({ ...base, sections, ...target });
    const far = standIns.parts.find((p) => p.from === 1)!;
    expect(far).toMatchObject({ kind: "rollup", source: "stand-in" });
    const text = `Across pages 1 to ${far.to} the keeper counts gulls and keeps the log.`;
    const rollups = [{ from: 1, to: far.to, text, tokenCount: countTokens(text) }];
    const result = assembleContext({ ...base, sections, ...target, rollups });
    expect(result.parts.find((p) => p.from === 1)).toMatchObject({
      kind: "rollup",
      to: far.to,
      source: "ai-rollup",
      text,
    });
    expect(result.breakdown.sections).toContainEqual(
      expect.objectContaining({ kind: "rollup", label: `Pages 1–${far.to}`, source: "ai" }),
    );
    expect(result.breakdown.totalTokens).toBeLessThanOrEqual(target.budgetTokens);
    expect(result.breakdown.pagesRepresented).toBe(200);
  });

  it("keeps the stand-in for a run without a stored roll-up of exactly that run", () => {
    const text = "A roll-up of a run the assembly never uses.";
    const result = assembleContext({
      ...base,
      sections,
      ...target,
      rollups: [{ from: 1, to: 10, text, tokenCount: null }],
    });
    expect(result.parts.some((p) => p.source === "ai-rollup")).toBe(false);
    expect(result).toEqual(assembleContext({ ...base, sections, ...target }));
  });
});
