import { asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { storyImportPages, storyImports } from "@/db/import-schema";
import { pageRevisions, pages, stories } from "@/db/schema";
import type { Actor } from "@/lib/stories";
import { checkDocxArchive } from "@/lib/stories/import/docx";
import { getImport, previewImport, publishImport, runImport, stageImport, startImport } from "@/lib/stories/import/job";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor } from "../helpers/fixtures";
import { sampleDocx, sampleMarkdown, sampleText, zipBomb, zipOf } from "./fixtures";

const mocks = vi.hoisted(() => ({
  announced: [] as { pageId: string; requestedBy: string | null }[],
  duplicateKeys: false,
}));
// The summaries after an import are scheduled as after an edit: record the announcements instead of sending them.
vi.mock("@/lib/stories/summaries/schedule", async (original) => ({
  ...(await original<typeof import("@/lib/stories/summaries/schedule")>()),
  announcePageTextChanged: vi.fn(async (page: { id: string }, requestedBy: string | null) => {
    mocks.announced.push({ pageId: page.id, requestedBy });
  }),
}));
// To fail the publishing transaction after the story row is written: every page gets the same position.
vi.mock("fractional-indexing", async (original) => {
  const mod = await original<typeof import("fractional-indexing")>();
  return {
    ...mod,
    generateNKeysBetween: (a: string | null, b: string | null, n: number) =>
      mocks.duplicateKeys ? Array.from({ length: n }, () => "a0") : mod.generateNKeysBetween(a, b, n),
  };
});

useTestDb();

let author: Actor;
let other: Actor;
let admin: Actor;

beforeAll(async () => {
  author = await makeActor();
  other = await makeActor();
  admin = await makeActor("admin");
});

const file = (name: string, bytes: Buffer | string) => ({
  name,
  bytes: typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes,
});
const headings = { mode: "headings" };

async function storyPages(storyId: string) {
  const db = await getDb();
  return db.select().from(pages).where(eq(pages.storyId, storyId)).orderBy(asc(pages.position));
}

async function importWhole(name: string, bytes: Buffer | string, options: Record<string, unknown> = headings) {
  const started = await startImport(author, { file: file(name, bytes), options });
  expect(started.status).toBe("pending");
  return (await runImport(started.id))!;
}

describe("import by format", () => {
  it(".docx: the Title paragraph and the paragraph under it become title and description; a page per chapter, headings as # lines", async () => {
    const job = await importWhole("book.docx", await sampleDocx());
    expect(job.status).toBe("succeeded");
    const db = await getDb();
    const [story] = await db.select().from(stories).where(eq(stories.id, job.storyId!));
    expect(story).toMatchObject({
      ownerId: author.id,
      title: "The Lighthouse Keeper",
      description: "A novel of the northern coast",
    });
    const imported = await storyPages(job.storyId!);
    expect(imported.map((p) => p.content)).toEqual([
      "# Chapter One\n\nMara climbed the stairs at dusk.\n\nThe lamp was cold.",
      "# Chapter Two\n\nThe storm came in the night.\n\nBy morning the boat was gone.",
    ]);
    expect(imported.every((p) => p.tokenCount! > 0 && p.version === 1)).toBe(true);
    const revisions = await db.select().from(pageRevisions).where(eq(pageRevisions.pageId, imported[0]!.id));
    expect(revisions).toMatchObject([{ version: 1, source: "human", authorId: author.id }]);
    expect(job).toMatchObject({ pagesTotal: 2, pagesStaged: 2, error: null });
  });

  it(".docx split at page breaks", async () => {
    const preview = await previewImport(author, {
      file: file("book.docx", await sampleDocx()),
      options: { mode: "breaks" },
    });
    expect(preview.pageCount).toBe(2);
    expect(preview.pages[1]!.firstLines).toBe("By morning the boat was gone.");
  });

  it(".md: title, description, chapters; a thematic break starts a page when splitting at breaks", async () => {
    const job = await importWhole("garden.md", sampleMarkdown);
    const imported = await storyPages(job.storyId!);
    expect(imported.map((p) => p.content.split("\n")[0])).toEqual(["# Spring", "# Summer"]);
    const byBreaks = await previewImport(author, {
      file: file("garden.md", sampleMarkdown),
      options: { mode: "breaks" },
    });
    expect(byBreaks).toMatchObject({ title: "The Garden", description: "A short book about a garden.", pageCount: 2 });
  });

  it(".txt: first line as title, chapter lines as headings", async () => {
    const preview = await previewImport(author, { file: file("tides.txt", sampleText), options: headings });
    expect(preview).toMatchObject({ title: "Tides", pageCount: 2 });
    expect(preview.pages[0]!.firstLines).toBe("# Chapter 1\nThe harbour was quiet.");
  });

  it("by length: the preview counts the pages the target gives, and nothing is created by a preview", async () => {
    const text = Array.from({ length: 20 }, (_, i) => `Paragraph ${i}. ${"word ".repeat(100)}`).join("\n\n");
    const db = await getDb();
    const before = (await db.select().from(stories)).length;
    const preview = await previewImport(author, {
      file: file("long.txt", text),
      options: { mode: "length", targetLength: 1500 },
    });
    expect(preview.pageCount).toBeGreaterThan(5);
    expect(preview.pages.every((p) => p.characters <= 1500)).toBe(true);
    expect((await db.select().from(stories)).length).toBe(before);
  });

  it("a page longer than the page limit after splitting is split further, every character kept", async () => {
    const long = Array.from({ length: 4000 }, (_, i) => `Line ${i} of one very long chapter.`).join(" ");
    const job = await importWhole("long.md", `# Only chapter\n\n${long}`);
    expect(job.status).toBe("succeeded");
    const imported = await storyPages(job.storyId!);
    expect(imported.length).toBeGreaterThan(1);
    expect(imported.every((p) => p.content.length <= 100_000)).toBe(true);
    expect(imported.map((p) => p.content).join(" ")).toBe(long);
  });

  it("the summaries of the imported pages are scheduled as after an edit, paid by the importer", async () => {
    mocks.announced.length = 0;
    const job = await importWhole("garden.md", sampleMarkdown);
    const imported = await storyPages(job.storyId!);
    expect(mocks.announced).toEqual(imported.map((p) => ({ pageId: p.id, requestedBy: author.id })));
  });
});

