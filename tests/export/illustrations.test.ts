import crypto from "node:crypto";
import { strFromU8, unzipSync } from "fflate";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { pageIllustrations, type ImageContentType } from "@/db/illustrations-schema";
import { databaseImageStore, sniffImage } from "@/lib/ai";
import { exportStory, type Actor, type ExportFormat } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { addMember, expectAppError, makeActor, makeStory } from "../helpers/fixtures";
import { samplePng } from "../illustrations/helpers";
import { checkEpub } from "./epub-check";

/**
 * Illustrations in the exports: each page's chosen illustration becomes an image of the EPUB (manifest item with
 * the type read from its bytes, an <img> with the scene as alt text) and of the DOCX (a drawing with its media part
 * and relationship), a `[Illustration: …]` line in plain text, and a zip bundle for Markdown (`![scene](images/…)`
 * beside the images). Attempts not chosen stay out; `illustrations=false` leaves them all out; readers only.
 */
useTestDb();

/** A tiny JPEG (SOI, a SOF0 frame header 3×2, EOI): enough for sniffing, and for Word to place. */
const JPEG = new Uint8Array([
  0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x03, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03,
  0x11, 0x01, 0xff, 0xd9,
]);

async function illustrate(
  storyId: string,
  pageId: string,
  scene: string,
  { bytes = samplePng(), contentType = "image/png" as ImageContentType, chosen = true } = {},
) {
  const db = await getDb();
  const id = crypto.randomUUID();
  const imageKey = `illustrations/${storyId}/${id}.${contentType === "image/png" ? "png" : "jpg"}`;
  await databaseImageStore(db).put(imageKey, bytes, contentType);
  const sniffed = sniffImage(bytes)!;
  await db.insert(pageIllustrations).values({
    id,
    storyId,
    pageId,
    sceneDescription: scene,
    imagePrompt: `Draw: ${scene}`,
    storage: "database",
    imageKey,
    contentType,
    byteSize: bytes.byteLength,
    width: sniffed.width,
    height: sniffed.height,
    model: "test",
    chosenAt: chosen ? new Date() : null,
  });
  return id;
}

