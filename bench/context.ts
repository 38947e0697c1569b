/*
 * Context assembly benchmark (issue 11, "Measured"): `npm run bench:context`.
 *
 * Pure: no database, no model. It measures what production runs for a Generate once the story is loaded —
 * buildDocumentPrompt (lib/ai/context: assembly from stored token counts, summaries and codex) plus rendering the
 * current page_revise template — on a generated story: 1,000 pages of ~300 words, a ~40-word summary per page and 50
 * codex entries (20 of them carrying a planted fact and mentioned on the target page or its neighbours). Budgets 4,000,
 * 8,000 and 100,000 tokens. Reported: p50/p95 of assembly + render, tokens used (our count, and the real o200k count of
 * the rendered prompt) against the budget, coverage (pages represented by text, summary or roll-up), recall of the
 * planted facts, and growth with 10 / 100 / 1,000 / 5,000 pages. The old path (fitToBudget + page_revise v1, copied in
 * bench/context-old.ts) runs on the same stories in the same run, side by side.
 *
 * Env: BENCH_ITERATIONS (default 60), BENCH_WARMUP (default 5). Results: bench/results/context.md.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildDocumentPrompt, type ContextSectionInput, type MemoryEntryInput } from "@/lib/ai/context";
import { loadTemplate, renderTemplate } from "@/lib/ai/prompts";
import { countTokens } from "@/lib/ai/tokens";
import { buildDocumentPayload, ContextBudgetError as OldBudgetError } from "./context-old";
import { loadavg } from "./shared/load";
import { rng } from "./shared/rng";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 60);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const BUDGETS = [4000, 8000, 100_000];
const GROWTH_PAGES = [10, 100, 1000, 5000];

const VOCABULARY = (
  "the a of and to in was that her his it with she he they as at on for but from had by not into out over " +
  "lighthouse harbour gulls tide water lamp stairs logbook keeper boat oars rope fog bell storm wind salt night " +
  "morning shore rocks cliff village window door letter silence voice light shadow ship sail compass map key " +
  "walked climbed watched listened remembered whispered answered waited turned opened closed carried found lost " +
  "old cold grey quiet bright slow long dark small heavy strange"
).split(" ");

interface Story {
  sections: ContextSectionInput[];
  memory: MemoryEntryInput[];
  /** The planted facts, each in a codex entry mentioned on the target page or a neighbour. */
  facts: string[];
  targetIndex: number;
}

const FIRST = ["Mara", "Tobin", "Elsa", "Ivo", "Nell", "Oskar", "Rhea", "Bram", "Cora", "Dax"];
const LAST = ["Quill", "Orr", "Vance", "Hale", "Marsh"];

