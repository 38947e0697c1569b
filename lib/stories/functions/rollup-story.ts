import { inngest } from "@/lib/inngest/client";
import { summariesChanged } from "@/lib/inngest/events/summaries-changed";
import { scheduleRollups } from "../rollups/schedule";
import { summaryDebounceSeconds } from "../summaries/schedule";

/**
 * Roll-ups after summaries change: debounced per story (the summaries' own period, SUMMARY_DEBOUNCE_SECONDS, so a
 * Summarize all of many pages asks once, after its last summary lands), then one `story.rollup` job per run that
 * needs one. The jobs run under the background limit (run-ai-job routes background types there).
 */
export function createRollupStory(options: { debounceSeconds?: number } = {}) {
  const seconds = options.debounceSeconds ?? summaryDebounceSeconds();
  return inngest.createFunction(
    {
      id: "rollup-story-after-summaries",
      name: "Roll up a story's summaries",
      triggers: [summariesChanged],
      debounce: { key: "event.data.storyId", period: `${seconds}s` },
      retries: 3,
    },
    async ({ event, step }) => {
      const { storyId, requestedBy } = event.data;
      return step.run("schedule", () => scheduleRollups(storyId, requestedBy));
    },
  );
}
