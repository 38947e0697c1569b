import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { exportBody } from "@/lib/stories/export";
import type { ExportSource } from "@/lib/stories/export/source";
import { checkEpub } from "./epub-check";

/**
 * The EPUB is written as the reader takes it: pages are pulled from the source only as fast as the bytes are read
 * (backpressure), so a long story is never held whole. A source that counts the pages it has handed out shows it.
 */
function countingSource(total: number): { source: ExportSource; pulled: () => number } {
  let pulled = 0;
  const source: ExportSource = {
    story: { id: crypto.randomUUID(), title: "Long", description: "", language: "en" },
    async *pages() {
      for (let number = 1; number <= total; number++) {
        pulled = number;
        // Incompressible text, so that the zip's output is as large as the pages.
        yield { number, content: crypto.randomBytes(3000).toString("base64"), illustration: null };
      }
    },
    codex: async () => null,
    image: async () => null,
  };
  return { source, pulled: () => pulled };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("streamed EPUB", () => {
  it("reads pages only as the download is read, and all of them by the end", async () => {
    const { source, pulled } = countingSource(2000);
    const reader = exportBody(source, "epub", "pages").getReader();
    const first = await reader.read();
    await settle();
    // A reader that stopped after one chunk has cost a few dozen pages, not the story.
    expect(pulled()).toBeGreaterThan(0);
    expect(pulled()).toBeLessThan(200);
    const chunks: Uint8Array[] = [first.value!];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    expect(pulled()).toBe(2000);
    const epub = checkEpub(new Uint8Array(Buffer.concat(chunks.map((c) => Buffer.from(c)))));
    expect(epub.spine).toHaveLength(2001);
  });

  it("stops reading pages when the download is cancelled", async () => {
    const { source, pulled } = countingSource(2000);
    const reader = exportBody(source, "epub", "pages").getReader();
    await reader.read();
    await reader.cancel();
    await settle();
    const after = pulled();
    await settle();
    expect(pulled()).toBe(after);
    expect(after).toBeLessThan(200);
  });

  it("reads illustrations one at a time, as the download gets to them", async () => {
    const total = 300;
    let fetched = 0;
    const base = countingSource(total).source;
    const source: ExportSource = {
      ...base,
      async *pages() {
        for await (const page of base.pages()) {
          const scene = `Scene ${page.number}`;
          yield {
            ...page,
            illustration: {
              id: String(page.number),
              sceneDescription: scene,
              storage: "database",
              imageKey: "k",
              contentType: "image/png",
            },
          };
        }
      },
      // 256 KB of noise per image: the whole story's images would be 75 MB.
      image: async () => {
        fetched += 1;
        return { bytes: crypto.randomBytes(256 * 1024), contentType: "image/png", width: 10, height: 10 };
      },
    };
    const reader = exportBody(source, "epub", "pages").getReader();
    const first = await reader.read();
    await settle();
    expect(fetched).toBeGreaterThan(0);
    expect(fetched).toBeLessThan(5);
    const chunks: Uint8Array[] = [first.value!];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    expect(fetched).toBe(total);
    const epub = checkEpub(new Uint8Array(Buffer.concat(chunks.map((c) => Buffer.from(c)))));
    expect(epub.text("page-00300.xhtml")).toContain('<img src="images/page-00300.png" alt="Scene 300"/>');
  });

  it("Markdown with illustrations (a zip): stops and lets go of the page reads when the download is cancelled", async () => {
    const { source: base, pulled } = countingSource(2000);
    let released = false;
    const source: ExportSource = {
      ...base,
      async *pages() {
        try {
          yield* base.pages();
        } finally {
          released = true;
        }
      },
    };
    const reader = exportBody(source, "md", "pages", true).getReader();
    await reader.read();
    await reader.cancel();
    await settle();
    const after = pulled();
    await settle();
    expect(pulled()).toBe(after);
    expect(after).toBeLessThan(2000);
    // The page reads are let go of (the database cursor of a real source), not left suspended.
    expect(released).toBe(true);
  });
});
