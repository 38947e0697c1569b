import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assembleContext,
  ContextBudgetError,
  type AssemblyInput,
  type ContextSectionInput,
  type MemoryEntryInput,
  rollupBlocks,
  type StoredRollupInput,
} from "@/lib/ai/context";
import { countTokens } from "@/lib/ai/tokens";

const WORDS = ["Mara", "Tobin", "light", "sea", "the", "keeper", "walked", "Åsa", "東京", "north", "and", "quietly"];

const textArb = fc
  .array(fc.constantFrom(...WORDS, ".", "!"), { maxLength: 120 })
  .map((words) => words.join(" ").replace(/ ([.!])/g, "$1"));

const sectionArb = fc.record({
  text: textArb,
  countStored: fc.boolean(),
  summary: fc.option(fc.record({ text: textArb, stale: fc.boolean() }), { nil: undefined }),
});

const memoryArb = fc.array(
  fc.record({
    name: fc.constantFrom("Mara", "Tobin", "Åsa", "東京", "Gull Point", "Nobody"),
    description: textArb,
    activation: fc.constantFrom("always", "mentioned", "never") as fc.Arbitrary<"always" | "mentioned" | "never">,
  }),
  { maxLength: 6 },
);

const inputArb = fc
  .record({
    sections: fc.array(sectionArb, { minLength: 1, maxLength: 80 }),
    targetSeed: fc.nat(),
    neighbours: fc.integer({ min: 0, max: 3 }),
    instruction: fc.oneof(fc.constant(""), textArb),
    fixedTokens: fc.integer({ min: 0, max: 400 }),
    budgetTokens: fc.integer({ min: 50, max: 12_000 }),
    counting: fc.constantFrom("o200k", "estimate") as fc.Arbitrary<"o200k" | "estimate">,
    memory: memoryArb,
    // Stored AI roll-ups of some of the aligned runs (lib/ai/context/rollups.ts), as a story has them part way.
    rollups: fc.array(fc.record({ pick: fc.nat(), text: textArb }), { maxLength: 12 }),
  })
  .map(({ sections, targetSeed, memory, rollups, ...rest }): AssemblyInput => {
    const built: ContextSectionInput[] = sections.map((s, i) => ({
      id: `s${i}`,
      text: s.text,
      tokenCount: s.countStored ? countTokens(s.text) : null,
      summary: s.summary
        ? { text: s.summary.text, tokenCount: countTokens(s.summary.text), stale: s.summary.stale }
        : null,
    }));
    const entries: MemoryEntryInput[] = memory.map((m, i) => ({
      id: `m${i}`,
      name: m.name,
      kind: "character",
      description: m.description,
      activation: m.activation,
      tokenCount: null,
      names: [m.name],
    }));
    const blocks = rollupBlocks(built.length);
    const stored = new Map<number, StoredRollupInput>();
    for (const r of blocks.length === 0 ? [] : rollups) {
      const block = blocks[r.pick % blocks.length]!;
      stored.set(r.pick % blocks.length, {
        from: block.start + 1,
        to: block.start + block.size,
        text: r.text,
        tokenCount: r.pick % 2 === 0 ? countTokens(r.text) : null,
      });
    }
    return {
      ...rest,
      sections: built,
      targetId: `s${targetSeed % built.length}`,
      memory: entries,
      rollups: [...stored.values()],
    };
  });

/** What the instruction and the target alone cost: the only reason a request may be refused. */
function mandatory(input: AssemblyInput): number {
  const target = input.sections.find((s) => s.id === input.targetId)!;
  const scale = (n: number) => (input.counting === "o200k" || n === 0 ? n : Math.ceil(n * 1.3));
  return input.fixedTokens + scale(countTokens(input.instruction)) + scale(20) + scale(countTokens(target.text));
}

function run(input: AssemblyInput) {
  try {
    return assembleContext(input);
  } catch (error) {
    if (error instanceof ContextBudgetError) return error;
    throw error;
  }
}