describe("bad input: a clear error, nothing stored", () => {
  /**
   * The preview refuses with the code; so does the import: at once when the quick checks see it (nothing stored),
   * else its job ends failed with that code and no story.
   */
  async function refused(
    name: string,
    bytes: Buffer | string,
    code: Parameters<typeof expectAppError>[1],
    when: "at once" | "in the job" = "at once",
  ) {
    const db = await getDb();
    const imports = (await db.select().from(storyImports)).length;
    const storyCount = (await db.select().from(stories)).length;
    await expectAppError(previewImport(author, { file: file(name, bytes), options: headings }), code);
    if (when === "at once") {
      await expectAppError(startImport(author, { file: file(name, bytes), options: headings }), code);
      expect((await db.select().from(storyImports)).length).toBe(imports);
    } else {
      const started = await startImport(author, { file: file(name, bytes), options: headings });
      expect(await runImport(started.id)).toMatchObject({ status: "failed", error: { code } });
    }
    expect((await db.select().from(stories)).length).toBe(storyCount);
  }

  it("an unsupported format", () => refused("book.pdf", "%PDF-1.7", "IMPORT_UNSUPPORTED_FORMAT"));
  it("an empty file", () => refused("empty.md", "", "IMPORT_EMPTY"));
  it("a .docx that is not a zip (wrong magic bytes)", () => refused("fake.docx", "just text", "IMPORT_WRONG_TYPE"));
  it("a .txt that is really a zip", async () => refused("book.txt", await sampleDocx(), "IMPORT_WRONG_TYPE"));
  it("a .md that is not text", () => refused("bin.md", Buffer.from([0xc3, 0x28, 0x00, 0xff]), "IMPORT_WRONG_TYPE"));
  it("a password-protected .docx (an OLE container)", () =>
    refused(
      "secret.docx",
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
      "IMPORT_ENCRYPTED",
    ));
  it("a file over the size limit", () =>
    refused("huge.txt", Buffer.alloc(10 * 1024 * 1024 + 1, 0x61), "IMPORT_TOO_LARGE"));
  it("a document of only whitespace", () => refused("blank.md", "\n\n   \n", "IMPORT_EMPTY", "in the job"));
  it("a corrupt archive", () =>
    refused("broken.docx", Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), Buffer.alloc(200, 7)]), "IMPORT_CORRUPT"));
  it("a zip without a Word document", async () =>
    refused("other.docx", await zipOf({ "hello.txt": Buffer.from("hi") }), "IMPORT_WRONG_TYPE"));
  it("a zip bomb: refused from its directory before anything inflates it", async () =>
    refused("bomb.docx", await zipBomb(61 * 1024 * 1024), "IMPORT_ZIP_BOMB"));

  it("the archive check counts declared sizes against the bound", async () => {
    const bomb = await zipBomb(2 * 1024 * 1024);
    await expect(checkDocxArchive(bomb, { unpackedMax: 1024 * 1024 })).rejects.toMatchObject({
      code: "IMPORT_ZIP_BOMB",
    });
    await expect(checkDocxArchive(bomb, { unpackedMax: 4 * 1024 * 1024 })).resolves.toBeUndefined();
  });

  it("a split that would make too many pages", async () => {
    const text = Array.from({ length: 2100 }, (_, i) => `Chapter ${i + 1}\n\nText.`).join("\n\n");
    await expectAppError(
      previewImport(author, { file: file("many.txt", text), options: headings }),
      "IMPORT_TOO_MANY_PAGES",
    );
  });
});

