import type { AiJobType } from "@/db/ai-schema";

/** Job types that run no model themselves: they fan out one child job per target and end with their children. */
export const fanOutJobTypes = ["story.revise_pages"] as const satisfies readonly AiJobType[];

export function isFanOutJobType(type: string): boolean {
  return (fanOutJobTypes as readonly string[]).includes(type);
}
