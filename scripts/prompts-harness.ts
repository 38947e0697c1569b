import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { loadTemplate, renderTemplate } from "../lib/ai/prompts";

/**
 * The prompt regression harness. Each fixture (tests/fixtures/prompts/<name>.json) names a template family, optionally
 * a version, and a payload; its rendered prompt is recorded in tests/fixtures/prompts/recorded/<name>.txt. A template
 * change that alters a rendered prompt fails `npm run prompts:check` (and `npm test`, which runs
 * tests/prompts/regression.test.ts) until `npm run prompts:record` records it on purpose, so the change shows up in
 * review as a change to the recorded prompts.
 */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, "..", "tests", "fixtures", "prompts");
export const RECORDED_DIR = path.join(FIXTURES_DIR, "recorded");

const fixtureSchema = z.object({
  template: z.string().regex(/^[a-z][a-z0-9_]*$/),
  version: z.number().int().min(1).optional(),
  note: z.string().optional(),
  payload: z.record(z.string(), z.unknown()),
});

export interface RenderedFixture {
  name: string;
  template: string;
  version: number;
  text: string;
  recordedFile: string;
}

export async function renderFixtures(dir = FIXTURES_DIR): Promise<RenderedFixture[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  const out: RenderedFixture[] = [];
  for (const file of names) {
    const name = file.replace(/\.json$/, "");
    const fixture = fixtureSchema.parse(JSON.parse(await fs.readFile(path.join(dir, file), "utf8")));
    const template = await loadTemplate(fixture.template, fixture.version);
    out.push({
      name,
      template: template.key,
      version: template.version,
      text: await renderTemplate(template, fixture.payload),
      recordedFile: path.join(dir, "recorded", `${name}.txt`),
    });
  }
  return out;
}

export interface Mismatch {
  name: string;
  recordedFile: string;
  reason: "missing" | "changed";
  firstDifferentLine: number | null;
}

/** Fixtures whose rendered prompt is not the recorded one (or has no recording yet). */
export async function checkRecorded(dir = FIXTURES_DIR): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  for (const r of await renderFixtures(dir)) {
    const recorded = await fs.readFile(r.recordedFile, "utf8").catch(() => null);
    if (recorded === null) {
      mismatches.push({ name: r.name, recordedFile: r.recordedFile, reason: "missing", firstDifferentLine: null });
    } else if (recorded !== r.text) {
      const a = recorded.split("\n");
      const b = r.text.split("\n");
      let line = 0;
      while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
      mismatches.push({ name: r.name, recordedFile: r.recordedFile, reason: "changed", firstDifferentLine: line + 1 });
    }
  }
  return mismatches;
}

/** Writes every fixture's rendered prompt as its recording; returns the names whose recording changed. */
export async function recordAll(dir = FIXTURES_DIR): Promise<string[]> {
  const changed: string[] = [];
  await fs.mkdir(path.join(dir, "recorded"), { recursive: true });
  for (const r of await renderFixtures(dir)) {
    const before = await fs.readFile(r.recordedFile, "utf8").catch(() => null);
    if (before !== r.text) {
      await fs.writeFile(r.recordedFile, r.text);
      changed.push(r.name);
    }
  }
  return changed;
}