function makeStory(pageCount: number, seed = 11): Story {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const names = Array.from({ length: 50 }, (_v, i) => `${FIRST[i % 10]} ${LAST[Math.floor(i / 10)]}`);
  const targetIndex = Math.floor(pageCount / 2);
  const facts = Array.from(
    { length: 20 },
    (_v, i) => `Fact ${i + 1}: ${names[i]} keeps a brass token stamped K${i + 1}.`,
  );
  const memory: MemoryEntryInput[] = names.map((name, i) => {
    const description =
      i < 20 ? facts[i]! : `${name} lives near the harbour and remembers the storm of the ${i}th winter.`;
    return {
      id: `e${i}`,
      name,
      kind: i % 5 === 4 ? "place" : "character",
      description,
      activation: i >= 47 ? "always" : "mentioned",
      tokenCount: countTokens([name, description].join("\n")),
      names: [name],
    };
  });
  const sections: ContextSectionInput[] = [];
  for (let p = 0; p < pageCount; p++) {
    const words: string[] = [];
    for (let w = 0; w < 300; w++) {
      words.push(w % 60 === 5 ? names[20 + Math.floor(random() * 27)]! : pick(VOCABULARY));
      if (w % 14 === 13) words[words.length - 1] += ".";
    }
    // The fact entries are mentioned only near the target: 10 on it, 5 on each neighbour.
    if (p === targetIndex) words.push(...names.slice(0, 10).map((n) => `${n} nodded.`));
    if (p === targetIndex - 1) words.push(...names.slice(10, 15).map((n) => `${n} waited.`));
    if (p === targetIndex + 1) words.push(...names.slice(15, 20).map((n) => `${n} left.`));
    const text = `${words.join(" ")}.`.replace(/^./, (c) => c.toUpperCase());
    const summary = `On page ${p + 1} ${pick(names.slice(20))} ${pick(["climbs", "watches", "crosses", "searches"])} the ${pick(VOCABULARY.slice(22, 60))} while the ${pick(VOCABULARY.slice(22, 60))} ${pick(["rises", "fades", "turns"])}. A ${pick(VOCABULARY.slice(22, 60))} is found near the ${pick(VOCABULARY.slice(22, 60))}, and nobody speaks of it until night.`;
    sections.push({
      id: `p${p}`,
      text,
      tokenCount: countTokens(text),
      summary: { text: summary, tokenCount: countTokens(summary) },
    });
  }
  return { sections, memory, facts, targetIndex };
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function time(run: () => Promise<unknown>, iterations = ITERATIONS) {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

// Revising a page (Generate on a page with text): the target's own text is in the prompt, and the codex entries it
// mentions — the recall check needs that.
const templateV2 = await loadTemplate("page_revise");
const templateV1 = await loadTemplate("page_revise", 1);
const INSTRUCTION = "darker, and half as long";
const document = { title: "The Keeper of Gull Point", description: "A lighthouse story.", language: "en" };

function assembleOnly(story: Story, budgetTokens: number, targetIndex = story.targetIndex) {
  const sections = story.sections;
  return buildDocumentPrompt({
    document,
    sections,
    targetId: `p${targetIndex}`,
    instruction: INSTRUCTION,
    templateBody: templateV2.body,
    budgetTokens,
    counting: "o200k",
    memory: story.memory,
  });
}

/** The production path: assembly from stored counts + rendering the current template. */
async function newPath(story: Story, budgetTokens: number, targetIndex = story.targetIndex) {
  const sections = story.sections;
  const payload = buildDocumentPrompt({
    document,
    sections,
    targetId: `p${targetIndex}`,
    instruction: INSTRUCTION,
    templateBody: templateV2.body,
    budgetTokens,
    counting: "o200k",
    memory: story.memory,
  });
  const prompt = await renderTemplate(templateV2, payload as unknown as Record<string, unknown>);
  return { payload, prompt };
}

/** The old path, as it ran before story memory. Null when it refused the request. */
async function oldPath(story: Story, budgetTokens: number, targetIndex = story.targetIndex) {
  try {
    const built = buildDocumentPayload({
      document,
      sections: story.sections.map((s) => ({ id: s.id, text: s.text })),
      targetId: `p${targetIndex}`,
      instruction: INSTRUCTION,
      templateBody: templateV1.body,
      budgetTokens,
    });
    const prompt = await renderTemplate(templateV1, built.payload as unknown as Record<string, unknown>);
    return { built, prompt };
  } catch (error) {
    if (error instanceof OldBudgetError) return null;
    throw error;
  }
}

const fmt = (n: number) => n.toFixed(2);
const int = (n: number) => n.toLocaleString("en-US");

const loadStart = loadavg();
const startedAt = new Date();
const story = makeStory(1000);

interface Row {
  budget: number;
  newP50: number;
  newP95: number;
  asmP50: number;
  asmP95: number;
  oldP50: number | null;
  oldP95: number | null;
  newTokens: number;
  newRealTokens: number;
  oldTokens: string;
  coverage: number;
  oldCoverage: string;
  recall: number;
  oldRecall: string;
  parts: string;
  maxOverBudget: number;
}

const rows: Row[] = [];
for (const budget of BUDGETS) {
  // Targets spread across the story, so the timings are not of one lucky page.
  let k = 0;
  const targets = Array.from({ length: 17 }, (_v, i) => Math.floor(((i + 0.5) * story.sections.length) / 17));
  const timingNew = await time(() => newPath(story, budget, targets[k++ % targets.length]));
  k = 0;
  const timingAssembly = await time(async () => assembleOnly(story, budget, targets[k++ % targets.length]));
  k = 0;
  const oldProbe = await oldPath(story, budget);
  const timingOld = oldProbe ? await time(() => oldPath(story, budget, targets[k++ % targets.length])) : null;

  // Never over budget, for every target: our count and the real o200k count of the rendered prompt.
  let maxOverBudget = Number.NEGATIVE_INFINITY;
  for (const t of targets) {
    const { payload, prompt } = await newPath(story, budget, t);
    maxOverBudget = Math.max(
      maxOverBudget,
      payload.contextBreakdown.totalTokens - budget,
      countTokens(prompt) - budget,
    );
  }
  const { payload, prompt } = await newPath(story, budget);
  const kinds = new Map<string, number>();
  for (const part of payload.context) kinds.set(part.kind, (kinds.get(part.kind) ?? 0) + 1);
  const oldRecall = oldProbe ? story.facts.filter((f) => oldProbe.prompt.includes(f)).length : 0;
  rows.push({
    budget,
    newP50: timingNew.p50,
    newP95: timingNew.p95,
    asmP50: timingAssembly.p50,
    asmP95: timingAssembly.p95,
    oldP50: timingOld?.p50 ?? null,
    oldP95: timingOld?.p95 ?? null,
    newTokens: payload.contextBreakdown.totalTokens,
    newRealTokens: countTokens(prompt),
    oldTokens: oldProbe
      ? `${int(oldProbe.built.budget.estimatedTokens)} (real ${int(countTokens(oldProbe.prompt))})`
      : "refused",
    coverage: payload.contextBreakdown.pagesRepresented,
    oldCoverage: oldProbe
      ? `${oldProbe.built.budget.sections.filter((s) => s.fit !== "omitted").length} (${oldProbe.built.budget.sections.filter((s) => s.fit === "shortened").length} shortened)`
      : "0 (refused)",
    recall: story.facts.filter((f) => prompt.includes(f)).length,
    oldRecall: oldProbe ? `${oldRecall}` : "0 (refused)",
    parts: [...kinds].map(([kind, count]) => `${count} ${kind}`).join(", "),
    maxOverBudget,
  });
  console.log(
    `budget ${budget}: new p50 ${fmt(timingNew.p50)} p95 ${fmt(timingNew.p95)} ms; old ${timingOld ? fmt(timingOld.p50) : "refused"}`,
  );
}

const growth: {
  pages: number;
  newP50: number;
  newP95: number;
  oldP50: number | null;
  oldP95: number | null;
  coverage: number;
}[] = [];
for (const pages of GROWTH_PAGES) {
  const s = makeStory(pages, 17);
  const n = await time(() => newPath(s, 8000), pages >= 5000 ? Math.min(ITERATIONS, 30) : ITERATIONS);
  const probe = await oldPath(s, 8000);
  const o = probe ? await time(() => oldPath(s, 8000), pages >= 5000 ? Math.min(ITERATIONS, 30) : ITERATIONS) : null;
  const { payload } = await newPath(s, 8000);
  growth.push({
    pages,
    newP50: n.p50,
    newP95: n.p95,
    oldP50: o?.p50 ?? null,
    oldP95: o?.p95 ?? null,
    coverage: payload.contextBreakdown.pagesRepresented,
  });
  console.log(`growth ${pages}: new p50 ${fmt(n.p50)} p95 ${fmt(n.p95)} ms`);
}
const loadEnd = loadavg();

const ratio = (a: number, b: number | null) => (b === null ? "—" : `${(a / b).toFixed(2)}×`);
const lines = [
  "# Context assembly benchmark",
  "",
  `Date: ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC · Command: \`npm run bench:context\` (BENCH_ITERATIONS=${ITERATIONS}, BENCH_WARMUP=${WARMUP})`,
  "",
  `Machine: ${os.cpus().length} vCPU (${os.cpus()[0]?.model ?? "unknown"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; Node ${process.version}. Load (/proc/loadavg 1/5/15 min) at start ${loadStart}, at end ${loadEnd} — the machine is shared with other agents, so p95 carries their noise.`,
  "",
  "Story: 1,000 generated pages of ~300 words (~400 o200k tokens each), a ~40-word summary per page, 50 codex entries",
  "(3 `always`, 47 `when mentioned`); 20 entries carry a planted fact and are mentioned only on the target page (10) or",
  "its neighbours (5 each). Token counts are stored with the texts, as in the database. Timed: `buildDocumentPrompt`",
  "(context assembly) + rendering `page_revise` v2 — what Generate on a written page runs once the rows are loaded — for 17 targets spread",
  "over the story, after warm-up. The old path is `fitToBudget` + `page_revise` v1, copied in `bench/context-old.ts`,",
  "on the same story in the same process.",
  "",
  "## 1,000 pages",
  "",
  "| Budget | new p50 (ms) | new p95 (ms) | assembly alone p50 / p95 (ms) | old p50 (ms) | old p95 (ms) | new/old p50 | tokens used (new; real o200k of the prompt) | tokens (old; estimate and real) | pages represented (new) | pages kept (old) | facts recalled (new) | facts (old) | parts (new, target page 500) |",
  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ...rows.map(
    (r) =>
      `| ${int(r.budget)} | ${fmt(r.newP50)} | ${fmt(r.newP95)} | ${fmt(r.asmP50)} / ${fmt(r.asmP95)} | ${r.oldP50 === null ? "refused" : fmt(r.oldP50)} | ${r.oldP95 === null ? "refused" : fmt(r.oldP95)} | ${ratio(r.newP50, r.oldP50)} | ${int(r.newTokens)}; ${int(r.newRealTokens)} | ${r.oldTokens} | ${int(r.coverage)} / 1,000 | ${r.oldCoverage} | ${r.recall} / 20 | ${r.oldRecall} | ${r.parts} |`,
  ),
  "",
  `Never over budget: over all 17 targets and the three budgets, the largest (tokens − budget) by our count or by the real o200k count of the rendered prompt was ${Math.max(...rows.map((r) => r.maxOverBudget))} (negative = under).`,
  "",
  "## Growth (budget 8,000)",
  "",
  "| Pages | new p50 (ms) | new p95 (ms) | old p50 (ms) | old p95 (ms) | pages represented (new) |",
  "| ---: | ---: | ---: | ---: | ---: | ---: |",
  ...growth.map(
    (g) =>
      `| ${int(g.pages)} | ${fmt(g.newP50)} | ${fmt(g.newP95)} | ${g.oldP50 === null ? "refused" : fmt(g.oldP50)} | ${g.oldP95 === null ? "refused" : fmt(g.oldP95)} | ${int(g.coverage)} / ${int(g.pages)} |`,
  ),
  "",
];
const out = path.join(import.meta.dirname, "results", "context.md");
const existing = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
const notesAt = existing.indexOf("\n## Notes");
fs.writeFileSync(out, lines.join("\n") + (notesAt >= 0 ? existing.slice(notesAt) : ""));
console.log(`wrote ${out}`);
