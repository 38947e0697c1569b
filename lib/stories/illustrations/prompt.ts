import type { CodexKind } from "@/db/memory-schema";
import { type PromptTemplate, renderTemplate } from "@/lib/ai";

/** A codex entry as an image prompt uses it: who or what it is, and how it looks. */
export interface AppearanceEntry {
  id: string;
  kind: CodexKind;
  name: string;
  appearance: string;
}

const moodWords = [
  "night",
  "dawn",
  "dusk",
  "morning",
  "evening",
  "storm",
  "rain",
  "snow",
  "fog",
  "mist",
  "sun",
  "moon",
  "fire",
  "winter",
  "summer",
  "autumn",
  "spring",
  "dark",
  "bright",
  "quiet",
  "cold",
  "warm",
];

/** The scene's atmosphere: the time, weather and light words it uses, in a fixed order (the same scene, the same words). */
export function atmosphereOf(text: string): string {
  const lower = text.toLowerCase();
  const found = moodWords.filter((w) => new RegExp(`\\b${w}`).test(lower));
  return found.length > 0 ? found.join(", ") : "natural light, calm";
}

export const IMAGE_PROMPT_MAX = 4000;

/** The template families of an illustration (prompts/page_scene.liquid, prompts/page_illustrate.liquid). */
export const SCENE_TEMPLATE_KEY = "page_scene";
export const IMAGE_PROMPT_TEMPLATE_KEY = "page_illustrate";

export interface ImagePromptInput {
  scene: string;
  entries: readonly AppearanceEntry[];
  atmosphere: string;
}

/**
 * The image prompt's variables: the scene, then every character and place it shows with its codex appearance word
 * for word. The appearance text is copied as stored — never summarised or reworded — so a character is described
 * identically in every prompt that shows them, which is what keeps them looking the same from page to page
 * (tests/illustrations/prompt.test.ts). Entries come in the codex's order (kind, then name), not the order of
 * mention, for the same reason.
 */
export function imagePromptVariables(input: ImagePromptInput) {
  const entry = (e: AppearanceEntry) => ({ name: e.name, appearance: e.appearance.trim() });
  return {
    scene: input.scene.trim(),
    characters: input.entries.filter((e) => e.kind === "character").map(entry),
    places: input.entries.filter((e) => e.kind === "place").map(entry),
    atmosphere: input.atmosphere,
  };
}

/** The image prompt, rendered from the job's recorded version of page_illustrate and cut to the provider's limit. */
export async function buildImagePrompt(template: PromptTemplate, input: ImagePromptInput): Promise<string> {
  // No trailing newline: the prompt is sent as it is shown to the author, who may edit it.
  const prompt = (await renderTemplate(template, imagePromptVariables(input))).trimEnd();
  return prompt.length > IMAGE_PROMPT_MAX ? prompt.slice(0, IMAGE_PROMPT_MAX) : prompt;
}

/** The variables of the scene description (page_scene), recorded with its ledger row so it renders again exactly. */
export function sceneVariables(pageText: string, storyTitle: string) {
  return { story: { title: storyTitle }, page: { text: pageText } };
}

/** The instruction that asks the text model for the page's key scene. */
export async function sceneDescriptionPrompt(
  template: PromptTemplate,
  pageText: string,
  storyTitle: string,
): Promise<string> {
  return renderTemplate(template, sceneVariables(pageText, storyTitle));
}
