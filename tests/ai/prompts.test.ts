import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashPrompt, loadTemplate, parseTemplate, PromptTemplateError, renderTemplate } from "@/lib/ai/prompts";

const payload = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures", "story-payload.json"), "utf8"));

// The snapshots are committed: any change to a prompt shows up in review as a change to these files.
describe("prompt templates", () => {
  it.each(["page_write", "page_revise"])("%s renders the fixture exactly as committed", async (key) => {
    const template = await loadTemplate(key);
    expect(template.key).toBe(key);
    expect(template.version).toBeGreaterThanOrEqual(1);
    const text = await renderTemplate(template, payload);
    await expect(text).toMatchFileSnapshot(`./__snapshots__/${key}.v${template.version}.txt`);
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
