import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db";
import { type ImageGenerator, importBuiltinPrompts, loadTemplate } from "@/lib/ai";
import { createCodexEntry, requestIllustration, type Actor } from "@/lib/stories";
import { runIllustrationJob } from "@/lib/stories/illustrations/run";
import { atmosphereOf, buildImagePrompt } from "@/lib/stories/illustrations/prompt";
import { createPromptDraft, publishPromptVersion } from "@/lib/stories/prompt-admin";
import { useTestDb } from "../helpers/db";
import { makeActor, makeStory } from "../helpers/fixtures";
import { childrenOf, fakeImageModel, fastRetry, jobRow, samplePng } from "./helpers";

vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/ai/jobs/queue", () => ({ enqueueJob: vi.fn(async () => {}), requestJobCancel: vi.fn(async () => {}) }));

useTestDb();

let author: Actor;
beforeAll(async () => {
  author = await makeActor();
});

const MARA = "tall woman, short black hair, long red coat with brass buttons";
const TOMAS = "boy of ten, freckles, green scarf";
const POINT = "rocky headland with a white lighthouse";

describe("image prompts: the same appearance text of each character in every prompt that mentions them", () => {
  it("pages that mention Mara (by name or alias) all get her appearance word for word; others do not", async () => {
    const { story, pages } = await makeStory(author, [
      "Mara climbed to Kellan Point at dusk.",
      "Tomas waited in the rain. The captain came back soaked.",
      "Tomas and MARA shared bread by the fire.",
      "Nobody was on the beach.",
    ]);
    await createCodexEntry(author, {
      storyId: story.id,
      kind: "character",
      name: "Mara",
      aliases: ["the captain"],
      appearance: MARA,
    });
    await createCodexEntry(author, { storyId: story.id, kind: "character", name: "Tomas", appearance: TOMAS });
    await createCodexEntry(author, { storyId: story.id, kind: "place", name: "Kellan Point", appearance: POINT });
    await createCodexEntry(author, { storyId: story.id, kind: "lore", name: "The Tide Law", appearance: "not drawn" });

    const prompts: string[] = [];
    const generate: ImageGenerator = async (request) => {
      prompts.push(request.prompt);
      return { bytes: samplePng(), claimedType: "image/png" };
    };
    for (const page of pages) {
      const { job } = await requestIllustration(author, { pageId: page.id });
      await runIllustrationJob(job.id, { model: fakeImageModel(generate), retry: fastRetry });
    }
    expect(prompts).toHaveLength(4);
    const maraLine = `- Mara: ${MARA}`;
    const tomasLine = `- Tomas: ${TOMAS}`;
    expect(prompts.map((p) => p.includes(maraLine))).toEqual([true, true, true, false]);
    expect(prompts.map((p) => p.includes(tomasLine))).toEqual([false, true, true, false]);
    expect(prompts.map((p) => p.includes(`- Kellan Point: ${POINT}`))).toEqual([true, false, false, false]);
    // Each appearance appears once per prompt, and lore is never drawn.
    for (const p of prompts) {
      expect(p.split(MARA).length).toBeLessThanOrEqual(2);
      expect(p).not.toContain("not drawn");
    }
    // Characters in the codex's order (by name), whatever order the page names them in.
    expect(prompts[2]!.indexOf(maraLine)).toBeLessThan(prompts[2]!.indexOf(tomasLine));
  });

  it("buildImagePrompt: the page_illustrate template renders scene, characters, places, atmosphere; deterministic", async () => {
    const template = await loadTemplate("page_illustrate");
    const input = {
      scene: "Mara at the lighthouse at night.",
      entries: [
        { id: "1", kind: "character" as const, name: "Mara", appearance: MARA },
        { id: "2", kind: "place" as const, name: "Kellan Point", appearance: "" },
      ],
      atmosphere: atmosphereOf("Mara at the lighthouse at night in the storm."),
    };
    const prompt = await buildImagePrompt(template, input);
    expect(prompt).toBe(await buildImagePrompt(template, input));
    expect(prompt).toContain("Mara at the lighthouse at night.");
    expect(prompt).toContain(`- Mara: ${MARA}`);
    expect(prompt).toContain("Places:\n- Kellan Point");
    expect(prompt).toContain("Atmosphere: night, storm.");
  });
});

describe("the illustration prompts are templates of the prompt library (prompts/page_scene, prompts/page_illustrate)", () => {
  it("jobs render the published versions and record them: the scene row its page_scene version, the job its page_illustrate version", async () => {
    const admin = await makeActor("admin");
    await importBuiltinPrompts(await getDb());
    const scene = await loadTemplate("page_scene");
    const image = await loadTemplate("page_illustrate");
    const sceneDraft = await createPromptDraft(admin, { family: "page_scene", body: `SCENE MARKER\n${scene.body}` });
    await publishPromptVersion(admin, { family: "page_scene", version: sceneDraft.version });
    const imageDraft = await createPromptDraft(admin, {
      family: "page_illustrate",
      body: `IMAGE MARKER\n${image.body}`,
    });
    await publishPromptVersion(admin, { family: "page_illustrate", version: imageDraft.version });

    const {
      pages: [page],
    } = await makeStory(author, ["Mara lit the lamp at night."]);
    const sent: { scene: string[]; image: string[] } = { scene: [], image: [] };
    const model = fakeImageModel(async (request) => {
      sent.image.push(request.prompt);
      return { bytes: samplePng(), claimedType: "image/png" };
    });
    const describeScene = model.describe;
    model.describe = async (request) => {
      sent.scene.push(request.prompt);
      return describeScene(request);
    };
    const { job } = await requestIllustration(author, { pageId: page!.id });
    // Published after the job was queued: the job keeps the version it recorded.
    await publishPromptVersion(admin, { family: "page_illustrate", version: image.version });
    expect((await runIllustrationJob(job.id, { model, retry: fastRetry })).outcome).toBe("succeeded");

    expect(await jobRow(job.id)).toMatchObject({ templateKey: "page_illustrate", templateVersion: imageDraft.version });
    expect(sent.image).toHaveLength(1);
    expect(sent.image[0]!.startsWith("IMAGE MARKER\nA storybook illustration of this scene:")).toBe(true);
    const [sceneRow] = await childrenOf(job.id);
    expect(sceneRow).toMatchObject({ templateKey: "page_scene", templateVersion: sceneDraft.version });
    expect(sent.scene[0]).toContain("SCENE MARKER");
    expect(sent.scene[0]).toContain("Mara lit the lamp at night.");
    // The row keeps the variables and the text it sent, so the admin job view renders it again exactly.
    expect(sceneRow!.renderedPrompt).toBe(sent.scene[0]);
    expect(sceneRow!.promptPayload).toEqual({
      story: { title: expect.any(String) },
      page: { text: "Mara lit the lamp at night." },
    });
  });
});
