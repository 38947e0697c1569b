import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { promptVersions } from "@/db/prompts-schema";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, expectSqlState, makeActor, makeStory } from "../helpers/fixtures";

vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const { importBuiltinPrompts, PromptDriftError, resolveTemplate, renderTemplate, checkLiquidSyntax } = await import(
  "@/lib/ai"
);
const library = await import("@/lib/stories/prompt-admin");
const { requestPageText } = await import("@/lib/stories");
const { renderJobPrompt } = await import("@/lib/stories/admin-jobs");

useTestDb();

let admin: Actor;
let author: Actor;
const PROMPTS = path.resolve(import.meta.dirname, "..", "..", "prompts");

async function rows(family: string) {
  return (await getDb())
    .select()
    .from(promptVersions)
    .where(eq(promptVersions.family, family))
    .orderBy(promptVersions.version);
}

async function copyPrompts(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "prompts-"));
  await fs.cp(PROMPTS, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  admin = await makeActor("admin");
  author = await makeActor();
  await importBuiltinPrompts(await getDb(), PROMPTS);
});

describe("built-in versions", () => {
  it("imports every file: the current one published, the archived ones archived; a second import changes nothing", async () => {
    expect((await rows("page_write")).map((r) => [r.version, r.status, r.source])).toEqual([
      [1, "archived", "builtin"],
      [2, "archived", "builtin"],
      [3, "published", "builtin"],
    ]);
    expect((await rows("story_rollup")).map((r) => r.status)).toEqual(["published"]);
    expect((await importBuiltinPrompts(await getDb(), PROMPTS)).imported).toEqual([]);
  });

  it("a file whose text changed without a new version number stops the import, naming the file", async () => {
    const dir = await copyPrompts();
    const file = path.join(dir, "page_summary.liquid");
    await fs.writeFile(file, `${await fs.readFile(file, "utf8")}\nOne more line.\n`);
    const error = await importBuiltinPrompts(await getDb(), dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptDriftError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/changed since it was imported, without a new version number/);
    // Nothing was imported from the refused directory.
    expect((await rows("page_summary")).map((r) => r.body.includes("One more line."))).toEqual([false]);
  });

  it("a file with a new version number is imported and published over the older built-in one", async () => {
    const dir = await copyPrompts();
    const source = await fs.readFile(path.join(dir, "story_rollup.liquid"), "utf8");
    const version = Number(/version: (\d+)/.exec(source)![1]);
    await fs.copyFile(
      path.join(dir, "story_rollup.liquid"),
      path.join(dir, "versions", `story_rollup.v${version}.liquid`),
    );
    await fs.writeFile(
      path.join(dir, "story_rollup.liquid"),
      source.replace(`version: ${version}`, `version: ${version + 1}`).replace(/\n---\n/, "\n---\nNEW BUILT-IN\n"),
    );
    await importBuiltinPrompts(await getDb(), dir);
    expect((await rows("story_rollup")).map((r) => [r.version, r.status])).toEqual([
      [version, "archived"],
      [version + 1, "published"],
    ]);
    expect((await resolveTemplate("story_rollup")).body).toContain("NEW BUILT-IN");
  });
});