describe("assembleContext (properties)", () => {
  it("is never over budget, keeps the target whole, and refuses only when the target and instruction alone do not fit", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = run(input);
        if (result instanceof ContextBudgetError) {
          expect(result.neededTokens).toBe(mandatory(input));
          expect(result.neededTokens).toBeGreaterThan(input.budgetTokens);
          return;
        }
        expect(mandatory(input)).toBeLessThanOrEqual(input.budgetTokens);
        const { breakdown, parts, memory } = result;
        expect(breakdown.totalTokens).toBeLessThanOrEqual(input.budgetTokens);
        expect(breakdown.sections.reduce((sum, s) => sum + s.tokens, 0)).toBe(breakdown.totalTokens);
        const target = parts.filter((p) => p.kind === "target");
        expect(target).toHaveLength(1);
        expect(target[0]!.text).toBe(input.sections.find((s) => s.id === input.targetId)!.text);
        // Parts are in reading order and never overlap.
        for (let i = 1; i < parts.length; i++) expect(parts[i]!.from).toBeGreaterThan(parts[i - 1]!.to);
        // Memory: never a "never" entry, never one twice.
        const ids = memory.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const m of memory) {
          expect(input.memory!.find((e) => e.id === m.id)!.activation).not.toBe("never");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("represents every page whenever the budget leaves room for one roll-up on each side", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 300, max: 3000 }), (input, extra) => {
        const budgeted = { ...input, budgetTokens: mandatory(input) + extra };
        const result = assembleContext(budgeted);
        expect(result.breakdown.pagesRepresented).toBe(input.sections.length);
        expect(result.breakdown.leftOut.filter((l) => l.kind === "pages")).toEqual([]);
        const covered = result.parts.flatMap((p) => Array.from({ length: p.to - p.from + 1 }, (_v, k) => p.from + k));
        expect(covered).toEqual(input.sections.map((_s, i) => i + 1));
        for (const part of result.parts) expect(part.text.length > 0 || part.kind !== "rollup").toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("sends a stored roll-up's text as it is for exactly its run, and says it is the AI's", () => {
    fc.assert(
      fc.property(inputArb, fc.integer({ min: 0, max: 3000 }), (input, extra) => {
        const result = run({ ...input, budgetTokens: mandatory(input) + extra });
        if (result instanceof ContextBudgetError) return;
        const byRun = new Map(input.rollups!.map((r) => [`${r.from}:${r.to}`, r.text]));
        for (const part of result.parts.filter((p) => p.kind === "rollup")) {
          const stored = byRun.get(`${part.from}:${part.to}`);
          if (part.source === "ai-rollup") expect(part.text).toBe(stored);
          else expect(part.source).toBe("stand-in");
        }
        const rows = result.breakdown.sections.filter((s) => s.kind === "rollup");
        const parts = result.parts.filter((p) => p.kind === "rollup");
        expect(rows.map((r) => r.source)).toEqual(parts.map((p) => (p.source === "ai-rollup" ? "ai" : "stand-in")));
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const a = run(input);
        const b = run(structuredClone(input));
        expect(b).toEqual(a);
      }),
      { numRuns: 150 },
    );
  });

  it("sends the whole story when it fits whole", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = assembleContext({ ...input, budgetTokens: 1_000_000 });
        expect(result.parts.map((p) => p.text)).toEqual(input.sections.map((s) => s.text));
        expect(result.parts.every((p) => p.source === "text")).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("includes every mentioned entry near the target when the budget allows", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = assembleContext({ ...input, budgetTokens: 1_000_000, neighbours: 0 });
        const t = input.sections.find((s) => s.id === input.targetId)!;
        for (const entry of input.memory!) {
          const included = result.memory.some((m) => m.id === entry.id);
          if (entry.activation === "always") expect(included).toBe(true);
          if (entry.activation === "never") expect(included).toBe(false);
          // The generated words are separated by spaces, so a whole-word name is a substring with spaces around it.
          const pattern = new RegExp(`(^|[^\\p{L}])${entry.name}($|[^\\p{L}])`, "u");
          if (entry.activation === "mentioned") {
            expect(included).toBe(pattern.test(t.text) || pattern.test(input.instruction));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
