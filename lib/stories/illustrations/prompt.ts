import type { CodexKind } from "@/db/memory-schema";

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

/**
 * The image prompt: the scene, then every character and place it shows with its codex appearance word for word,
 * then the atmosphere. The appearance text is copied as stored — never summarised or reworded — so a character is
 * described identically in every prompt that shows them, which is what keeps them looking the same from page to
 * page (tests/illustrations/prompt.test.ts). Entries come in the codex's order (kind, then name), not the order of
 * mention, for the same reason.
 */
export function buildImagePrompt(input: {
  scene: string;
  entries: readonly AppearanceEntry[];
  atmosphere: string;
}): string {
  const lines = ["A storybook illustration of this scene:", input.scene.trim()];
  const characters = input.entries.filter((e) => e.kind === "character");
  const places = input.entries.filter((e) => e.kind === "place");
  const describe = (e: AppearanceEntry) =>
    e.appearance.trim() ? `- ${e.name}: ${e.appearance.trim()}` : `- ${e.name}`;
  if (characters.length > 0)
    lines.push("", "Characters (draw each exactly as described):", ...characters.map(describe));
  if (places.length > 0) lines.push("", "Places:", ...places.map(describe));
  lines.push("", `Atmosphere: ${input.atmosphere}.`, "No text, captions or lettering in the image.");
  const prompt = lines.join("\n");
  return prompt.length > IMAGE_PROMPT_MAX ? prompt.slice(0, IMAGE_PROMPT_MAX) : prompt;
}

/** The instruction that asks the text model for the page's key scene. */
export function sceneDescriptionPrompt(pageText: string, storyTitle: string): string {
  return [
    `You are helping illustrate the story "${storyTitle}".`,
    "Describe the single key visual moment of the page below in two or three sentences: who is there, where, what they",
    "are doing, the light and the weather. Describe only what can be seen. Answer with the description alone.",
    "",
    "Page:",
    pageText,
  ].join("\n");
}
