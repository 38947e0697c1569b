import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { stories } from "@/db/schema";
import { storyTranslations } from "@/db/translations-schema";
import { v1 } from "@/lib/http/v1-operations";
import type { Actor, StoryTranslations, TranslationOutcome } from "@/lib/stories";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";
import type { ErrorAnswer } from "./route-call";
import { contractCheckedCallRoute } from "./v1-contract";

/** REST API v1 of translations, called as Next calls the route handlers; every answer checked against its operation. */
vi.mock("@/lib/ai/jobs/queue", async (original) => ({
  ...(await original<typeof import("@/lib/ai/jobs/queue")>()),
  enqueueJob: vi.fn(async () => {}),
  requestJobCancel: vi.fn(async () => {}),
}));

const tokens = await import("@/lib/auth/api-tokens");
const collection = await import("@/app/api/v1/stories/[storyId]/translations/route");
const update = await import("@/app/api/v1/translations/[translationId]/update/route");

const callRoute = contractCheckedCallRoute([
  [collection.POST, v1.translateStory],
  [collection.GET, v1.listTranslations],
  [update.POST, v1.updateTranslation],
]);

const { db } = useTestDb();

let a: Actor;
let tokenA: string;
let tokenB: string;
beforeAll(async () => {
  a = await makeActor();
  const b = await makeActor();
  tokenA = (await tokens.createApiToken(a, { name: "A" })).secret;
  tokenB = (await tokens.createApiToken(b, { name: "B" })).secret;
});

const storyCount = async () => (await db().select().from(stories)).length;

describe("REST: translations", () => {
  it("translate → 201 with the translation and its run; list from both sides; update joins the running run", async () => {
    const { story } = await makeStory(a, ["One.", "Two."]);
    const created = await callRoute<TranslationOutcome>(collection.POST, {
      token: tokenA,
      params: { storyId: story.id },
      body: { language: "ja" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      started: true,
      translation: { language: "ja", languageName: "Japanese", pageCount: 2, stalePages: 2, run: { total: 2 } },
    });
    const translationId = created.body.translation.storyId;
    expect(created.headers.get("location")).toBe(`/api/v1/stories/${translationId}/translations`);

    const fromSource = await callRoute<StoryTranslations>(collection.GET, {
      token: tokenA,
      params: { storyId: story.id },
    });
    expect(fromSource.status).toBe(200);
    expect(fromSource.body.translations.map((t) => t.storyId)).toEqual([translationId]);
    const fromTranslation = await callRoute<StoryTranslations>(collection.GET, {
      token: tokenA,
      params: { storyId: translationId },
    });
    expect(fromTranslation.body).toMatchObject({
      source: { storyId: story.id },
      translation: { storyId: translationId },
    });

    const updated = await callRoute<TranslationOutcome>(update.POST, { token: tokenA, params: { translationId } });
    expect(updated.status).toBe(202);
    expect(updated.body).toMatchObject({ started: false, translation: { run: { status: "pending" } } });
  });

  it("refuses bad input with clear errors and creates nothing", async () => {
    const { story } = await makeStory(a, ["One."]);
    const before = await storyCount();
    const cases: [unknown, number, RegExp][] = [
      [{ language: "klingon!" }, 400, /not a language code/],
      [{ language: "tlh" }, 400, /not supported/],
      [{ language: "en" }, 400, /already in English/],
      [{}, 400, /./],
    ];
    for (const [body, status, message] of cases) {
      const answer = await callRoute<ErrorAnswer>(collection.POST, {
        token: tokenA,
        params: { storyId: story.id },
        body,
      });
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body.code).toBe("VALIDATION");
      expect(JSON.stringify(answer.body)).toMatch(message);
    }
    expect(await storyCount()).toBe(before);

    const first = await callRoute<TranslationOutcome>(collection.POST, {
      token: tokenA,
      params: { storyId: story.id },
      body: { language: "fr" },
    });
    const translationId = first.body.translation.storyId;
    const again = await callRoute<ErrorAnswer & { details: { translationId: string } }>(collection.POST, {
      token: tokenA,
      params: { storyId: story.id },
      body: { language: "fr" },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "CONFLICT", details: { translationId } });
    expect(again.body.message).toMatch(/Update translation/);
    const ofTranslation = await callRoute<ErrorAnswer>(collection.POST, {
      token: tokenA,
      params: { storyId: translationId },
      body: { language: "de" },
    });
    expect(ofTranslation.status).toBe(400);
    expect(ofTranslation.body.message).toMatch(/itself a translation/);
    const notATranslation = await callRoute<ErrorAnswer>(update.POST, {
      token: tokenA,
      params: { translationId: story.id },
    });
    expect(notATranslation.status).toBe(404);
    expect(
      await db().select().from(storyTranslations).where(eq(storyTranslations.sourceStoryId, story.id)),
    ).toHaveLength(1);

    // Another author's token: the story and its translation do not exist.
    expect(
      (await callRoute(collection.POST, { token: tokenB, params: { storyId: story.id }, body: { language: "de" } }))
        .status,
    ).toBe(404);
    expect((await callRoute(collection.GET, { token: tokenB, params: { storyId: story.id } })).status).toBe(404);
    expect((await callRoute(update.POST, { token: tokenB, params: { translationId } })).status).toBe(404);
    expect((await callRoute(update.POST, { token: tokenA, params: { translationId: "nope" } })).status).toBe(400);
  });
});
