import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { aiJobs } from "@/db/ai-schema";
import { stories, users } from "@/db/schema";
import { loadTemplate, renderTemplate } from "@/lib/ai";
import type { Actor } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { expectAppError, makeActor, makeStory } from "../helpers/fixtures";

vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
process.env.AI_RATE_LIMIT_PER_MINUTE = "0";

const {
  getMyRatingLimits,
  getSiteSettings,
  requestPageText,
  setMyMaxRating,
  setSiteMaxRating,
  setUserMaxRating,
  updateStory,
  listAdminJobs,
} = await import("@/lib/stories");
const { decideRating } = await import("@/lib/stories/ratings/policy");

const t = useTestDb();

let author: Actor;
let admin: Actor;

beforeAll(async () => {
  author = await makeActor();
  admin = await makeActor("admin");
});

async function matureStory(owner: Actor) {
  const { story, pages } = await makeStory(owner, ["Mara fought the smugglers on the pier."], "The Pier");
  await updateStory(owner, { storyId: story.id, contentRating: "mature" });
  return { story, page: pages[0]! };
}

async function jobRow(jobId: string) {
  const [row] = await t.db().select().from(aiJobs).where(eq(aiJobs.id, jobId));
  return row!;
}

async function renderedPrompt(jobId: string): Promise<string> {
  const row = await jobRow(jobId);
  const template = await loadTemplate(row.templateKey, row.templateVersion);
  return renderTemplate(template, row.promptPayload as Record<string, unknown>);
}

describe("decideRating", () => {
  it("takes the lowest of story, site and user, and names which maximum clamped", () => {
    expect(decideRating("mature", "explicit", null)).toEqual({
      contentRating: "mature",
      requestedRating: "mature",
      ratingClampedBy: null,
    });
    expect(decideRating("explicit", "teen", null)).toMatchObject({ contentRating: "teen", ratingClampedBy: "site" });
    expect(decideRating("explicit", "mature", "general")).toMatchObject({
      contentRating: "general",
      ratingClampedBy: "user",
    });
    // Both maxima at the same level: the site's rule is the reason.
    expect(decideRating("explicit", "teen", "teen")).toMatchObject({ contentRating: "teen", ratingClampedBy: "site" });
    // A maximum above the story's rating clamps nothing.
    expect(decideRating("general", "teen", "mature")).toMatchObject({
      contentRating: "general",
      ratingClampedBy: null,
    });
  });
});

describe("a job's content rating", () => {
  it("is the story's when no maximum is lower: recorded on the job and given to the prompt as a constraint", async () => {
    const { page } = await matureStory(author);
    const job = await requestPageText(author, { pageId: page.id, instruction: "" });
    const row = await jobRow(job.id);
    expect(row).toMatchObject({ contentRating: "mature", requestedRating: "mature", ratingClampedBy: null });
    const prompt = await renderedPrompt(job.id);
    expect(prompt).toContain("Content rating Mature");
  });

  it("is clamped by the site's maximum, and the clamp is recorded and filterable by admins", async () => {
    const { page } = await matureStory(author);
    await setSiteMaxRating(admin, { maxContentRating: "teen" });
    try {
      const job = await requestPageText(author, { pageId: page.id, instruction: "" });
      expect(await jobRow(job.id)).toMatchObject({
        contentRating: "teen",
        requestedRating: "mature",
        ratingClampedBy: "site",
      });
      const prompt = await renderedPrompt(job.id);
      expect(prompt).toContain("Content rating Teen");
      expect(prompt).not.toContain("Content rating Mature");
      const clamped = await listAdminJobs(admin, { clamped: "yes", contentRating: "teen" });
      expect(clamped.rows.map((r) => r.id)).toContain(job.id);
      const unclamped = await listAdminJobs(admin, { contentRating: "mature" });
      expect(unclamped.rows.map((r) => r.id)).not.toContain(job.id);
    } finally {
      await setSiteMaxRating(admin, { maxContentRating: "explicit" });
    }
  });

  it("is clamped by the user's maximum: an admin's binds, the user's own can only lower it", async () => {
    const writer = await makeActor();
    const { page } = await matureStory(writer);
    await setUserMaxRating(admin, { userId: writer.id, maxContentRating: "teen" });
    // Raising their own maximum does not lift the admin's.
    await setMyMaxRating(writer, { maxContentRating: "explicit" });
    const first = await requestPageText(writer, { pageId: page.id, instruction: "" });
    expect(await jobRow(first.id)).toMatchObject({ contentRating: "teen", ratingClampedBy: "user" });
    await t.db().update(aiJobs).set({ status: "cancelled", completedAt: new Date() }).where(eq(aiJobs.id, first.id));

    await setMyMaxRating(writer, { maxContentRating: "general" });
    const limits = await getMyRatingLimits(writer);
    expect(limits).toMatchObject({ effectiveMax: "general", setBy: "user", adminMax: "teen", ownMax: "general" });
    const second = await requestPageText(writer, { pageId: page.id, instruction: "" });
    expect(await jobRow(second.id)).toMatchObject({ contentRating: "general", ratingClampedBy: "user" });
  });
});

