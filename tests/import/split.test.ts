import { describe, expect, it } from "vitest";
import type { ManuscriptBlock } from "@/lib/stories/import/document";
import { withTitle } from "@/lib/stories/import/document";
import { markdownBlocks } from "@/lib/stories/import/markdown";
import { cutToFit, splitManuscript } from "@/lib/stories/import/split";
import { textBlocks } from "@/lib/stories/import/text";
import { sampleMarkdown } from "./fixtures";

const p = (text: string): ManuscriptBlock => ({ type: "paragraph", text });
const h = (depth: number, text: string): ManuscriptBlock => ({ type: "heading", depth, text });
const br: ManuscriptBlock = { type: "break" };

describe("splitting a manuscript into pages", () => {
  const blocks = [h(1, "One"), p("a a a"), br, p("b b b"), h(1, "Two"), p("c c c"), h(2, "Scene"), p("d")];

  it("by headings: a page per chapter-level heading, written as # (sub-headings as ##)", () => {
    const { pages } = splitManuscript(blocks, { mode: "headings", targetLength: 12_000 });
    expect(pages).toEqual(["# One\n\na a a\n\nb b b", "# Two\n\nc c c\n\n## Scene\n\nd"]);
  });

  it("by page breaks: a page per break, headings kept as lines", () => {
    const { pages } = splitManuscript(blocks, { mode: "breaks", targetLength: 12_000 });
    expect(pages).toEqual(["# One\n\na a a", "b b b\n\n# Two\n\nc c c\n\n## Scene\n\nd"]);
  });

  it("by length: paragraphs packed up to the target, none split while they fit", () => {
    const paras = Array.from({ length: 10 }, (_, i) => p(`${i}`.repeat(300)));
    const { pages } = splitManuscript(paras, { mode: "length", targetLength: 700 });
    expect(pages).toHaveLength(5);
    expect(pages.every((page) => page.length <= 700)).toBe(true);
    expect(pages.join("\n\n")).toBe(paras.map((b) => (b.type === "paragraph" ? b.text : "")).join("\n\n"));
  });

  it("a page over the page limit is split further, never truncated", () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
    const { pages, splitFurther } = splitManuscript(
      [h(1, "Long"), p(long)],
      { mode: "headings", targetLength: 12_000 },
      300,
    );
    expect(splitFurther).toBe(1);
    expect(pages.length).toBeGreaterThan(3);
    expect(pages.every((page) => page.length <= 300)).toBe(true);
    // Every word survives, in order.
    expect(pages.join(" ").replace(/\s+/g, " ")).toBe(`# Long ${long}`);
  });

  it("cuts one unbroken run mid-word rather than lose it", () => {
    const parts = cutToFit("x".repeat(1000), 300);
    expect(parts.map((s) => s.length)).toEqual([300, 300, 300, 100]);
  });
});

describe("reading title and description", () => {
  it("Markdown: the one top heading is the title, the paragraph under it the description", () => {
    const m = withTitle(markdownBlocks(sampleMarkdown));
    expect(m.title).toBe("The Garden");
    expect(m.description).toBe("A short book about a garden.");
    expect(m.blocks[0]).toEqual(h(2, "Spring"));
    expect(m.blocks.some((b) => b.type === "break")).toBe(true);
  });

  it("no title when a later heading outranks the first", () => {
    const m = withTitle([h(1, "One"), p("x"), h(1, "Two"), p("y")]);
    expect(m.title).toBeNull();
    expect(m.blocks).toHaveLength(4);
  });

  it("a lone heading over the only text keeps that text as the story, not the description", () => {
    const m = withTitle([h(1, "Title"), p("All the text.")]);
    expect(m.title).toBe("Title");
    expect(m.description).toBeNull();
    expect(m.blocks).toEqual([p("All the text.")]);
  });

  it("plain text: chapter lines are headings and a form feed is a page break", () => {
    const blocks = textBlocks("Chapter 1\n\nText.\fMore.");
    expect(blocks).toEqual([h(1, "Chapter 1"), p("Text."), br, p("More.")]);
  });
});
