import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createUser, verifyCredentials } from "@/lib/auth/users";
import { addPage, createStory, deleteStory, listPages, listRevisions, listStories } from "@/lib/stories";
import { demoAccounts, seedDemoIfEmpty } from "@/lib/stories/demo";
import { useTestDb } from "./helpers/db";
import { rowCounts, snapshot } from "./helpers/fixtures";

/** Runs on its own database: the seed only acts on an empty one. */
const t = useTestDb();

async function emptyDatabase() {
  for (const table of ["page_revisions", "pages", "stories", "users"])
    await t.db().execute(sql.raw(`delete from ${table}`));
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("seedDemoIfEmpty", () => {
  it("on an empty database creates an admin, an author and one story with six pages (even with sign-up off)", async () => {
    vi.stubEnv("ALLOW_SIGNUP", "false");
    expect(await rowCounts()).toEqual({ users: 0, stories: 0, pages: 0, pageRevisions: 0 });

    expect(await seedDemoIfEmpty()).toBe(true);

    const admin = await verifyCredentials(demoAccounts.admin);
    const author = await verifyCredentials(demoAccounts.author);
    expect(admin).toMatchObject({ role: "admin", email: demoAccounts.admin.email, name: demoAccounts.admin.name });
    expect(author).toMatchObject({ role: "author", email: demoAccounts.author.email, name: demoAccounts.author.name });

    const authorActor = { id: author!.id, role: author!.role };
    const stories = await listStories(authorActor);
    expect(stories).toHaveLength(1);
    expect(stories[0]).toMatchObject({ title: "The Keeper of Gull Point", ownerId: author!.id, pageCount: 6 });

    const pages = await listPages(authorActor, { storyId: stories[0]!.id });
    expect(pages).toHaveLength(6);
    expect(pages[0]!.content).toMatch(/^The lighthouse at Gull Point/);
    expect(pages[3]!.content).toMatch(/Tobin/);
    expect(pages.slice(4).map((p) => p.content)).toEqual(["", ""]);
    expect(pages.every((p) => p.version === 1)).toBe(true);
    const [revision] = await listRevisions(authorActor, { pageId: pages[0]!.id });
    expect(revision).toMatchObject({ version: 1, authorName: demoAccounts.author.name, source: "human" });

    // The admin sees the author's story too.
    expect((await listStories({ id: admin!.id, role: "admin" })).map((s) => s.id)).toEqual([stories[0]!.id]);
    expect(await rowCounts()).toEqual({ users: 2, stories: 1, pages: 6, pageRevisions: 6 });
  });

  it("does nothing the second time, even after the author deleted the demo story", async () => {
    const before = await snapshot();
    expect(await seedDemoIfEmpty()).toBe(false);
    expect(await snapshot()).toEqual(before);

    const author = (await verifyCredentials(demoAccounts.author))!;
    const actor = { id: author.id, role: author.role };
    for (const story of await listStories(actor)) await deleteStory(actor, { storyId: story.id });
    expect(await seedDemoIfEmpty()).toBe(false);
    expect(await listStories(actor)).toEqual([]);
  });
});

describe("seedDemoIfEmpty after a start killed mid-seed", () => {
  it("finishes the demo: the missing pages and the admin are added, nothing is doubled", async () => {
    await emptyDatabase();
    // What a kill after the author, the story and two pages leaves behind.
    const author = await createUser(demoAccounts.author, { bypassSignupSwitch: true });
    const actor = { id: author.id, role: author.role };
    const story = await createStory(actor, { title: "The Keeper of Gull Point" });
    await addPage(actor, { storyId: story.id, content: "The lighthouse at Gull Point, first page." });
    await addPage(actor, { storyId: story.id, content: "Second page." });

    expect(await seedDemoIfEmpty()).toBe(true);
    expect(await verifyCredentials(demoAccounts.admin)).toMatchObject({ role: "admin" });
    const pages = await listPages(actor, { storyId: story.id });
    expect(pages).toHaveLength(6);
    expect(pages[1]!.content).toBe("Second page.");
    expect(pages[3]!.content).toMatch(/Tobin/);
    expect(await rowCounts()).toEqual({ users: 2, stories: 1, pages: 6, pageRevisions: 6 });
    expect(await seedDemoIfEmpty()).toBe(false);
  });

  it("leaves a database with anyone else in it alone", async () => {
    await emptyDatabase();
    await createUser(
      { email: "someone@example.com", name: "Someone", password: "long enough" },
      { bypassSignupSwitch: true },
    );
    expect(await seedDemoIfEmpty()).toBe(false);
    expect(await rowCounts()).toEqual({ users: 1, stories: 0, pages: 0, pageRevisions: 0 });
  });
});
