import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashPrompt, loadTemplate, parseTemplate, PromptTemplateError, renderTemplate } from "@/lib/ai/prompts";

const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8")) as Record<string, unknown>;
/** A version-1 payload as jobs recorded it before story memory (whole pages, "shortened"/"omitted" marks). */
const payloadV1 = fixture("story-payload.json");
/** A version-2 payload built by buildDocumentPrompt: codex entries, neighbours, a summary, a roll-up. */
const payloadV2 = fixture("story-payload.v2.json");
/** Version 3 adds the constraints every prompt carries (the content rating the job is held to). */
const payload: Record<string, unknown> = {
  ...payloadV2,
  constraints: ["Content rating Teen: mild violence and language at most; romance without sexual detail."],
};

// The snapshots are committed: any change to a prompt shows up in review as a change to these files.
describe("prompt templates", () => {
  it.each(["page_write", "page_revise"])("%s renders the fixture exactly as committed", async (key) => {
    const template = await loadTemplate(key);
    expect(template.key).toBe(key);
    expect(template.version).toBe(3);
    const text = await renderTemplate(template, payload);
    await expect(text).toMatchFileSnapshot(`./__snapshots__/${key}.v${template.version}.txt`);
  });

  // The v1 snapshots were taken from the templates as they were before version 2: a job recorded with version 1
  // renders again exactly as it was sent.
  it.each(["page_write", "page_revise"])("%s version 1 renders a recorded v1 payload unchanged", async (key) => {
    const template = await loadTemplate(key, 1);
    expect(template.file).toContain(path.join("prompts", "versions", `${key}.v1.liquid`));
    const text = await renderTemplate(template, payloadV1);
    await expect(text).toMatchFileSnapshot(`./__snapshots__/${key}.v1.txt`);
  });

  it.each(["page_write", "page_revise"])("%s version 2 renders a recorded v2 payload unchanged", async (key) => {
    const template = await loadTemplate(key, 2);
    expect(template.file).toContain(path.join("prompts", "versions", `${key}.v2.liquid`));
    const text = await renderTemplate(template, payloadV2);
    await expect(text).toMatchFileSnapshot(`./__snapshots__/${key}.v2.txt`);
  });

  it("renders without an instruction", async () => {
    const text = await renderTemplate(await loadTemplate("page_revise"), { ...payload, instruction: "" });
    expect(text).toContain("No specific instruction");
    expect(text).not.toContain("The writer's instruction");
  });

  it("fails loudly on a variable the payload lacks", async () => {
    const template = await loadTemplate("page_write");
    const { story: _omit, ...withoutStory } = payload;
    await expect(renderTemplate(template, withoutStory)).rejects.toThrow(/story/);
  });

  it("refuses templates without proper front matter, and unknown versions", async () => {
    expect(() => parseTemplate("no front matter", "x.liquid")).toThrow(PromptTemplateError);
    expect(() => parseTemplate("---\nkey: Bad Key\nversion: 1\ndescription: d\n---\nbody", "x.liquid")).toThrow(
      PromptTemplateError,
    );
    await expect(loadTemplate("page_write", 999)).rejects.toThrow(/version 999/);
    await expect(loadTemplate("../etc/passwd")).rejects.toThrow(PromptTemplateError);
  });

  it("hashes the rendered prompt stably", () => {
    expect(hashPrompt("abc")).toBe(hashPrompt("abc"));
    expect(hashPrompt("abc")).not.toBe(hashPrompt("abd"));
    expect(hashPrompt("abc")).toMatch(/^[0-9a-f]{64}$/);
  });
});
