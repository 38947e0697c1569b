import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { createCodexEntry, exportStory, type Actor, type ExportFormat } from "@/lib/stories";
import { contentDisposition } from "@/lib/stories/export/filename";
import { escapeMarkdownLine, parseBlocks } from "@/lib/stories/export/text";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory, randomId } from "../helpers/fixtures";
import { checkEpub, type EpubPackage } from "./epub-check";

/** Every format of the export: content, reading order, escaping, empty pages and stories, the codex appendix. */
useTestDb();

async function bytesOf(actor: Actor, storyId: string, format: ExportFormat, extra: Record<string, string> = {}) {
  const file = await exportStory(actor, { storyId, format, ...extra });
  return { file, bytes: new Uint8Array(await new Response(file.body).arrayBuffer()) };
}
const textOf = async (actor: Actor, storyId: string, format: "md" | "txt", extra: Record<string, string> = {}) =>
  new TextDecoder().decode((await bytesOf(actor, storyId, format, extra)).bytes);

async function epubOf(actor: Actor, storyId: string, extra: Record<string, string> = {}): Promise<EpubPackage> {
  const { bytes } = await bytesOf(actor, storyId, "epub", extra);
  return checkEpub(bytes);
}

/** The text of a DOCX's main document part, runs joined per paragraph. */
async function docxParagraphs(actor: Actor, storyId: string, extra: Record<string, string> = {}): Promise<string[]> {
  const { bytes } = await bytesOf(actor, storyId, "docx", extra);
  const files = unzipSync(bytes);
  expect(Object.keys(files)).toContain("[Content_Types].xml");
  const xml = strFromU8(files["word/document.xml"]!);
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)]
    .map((p) =>
      [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
        .map((t) => t[1]!)
        .join("")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&"),
    )
    .filter((t) => t !== "");
}

const tricky = `# Chapter <One> & "Two"\nTom & Jerry <b>bold</b> 'quoted' *stars* _under_ [link](x) \`code\`\nsecond line\u0001\n\n- not a list\n1. not a numbered list\n> not a quote`;