describe("admin versions", () => {
  it("a draft gets the next number and is not used until published; publishing an older version rolls back", async () => {
    const before = await resolveTemplate("page_write");
    const draft = await library.createPromptDraft(admin, {
      family: "page_write",
      body: `ADMIN DRAFT\n${before.body}`,
    });
    expect(draft).toMatchObject({ family: "page_write", version: 4, status: "draft", source: "admin" });
    expect((await resolveTemplate("page_write")).version).toBe(3);

    await library.publishPromptVersion(admin, { family: "page_write", version: 4 });
    const latest = await resolveTemplate("page_write");
    expect(latest).toMatchObject({ version: 4, source: "admin" });
    expect(latest.body.startsWith("ADMIN DRAFT")).toBe(true);
    expect((await rows("page_write")).map((r) => r.status)).toEqual(["archived", "archived", "archived", "published"]);

    // Rollback: v3 again; v4 keeps its text, archived.
    await library.publishPromptVersion(admin, { family: "page_write", version: 3 });
    expect((await resolveTemplate("page_write")).version).toBe(3);
    expect((await rows("page_write")).map((r) => [r.version, r.status])).toEqual([
      [1, "archived"],
      [2, "archived"],
      [3, "published"],
      [4, "archived"],
    ]);
    // A recorded job's version still renders exactly.
    expect((await resolveTemplate("page_write", 4)).body.startsWith("ADMIN DRAFT")).toBe(true);
  });

  it("the database allows one published version per family", async () => {
    const db = await getDb();
    await expectSqlState(
      db
        .insert(promptVersions)
        .values({ family: "page_write", version: 99, body: "x", status: "published", source: "admin" }),
      "23505",
      "prompt_versions_one_published_key",
    );
    await expectSqlState(
      db
        .insert(promptVersions)
        .values({ family: "page_write", version: 1, body: "x", status: "draft", source: "admin" }),
      "23505",
      "prompt_versions_family_version_key",
    );
  });

  it("a new job records the published version and renders with it; the version is then immutable", async () => {
    const base = await resolveTemplate("page_write", 3);
    const draft = await library.createPromptDraft(admin, { family: "page_write", body: `JOB MARKER\n${base.body}` });
    await library.publishPromptVersion(admin, { family: "page_write", version: draft.version });
    const { pages } = await makeStory(author, ["Some text.", ""]);
    const job = await requestPageText(author, { pageId: pages[1]!.id });
    const [row] = await (await getDb()).select().from(aiJobs).where(eq(aiJobs.id, job.id));
    expect(row).toMatchObject({ templateKey: "page_write", templateVersion: draft.version });
    const rendered = await renderJobPrompt(row!);
    expect(rendered.text?.startsWith("JOB MARKER")).toBe(true);

    // Published and recorded by a job: neither changed nor deleted.
    await expectAppError(
      library.updatePromptDraft(admin, { family: "page_write", version: draft.version, body: "x" }),
      "FORBIDDEN",
    );
    await expectAppError(
      library.deletePromptDraft(admin, { family: "page_write", version: draft.version }),
      "FORBIDDEN",
    );
    // Even a draft that a job recorded (rows written by hand here) stays as it is.
    const other = await library.createPromptDraft(admin, { family: "page_write", body: base.body });
    await (await getDb()).update(aiJobs).set({ templateVersion: other.version }).where(eq(aiJobs.id, job.id));
    const refused = await expectAppError(
      library.deletePromptDraft(admin, { family: "page_write", version: other.version }),
      "FORBIDDEN",
    );
    expect(refused.message).toMatch(/recorded by a job/);
    expect((await rows("page_write")).some((r) => r.version === other.version)).toBe(true);
    await library.publishPromptVersion(admin, { family: "page_write", version: 3 });
  });

  it("an unused draft can be edited and deleted; built-in versions cannot", async () => {
    const base = await resolveTemplate("page_summary");
    const draft = await library.createPromptDraft(admin, { family: "page_summary", body: base.body });
    const updated = await library.updatePromptDraft(admin, {
      family: "page_summary",
      version: draft.version,
      body: `EDITED\n${base.body}`,
    });
    expect(updated.version).toBe(draft.version);
    expect((await resolveTemplate("page_summary", draft.version)).body.startsWith("EDITED")).toBe(true);
    await library.deletePromptDraft(admin, { family: "page_summary", version: draft.version });
    expect((await rows("page_summary")).map((r) => r.version)).toEqual([base.version]);
    await expectAppError(
      library.deletePromptDraft(admin, { family: "page_summary", version: base.version }),
      "FORBIDDEN",
    );
  });

  it("invalid Liquid is refused with its line, and nothing is saved", async () => {
    const count = (await rows("page_write")).length;
    const error = await expectAppError(
      library.createPromptDraft(admin, {
        family: "page_write",
        body: "Line one\nLine two {% if story.title %}\nno end",
      }),
      "VALIDATION",
    );
    expect(error.message).toMatch(/line 2/);
    expect(error.details).toMatchObject({ field: "body", line: 2 });
    expect(checkLiquidSyntax("ok\n\n{{ story.title | nofilter }}")).toMatchObject({ line: 3 });
    expect((await rows("page_write")).length).toBe(count);
  });

  it("a template that renders with a missing variable is refused naming it, and nothing is saved", async () => {
    const count = (await rows("page_summary")).length;
    const error = await expectAppError(
      library.createPromptDraft(admin, {
        family: "page_summary",
        body: "Title: {{ story.title }}\n{{ story.subtitle }}",
      }),
      "VALIDATION",
    );
    expect(error.message).toContain("story.subtitle");
    expect(error.details).toMatchObject({ line: 2 });
    expect((await rows("page_summary")).length).toBe(count);
  });

  it("admin templates have no file access: include, render and layout are refused with their line", async () => {
    for (const tag of ["include", "render", "layout"]) {
      const error = await expectAppError(
        library.createPromptDraft(admin, { family: "page_summary", body: `Hello\n{% ${tag} 'page_write' %}` }),
        "VALIDATION",
      );
      expect(error.message).toContain(`the ${tag} tag is not allowed`);
      expect(error.details).toMatchObject({ line: 2 });
    }
    // Even a text stored in the table by other means cannot read a file when a job renders it.
    const db = await getDb();
    await db.insert(promptVersions).values({
      family: "page_summary",
      version: 500,
      body: "{% include 'page_write' %}",
      status: "archived",
      source: "admin",
    });
    const stored = await resolveTemplate("page_summary", 500);
    await expect(renderTemplate(stored, {})).rejects.toThrow(/not allowed/);
    await db
      .delete(promptVersions)
      .where(and(eq(promptVersions.family, "page_summary"), eq(promptVersions.version, 500)));
  });

  it("the preview renders a text against a story's page with its token count, or names the problem", async () => {
    const { story, pages } = await makeStory(author, ["The lamp was lit.", ""]);
    const base = await resolveTemplate("page_write");
    const preview = await library.previewPromptBody(admin, {
      family: "page_write",
      body: `PREVIEW ${base.body}`,
      storyId: story.id,
      pageId: pages[1]!.id,
    });
    expect(preview).toMatchObject({ ok: true });
    if (!preview.ok) throw new Error("unreachable");
    expect(preview.text).toContain("The lamp was lit.");
    expect(preview.tokens).toBeGreaterThan(10);
    expect(
      await library.previewPromptBody(admin, {
        family: "page_write",
        body: "{{ story.title }}\n{{ missing_thing }}",
        storyId: story.id,
        pageId: pages[1]!.id,
      }),
    ).toMatchObject({ ok: false, line: 2, message: expect.stringContaining("missing_thing") });
  });

  it("lists every family with its versions and the published one; the detail diffs against the published", async () => {
    const families = await library.listPromptFamilies(admin);
    expect(families.map((f) => f.family)).toEqual(
      expect.arrayContaining([
        "codex_suggest",
        "page_revise",
        "page_revise_section",
        "page_summary",
        "page_write",
        "story_rollup",
      ]),
    );
    const base = await resolveTemplate("page_revise");
    const draft = await library.createPromptDraft(admin, {
      family: "page_revise",
      body: `${base.body}\nAppended line.`,
    });
    const detail = await library.getPromptVersion(admin, { family: "page_revise", version: draft.version });
    expect(detail.published?.version).toBe(base.version);
    expect(
      detail.diff
        .filter((p) => p.op === "insert")
        .map((p) => p.text)
        .join(""),
    ).toContain("Appended");
  });
});