describe("all or nothing", () => {
  it("a failure in the background (a damaged .docx) ends the import as failed and creates no story", async () => {
    const db = await getDb();
    const before = (await db.select().from(stories)).length;
    const broken = await zipOf({ "word/document.xml": Buffer.from("<w:document><unclosed") });
    // The quick checks pass (a zip with a Word part); reading that part in the job fails.
    const started = await startImport(author, { file: file("broken.docx", broken), options: headings });
    const job = await runImport(started.id);
    expect(job).toMatchObject({ status: "failed", storyId: null, error: { code: "IMPORT_CORRUPT" } });
    expect((await db.select().from(stories)).length).toBe(before);
    const [row] = await db.select().from(storyImports).where(eq(storyImports.id, started.id));
    expect(row!.file).toBeNull();
  });

  it("a failure while publishing rolls back the story row already written in that transaction", async () => {
    const db = await getDb();
    const before = (await db.select().from(stories)).length;
    const started = await startImport(author, { file: file("garden.md", sampleMarkdown), options: headings });
    expect(await stageImport(started.id)).toEqual({ staged: 2 });
    expect((await db.select().from(storyImportPages).where(eq(storyImportPages.importId, started.id))).length).toBe(2);
    mocks.duplicateKeys = true;
    try {
      const job = await runImport(started.id);
      expect(job).toMatchObject({ status: "failed", storyId: null, error: { code: "INTERNAL" } });
    } finally {
      mocks.duplicateKeys = false;
    }
    expect((await db.select().from(stories)).length).toBe(before);
    expect((await db.select().from(storyImportPages).where(eq(storyImportPages.importId, started.id))).length).toBe(0);
  });

  it("publishing twice (a repeated step) creates one story", async () => {
    const started = await startImport(author, { file: file("garden.md", sampleMarkdown), options: headings });
    await stageImport(started.id);
    const first = await publishImport(started.id);
    expect(first?.storyId).toBeTruthy();
    expect(await publishImport(started.id)).toBeNull();
  });
});

describe("authorization", () => {
  it("anonymous visitors can neither preview nor import", async () => {
    await expectAppError(
      previewImport(null, { file: file("a.md", "# A\n\ntext"), options: headings }),
      "UNAUTHENTICATED",
    );
    await expectAppError(
      startImport(null, { file: file("a.md", "# A\n\ntext"), options: headings }),
      "UNAUTHENTICATED",
    );
  });

  it("an import is read by its author and admins; another author gets 404", async () => {
    const started = await startImport(author, { file: file("a.md", "# A\n\ntext"), options: headings });
    expect((await getImport(author, { importId: started.id })).id).toBe(started.id);
    expect((await getImport(admin, { importId: started.id })).id).toBe(started.id);
    await expectAppError(getImport(other, { importId: started.id }), "NOT_FOUND");
    await expectAppError(getImport(null, { importId: started.id }), "UNAUTHENTICATED");
  });

  it("the imported story is the importer's: another author cannot see it", async () => {
    const job = await importWhole("garden.md", sampleMarkdown);
    const { getStory } = await import("@/lib/stories/stories");
    expect((await getStory(author, { storyId: job.storyId })).ownerId).toBe(author.id);
    await expectAppError(getStory(other, { storyId: job.storyId }), "NOT_FOUND");
  });
});
