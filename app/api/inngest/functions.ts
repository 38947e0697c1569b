// The domain's second entry: its functions take no actor, so they stay out of the actor-checked surface (index.ts).
import { storyInngestFunctions } from "@/lib/stories/functions";

/** Every Inngest function the app serves (composed by the domain: lib/stories/functions/index.ts). */
export const functions = storyInngestFunctions();