describe("export formats", () => {
  it("Markdown: title, description, pages in order with breaks, headings, everything else escaped", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["First page.", tricky, "", "Last page."], "My *Book*");
    const md = await textOf(owner, story.id, "md");
    expect(md.startsWith("# My \\*Book\\*\n")).toBe(true);
    expect(md.indexOf("First page.")).toBeLessThan(md.indexOf("Chapter"));
    expect(md.indexOf("Chapter")).toBeLessThan(md.indexOf("Last page."));
    expect(md).toContain('## Chapter \\<One\\> & "Two"\n');
    expect(md).toContain(
      "Tom & Jerry \\<b\\>bold\\</b\\> 'quoted' \\*stars\\* \\_under\\_ \\[link\\](x) \\`code\\`\\\nsecond line\n",
    );
    expect(md).toContain("\n\\- not a list\\\n1\\. not a numbered list\\\n\\> not a quote\n");
    expect(md).not.toContain("\u0001");
    // Four pages → three breaks (the empty page keeps its place).
    expect(md.match(/^\* \* \*$/gm)).toHaveLength(3);
  });

  it("escapes Markdown block syntax at the start of a line and entities anywhere", () => {
    expect(escapeMarkdownLine("### deep")).toBe("\\### deep");
    expect(escapeMarkdownLine("+ plus")).toBe("\\+ plus");
    expect(escapeMarkdownLine("===")).toBe("\\===");
    expect(escapeMarkdownLine("    indented")).toBe("indented");
    expect(escapeMarkdownLine("AT&amp;T &copy; a & b")).toBe("AT\\&amp;T \\&copy; a & b");
    expect(escapeMarkdownLine("back\\slash")).toBe("back\\\\slash");
    expect(parseBlocks("#nospace\n## Real ##\n\n\ntext")).toEqual([
      { kind: "paragraph", lines: ["#nospace"] },
      { kind: "heading", level: 2, text: "Real" },
      { kind: "paragraph", lines: ["text"] },
    ]);
  });

  it("plain text: the title underlined, pages in order, headings without #, nothing escaped", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["One.", tricky, "Three."], "Plain");
    const txt = await textOf(owner, story.id, "txt");
    expect(txt.startsWith("Plain\n=====\n")).toBe(true);
    expect(txt).toContain('Chapter <One> & "Two"\n=====================\n\nTom');
    expect(txt).toContain("Tom & Jerry <b>bold</b> 'quoted' *stars*");
    expect(txt.indexOf("One.")).toBeLessThan(txt.indexOf("Tom & Jerry"));
    expect(txt.indexOf("Tom & Jerry")).toBeLessThan(txt.indexOf("Three."));
    expect(txt).not.toContain("\u0001");
  });

  it("a story with no pages exports as its title page in every format", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, [], "Nothing yet");
    expect(await textOf(owner, story.id, "md")).toBe("# Nothing yet\n");
    expect(await textOf(owner, story.id, "txt")).toBe("Nothing yet\n===========\n");
    const epub = await epubOf(owner, story.id);
    expect(epub.spine).toEqual(["title.xhtml"]);
    expect(epub.navLabels).toEqual(["Title page"]);
    expect(await docxParagraphs(owner, story.id)).toEqual(["Nothing yet", "Contents"]);
  });

  it("DOCX: title page, contents, pages in order with their text escaped, the codex appendix", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["First.", tricky, "", "Last."], "Word & <Doc>");
    await createCodexEntry(owner, {
      storyId: story.id,
      kind: "character",
      name: "Mara <Fox>",
      aliases: ["M&M"],
      description: "A pilot.",
    });
    const paragraphs = await docxParagraphs(owner, story.id, { codex: "true" });
    expect(paragraphs[0]).toBe("Word & <Doc>");
    expect(paragraphs.slice(1, 6)).toEqual(["Contents", "Page 1", 'Page 2: Chapter <One> & "Two"', "Page 3", "Page 4"]);
    const body = paragraphs.slice(6);
    expect(body[0]).toBe("First.");
    expect(body[1]).toBe('Chapter <One> & "Two"');
    expect(body[2]).toBe("Tom & Jerry <b>bold</b> 'quoted' *stars* _under_ [link](x) `code`second line");
    expect(body.indexOf("Last.")).toBeGreaterThan(body.indexOf("- not a list"));
    expect(body.slice(-5)).toEqual(["Appendix: Codex", "Characters", "Mara <Fox>", "Also called: M&M", "A pilot."]);
  });

  it("EPUB: a valid package — mimetype first and stored, container, OPF manifest and spine, nav and NCX", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["First.", tricky, "", "Last."], "Ebook & <Co>");
    const epub = await epubOf(owner, story.id);
    expect(epub.title).toBe("Ebook & <Co>");
    expect(epub.spine).toEqual([
      "title.xhtml",
      "page-00001.xhtml",
      "page-00002.xhtml",
      "page-00003.xhtml",
      "page-00004.xhtml",
    ]);
    expect(epub.navLabels).toEqual(["Title page", "Page 1", 'Page 2: Chapter <One> & "Two"', "Page 3", "Page 4"]);
    expect(epub.ncxLabels).toEqual(epub.navLabels);
    const page2 = epub.text("page-00002.xhtml");
    expect(page2).toContain('<h2 id="h1">Chapter &lt;One&gt; &amp; &quot;Two&quot;</h2>');
    expect(page2).toContain("Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; &apos;quoted&apos;");
    expect(page2).not.toContain("\u0001");
    expect(epub.text("page-00003.xhtml")).toContain('<section class="page" id="page-3">\n\n</section>');
    expect(epub.text("title.xhtml")).toContain('<h1 class="title">Ebook &amp; &lt;Co&gt;</h1>');
  });

  it("EPUB: contents by chapter heading link into the pages; a story without headings falls back to pages", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["# One\nText.", "More of one.", "# Two\nText.\n\n## Two, part b\nMore."]);
    const epub = await epubOf(owner, story.id, { toc: "chapters" });
    expect(epub.navLabels).toEqual(["Title page", "One", "Two", "Two, part b"]);
    expect(epub.navHrefs).toEqual(["title.xhtml", "page-00001.xhtml#h1", "page-00003.xhtml#h1", "page-00003.xhtml#h2"]);
    expect(epub.spine).toHaveLength(4);
    const { story: plain } = await makeStory(owner, ["a", "b"]);
    expect((await epubOf(owner, plain.id, { toc: "chapters" })).navLabels).toEqual(["Title page", "Page 1", "Page 2"]);
  });

  it("the codex appendix: by kind then name, in every format; left out unless asked for", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["Page."]);
    await createCodexEntry(owner, { storyId: story.id, kind: "place", name: "Harbour", description: "Wet & windy." });
    await createCodexEntry(owner, { storyId: story.id, kind: "character", name: "Zed" });
    await createCodexEntry(owner, { storyId: story.id, kind: "character", name: "Ann *A*", aliases: ["Annie"] });
    const md = await textOf(owner, story.id, "md", { codex: "true" });
    const appendix = md.slice(md.indexOf("## Appendix: Codex"));
    expect(appendix).toBe(
      "## Appendix: Codex\n\n### Characters\n\n**Ann \\*A\\***\n\n*Also called: Annie*\n\n**Zed**\n\n### Places\n\n**Harbour**\n\nWet & windy.\n",
    );
    expect(await textOf(owner, story.id, "md")).not.toContain("Codex");
    expect(await textOf(owner, story.id, "txt", { codex: "1" })).toContain(
      "Appendix: Codex\n===============\n\nCharacters\n----------\n\nAnn *A*\nAlso called: Annie\n\nZed\n",
    );
    const epub = await epubOf(owner, story.id, { codex: "true" });
    expect(epub.spine.at(-1)).toBe("codex.xhtml");
    expect(epub.navLabels.at(-1)).toBe("Appendix: Codex");
    expect(epub.text("codex.xhtml")).toContain(
      "<dd>\n<p>Wet &amp; windy.</p>\n</dd>".replace("\n<p>", "<p>").replace("</p>\n", "</p>"),
    );
  });

  it("streams many pages in order across database batches", async () => {
    const owner = await makeActor();
    const contents = Array.from({ length: 120 }, (_, i) => `Page number ${i + 1}.`);
    const { story } = await makeStory(owner, contents);
    const txt = await textOf(owner, story.id, "txt");
    const found = [...txt.matchAll(/Page number (\d+)\./g)].map((m) => Number(m[1]));
    expect(found).toEqual(contents.map((_, i) => i + 1));
    const epub = await epubOf(owner, story.id);
    expect(epub.spine).toHaveLength(121);
    expect(epub.text("page-00120.xhtml")).toContain("Page number 120.");
  });

  it("names the file after the story (ASCII fallback and RFC 5987 UTF-8) with each format's content type", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["x"], 'Café: "Noir" / 2');
    const { file } = await bytesOf(owner, story.id, "epub");
    expect(file.contentType).toBe("application/epub+zip");
    expect(file.disposition).toBe(
      `attachment; filename="Cafe Noir 2.epub"; filename*=UTF-8''Caf%C3%A9%20Noir%202.epub`,
    );
    expect(contentDisposition("../..", "md")).toBe(`attachment; filename="story.md"; filename*=UTF-8''story.md`);
    expect(contentDisposition("日本語 (1)", "txt")).toBe(
      `attachment; filename="_ (1).txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E%20%281%29.txt`,
    );
    expect((await bytesOf(owner, story.id, "md")).file.contentType).toBe("text/markdown; charset=utf-8");
    expect((await bytesOf(owner, story.id, "txt")).file.contentType).toBe("text/plain; charset=utf-8");
    expect((await bytesOf(owner, story.id, "docx")).file.contentType).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
  });

  it("refuses a bad format or option and an unknown story, before any byte", async () => {
    const owner = await makeActor();
    const { story } = await makeStory(owner, ["x"]);
    await expectAppError(exportStory(owner, { storyId: story.id, format: "pdf" }), "VALIDATION");
    await expectAppError(exportStory(owner, { storyId: story.id, format: "md", toc: "words" }), "VALIDATION");
    await expectAppError(exportStory(owner, { storyId: story.id, format: "md", codex: "maybe" }), "VALIDATION");
    await expectAppError(exportStory(owner, { storyId: randomId(), format: "md" }), "NOT_FOUND");
    await expectAppError(exportStory(null, { storyId: story.id, format: "md" }), "UNAUTHENTICATED");
  });
});