describe("authorization: admin only (others see nothing)", () => {
  const calls: [string, (actor: Actor | null) => Promise<unknown>][] = [
    ["listPromptFamilies", (a) => library.listPromptFamilies(a)],
    ["getPromptVersion", (a) => library.getPromptVersion(a, { family: "page_write", version: 2 })],
    ["createPromptDraft", (a) => library.createPromptDraft(a, { family: "page_write", body: "x {{ story.title }}" })],
    ["updatePromptDraft", (a) => library.updatePromptDraft(a, { family: "page_write", version: 1, body: "x" })],
    ["deletePromptDraft", (a) => library.deletePromptDraft(a, { family: "page_write", version: 1 })],
    ["publishPromptVersion", (a) => library.publishPromptVersion(a, { family: "page_write", version: 1 })],
    [
      "previewPromptBody",
      (a) => library.previewPromptBody(a, { family: "page_write", body: "x", storyId: crypto.randomUUID() }),
    ],
  ];
  it.each(calls)("%s: anonymous → UNAUTHENTICATED, an author → NOT_FOUND, and nothing changes", async (_name, call) => {
    const before = await rows("page_write");
    await expectAppError(call(null), "UNAUTHENTICATED");
    await expectAppError(call(author), "NOT_FOUND");
    expect(await rows("page_write")).toEqual(before);
  });

  it("an admin is let through", async () => {
    expect((await library.listPromptFamilies(admin)).length).toBeGreaterThan(0);
    expect((await library.getPromptVersion(admin, { family: "page_write", version: 2 })).version.version).toBe(2);
  });
});
