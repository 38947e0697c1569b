import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkRecorded, FIXTURES_DIR, recordAll, renderFixtures } from "@/scripts/prompts-harness";

// `npm run prompts:check` runs this file; `npm test` runs it with the rest of the unit tests.
describe("prompt regression harness", () => {
  it("every fixture renders exactly its recorded prompt (npm run prompts:record to update on purpose)", async () => {
    const mismatches = await checkRecorded();
    expect(
      mismatches.map((m) =>
        m.reason === "missing"
          ? `${m.name}: no recording (${m.recordedFile})`
          : `${m.name}: the rendered prompt differs from ${m.recordedFile} from line ${m.firstDifferentLine}`,
      ),
    ).toEqual([]);
  });

  it("covers every built-in template family", async () => {
    const families = new Set((await renderFixtures()).map((r) => r.template));
    const files = (await fs.readdir(path.resolve(FIXTURES_DIR, "..", "..", "..", "prompts"))).filter((n) =>
      n.endsWith(".liquid"),
    );
    expect([...families].sort()).toEqual(files.map((n) => n.replace(/\.liquid$/, "")).sort());
  });

  it("notices a template change that alters a rendered prompt, until it is recorded", async () => {
    // A copy of the fixtures, with one recording as an older template would have rendered it.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "prompt-fixtures-"));
    await fs.cp(FIXTURES_DIR, dir, { recursive: true });
    const file = path.join(dir, "recorded", "page_write.story.txt");
    await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace("fiction co-author", "fiction ghostwriter"));
    expect(await checkRecorded(dir)).toMatchObject([
      { name: "page_write.story", reason: "changed", firstDifferentLine: 1 },
    ]);
    expect(await recordAll(dir)).toEqual(["page_write.story"]);
    expect(await checkRecorded(dir)).toEqual([]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