async function download(actor: Actor, storyId: string, format: ExportFormat, extra: Record<string, string> = {}) {
  const file = await exportStory(actor, { storyId, format, ...extra });
  return { file, bytes: new Uint8Array(await new Response(file.body).arrayBuffer()) };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

let owner: Actor;
let storyId = "";
const scene = 'Mara & Tobin at the "lamp", <night>';

beforeAll(async () => {
  owner = await makeActor();
  const { story, pages } = await makeStory(owner, ["# One\nFirst page.", "Second page.", "Third page."], "Pictures");
  storyId = story.id;
  await illustrate(storyId, pages[0]!.id, "An old attempt, not chosen.", { chosen: false });
  await illustrate(storyId, pages[0]!.id, scene);
  await illustrate(storyId, pages[2]!.id, "A gull\non the rock.", { bytes: JPEG, contentType: "image/jpeg" });
});

describe("illustrations in the exports", () => {
  it("EPUB: an image item per chosen illustration, typed from its bytes, shown on its page with the scene as alt", async () => {
    const { bytes } = await download(owner, storyId, "epub");
    const epub = checkEpub(bytes);
    const files = unzipSync(bytes);
    const opf = parser.parse(strFromU8(files["OEBPS/content.opf"]!)).package;
    const images = list(opf.manifest.item as Record<string, string>[]).filter((i) =>
      i["@media-type"]!.startsWith("image/"),
    );
    expect(images.map((i) => [i["@href"], i["@media-type"]])).toEqual([
      ["images/page-00001.png", "image/png"],
      ["images/page-00003.jpg", "image/jpeg"],
    ]);
    for (const image of images) {
      const data = files[`OEBPS/${image["@href"]}`]!;
      expect(sniffImage(data)?.contentType).toBe(image["@media-type"]);
    }
    expect(files["OEBPS/images/page-00001.png"]).toEqual(samplePng());
    const page1 = epub.text("page-00001.xhtml");
    expect(page1).toContain(
      '<figure class="illustration"><img src="images/page-00001.png" alt="Mara &amp; Tobin at the &quot;lamp&quot;, &lt;night&gt;"/></figure>',
    );
    expect(page1.indexOf("<figure")).toBeLessThan(page1.indexOf("First page."));
    expect(epub.text("page-00002.xhtml")).not.toContain("<img");
    expect(epub.text("page-00003.xhtml")).toContain('alt="A gull on the rock."');
    // The image is not a spine document, and the spine is unchanged.
    expect(epub.spine).toHaveLength(4);
  });

  it("DOCX: the image embedded as a drawing with its media part, relationship, content type and alt text", async () => {
    const { bytes } = await download(owner, storyId, "docx");
    const files = unzipSync(bytes);
    const media = Object.keys(files).filter((n) => n.startsWith("word/media/"));
    expect(media).toHaveLength(2);
    const types = media.map((n) => sniffImage(files[n]!)?.contentType).sort();
    expect(types).toEqual(["image/jpeg", "image/png"]);
    const rels = strFromU8(files["word/_rels/document.xml.rels"]!);
    const document = strFromU8(files["word/document.xml"]!);
    const embeds = [...document.matchAll(/r:embed="([^"]+)"/g)].map((m) => m[1]!);
    expect(embeds).toHaveLength(2);
    for (const id of embeds) {
      const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1];
      expect(target && files[`word/${target.replace(/^\//, "").replace(/^word\//, "")}`]).toBeTruthy();
    }
    const contentTypes = strFromU8(files["[Content_Types].xml"]!);
    for (const name of media) {
      const extension = name.split(".").at(-1)!;
      const declared = new RegExp(`ContentType="([^"]+)" Extension="${extension}"`).exec(contentTypes)?.[1];
      expect(declared, `${name} has a content type`).toBe(sniffImage(files[name]!)?.contentType);
    }
    expect(document).toContain('descr="Mara &amp; Tobin at the &quot;lamp&quot;, &lt;night&gt;"');
    // The drawing comes before the first page's text.
    expect(document.indexOf("<w:drawing>")).toBeLessThan(document.indexOf("First page."));
  });

  it("Markdown: a zip of the .md file and images/, linked relatively with the scene as alt text", async () => {
    const { file, bytes } = await download(owner, storyId, "md");
    expect(file.contentType).toBe("application/zip");
    expect(file.disposition).toContain('filename="Pictures.zip"');
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual(["Pictures.md", "images/page-00001.png", "images/page-00003.jpg"]);
    const md = strFromU8(files["Pictures.md"]!);
    expect(md).toContain(
      '\n![Mara & Tobin at the "lamp", \\<night\\>](images/page-00001.png)\n\n## One\n\nFirst page.\n',
    );
    expect(md).toContain("\n![A gull on the rock.](images/page-00003.jpg)\n\nThird page.\n");
    expect(sniffImage(files["images/page-00001.png"]!)?.contentType).toBe("image/png");
    expect(sniffImage(files["images/page-00003.jpg"]!)?.contentType).toBe("image/jpeg");
  });

  it("plain text: an [Illustration: …] line above the page's text", async () => {
    const txt = new TextDecoder().decode((await download(owner, storyId, "txt")).bytes);
    expect(txt).toContain(`\n[Illustration: ${scene}]\n\nOne\n===\n\nFirst page.\n`);
    expect(txt).toContain("\n[Illustration: A gull on the rock.]\n\nThird page.\n");
    expect(txt).not.toContain("not chosen");
  });

  it("illustrations=false leaves them out of every format; Markdown stays a .md file", async () => {
    const off = { illustrations: "false" };
    const md = await download(owner, storyId, "md", off);
    expect(md.file.contentType).toBe("text/markdown; charset=utf-8");
    expect(new TextDecoder().decode(md.bytes)).not.toContain("![");
    expect(new TextDecoder().decode((await download(owner, storyId, "txt", off)).bytes)).not.toContain("[Illustration");
    const epub = unzipSync((await download(owner, storyId, "epub", off)).bytes);
    expect(Object.keys(epub).some((n) => n.includes("images/"))).toBe(false);
    const docx = unzipSync((await download(owner, storyId, "docx", off)).bytes);
    expect(Object.keys(docx).some((n) => n.startsWith("word/media/"))).toBe(false);
    await expectAppError(exportStory(owner, { storyId, format: "md", illustrations: "maybe" }), "VALIDATION");
  });

  it("a story without a chosen illustration exports Markdown as a plain .md, with the option on", async () => {
    const { story, pages } = await makeStory(owner, ["Only page."], "No pictures");
    await illustrate(story.id, pages[0]!.id, "Not chosen.", { chosen: false });
    const { file, bytes } = await download(owner, story.id, "md");
    expect(file.contentType).toBe("text/markdown; charset=utf-8");
    expect(new TextDecoder().decode(bytes)).toBe("# No pictures\n\nOnly page.\n");
  });

  it("a reader exports with the illustrations; a non-member gets NOT_FOUND", async () => {
    const reader = await makeActor();
    const stranger = await makeActor();
    await addMember(storyId, reader, "reader");
    const files = unzipSync((await download(reader, storyId, "epub")).bytes);
    expect(files["OEBPS/images/page-00001.png"]).toEqual(samplePng());
    await expectAppError(exportStory(stranger, { storyId, format: "epub" }), "NOT_FOUND");
    await expectAppError(exportStory(stranger, { storyId, format: "md" }), "NOT_FOUND");
  });

  it("an image whose bytes are gone is left out; the rest of the book is written", async () => {
    const { story, pages } = await makeStory(owner, ["A.", "B."], "Lost");
    const db = await getDb();
    const id = await illustrate(story.id, pages[1]!.id, "Gone.");
    const [row] = await db
      .select()
      .from(pageIllustrations)
      .where((await import("drizzle-orm")).eq(pageIllustrations.id, id));
    await databaseImageStore(db).delete(row!.imageKey);
    const epub = checkEpub((await download(owner, story.id, "epub")).bytes);
    expect(epub.text("page-00002.xhtml")).not.toContain("<img");
    expect(epub.text("page-00002.xhtml")).toContain("B.");
  });
});

describe("the option over the v1 route", () => {
  it("illustrations=false reaches the export through the route's own query schema", async () => {
    const { createApiToken } = await import("@/lib/auth/api-tokens");
    const { GET } = await import("@/app/api/v1/stories/[storyId]/export/route");
    const token = (await createApiToken(owner, { name: "export" })).secret;
    const get = (query: string) =>
      GET(
        new Request(`http://localhost/api/v1/stories/${storyId}/export?${query}`, {
          headers: { authorization: `Bearer ${token}` },
        }),
        { params: Promise.resolve({ storyId }) },
      );
    const bundle = await get("format=md");
    expect(bundle.headers.get("content-type")).toBe("application/zip");
    expect(bundle.headers.get("content-disposition")).toContain('filename="Pictures.zip"');
    await bundle.arrayBuffer();
    const plain = await get("format=md&illustrations=false");
    expect(plain.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await plain.text()).not.toContain("![");
  });
});
