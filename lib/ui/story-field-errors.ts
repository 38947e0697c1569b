import { limits } from "@/lib/stories/limits";
import { formatCount } from "./format";

/**
 * The browser's checks of a story's title and description, in the server's words, so that the create form and
 * both inline editors stop a bad value before a round trip and say the same thing about it. Null when valid.
 */
export function storyTitleError(title: string): string | null {
  const trimmed = title.trim();
  if (!trimmed) return "A title is required.";
  if (trimmed.length > limits.titleMax) return `A title can be at most ${limits.titleMax} characters.`;
  return null;
}

export function storyDescriptionError(description: string): string | null {
  return description.length > limits.descriptionMax
    ? `A description can be at most ${formatCount(limits.descriptionMax)} characters.`
    : null;
}
