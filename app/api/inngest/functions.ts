// The domain's second entry: its functions take no actor, so they stay out of the actor-checked surface (index.ts).
import { storyInngestFunctions } from "@/lib/stories/functions";
import { benchRoutesEnabled } from "../bench/gate";
import { benchNoopFunction } from "../bench/noop-function";

/**
 * Every Inngest function the app serves (composed by the domain: lib/stories/functions/index.ts). bench:engine's
 * no-op function joins them only when the bench routes are on (STORY_SPROUT_BENCH_ROUTES=1), so that its production
 * path is the app's own /api/inngest and the engine's in-process call, exactly as a Generate runs.
 */
export const functions = benchRoutesEnabled()
  ? [...storyInngestFunctions(), benchNoopFunction]
  : storyInngestFunctions();