describe("bad input and who may set what", () => {
  it("a rating outside the list is refused naming the field, and the story keeps its rating", async () => {
    const { story } = await matureStory(author);
    const error = await expectAppError(
      updateStory(author, { storyId: story.id, contentRating: "x-rated" }),
      "VALIDATION",
    );
    expect(JSON.stringify(error.details)).toContain("contentRating");
    expect(error.message + JSON.stringify(error.details)).toMatch(/general, teen, mature, explicit/);
    const [row] = await t.db().select().from(stories).where(eq(stories.id, story.id));
    expect(row!.contentRating).toBe("mature");
    await expectAppError(setSiteMaxRating(admin, { maxContentRating: "adults" }), "VALIDATION");
    await expectAppError(setMyMaxRating(author, { maxContentRating: 3 }), "VALIDATION");
  });

  it("the database refuses a rating outside the list too", async () => {
    const { story } = await matureStory(author);
    await expect(
      t.db().execute(sql`update stories set content_rating = 'x-rated' where id = ${story.id}`),
    ).rejects.toThrow();
  });

  it("only admins set the site's and users' maxima (anyone else: NOT_FOUND, nothing changed)", async () => {
    const other = await makeActor();
    await expectAppError(setSiteMaxRating(author, { maxContentRating: "general" }), "NOT_FOUND");
    await expectAppError(setSiteMaxRating(null, { maxContentRating: "general" }), "UNAUTHENTICATED");
    await expectAppError(getSiteSettings(author), "NOT_FOUND");
    expect(await getSiteSettings(admin)).toEqual({ maxContentRating: "explicit" });
    await expectAppError(setUserMaxRating(author, { userId: other.id, maxContentRating: "general" }), "NOT_FOUND");
    const [row] = await t.db().select().from(users).where(eq(users.id, other.id));
    expect(row!.maxContentRating).toBeNull();
    await expectAppError(
      setUserMaxRating(admin, { userId: "00000000-0000-4000-8000-000000000000", maxContentRating: "general" }),
      "NOT_FOUND",
    );
    await expectAppError(setMyMaxRating(null, { maxContentRating: "general" }), "UNAUTHENTICATED");
  });

  it("a user's own maximum changes only their own account", async () => {
    const me = await makeActor();
    const other = await makeActor();
    await setMyMaxRating(me, { maxContentRating: "teen" });
    const rows = await t.db().select().from(users).where(eq(users.id, other.id));
    expect(rows[0]!.ownMaxContentRating).toBeNull();
    expect((await getMyRatingLimits(me)).ownMax).toBe("teen");
    await setMyMaxRating(me, { maxContentRating: null });
    expect((await getMyRatingLimits(me)).ownMax).toBeNull();
  });
});
