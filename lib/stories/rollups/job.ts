import { z } from "zod";
import type { Story } from "@/db/schema";
import type { NewJob, PromptTemplate } from "@/lib/ai";
import { ROLLUP_JOB_TYPE, ROLLUP_TARGET, STORY_SCOPE } from "../job-kinds";

export const ROLLUP_TEMPLATE_KEY = "story_rollup";

/** What prompts/story_rollup.liquid renders, and what landing reads back (hence a schema: it comes from the ledger). */
export const rollupPayloadSchema = z.object({
  story: z.object({ title: z.string(), language: z.string() }),
  range: z.object({ from: z.number().int().min(1), to: z.number().int().min(1), total: z.number().int().min(1) }),
  storyId: z.uuid(),
  start: z.number().int().min(0),
  size: z.number().int().min(1),
  level: z.number().int().min(1),
  /** The run's fingerprint when the job was made: the roll-up lands only if it is still the run's. */
  sourceHash: z.string().regex(/^[0-9a-f]{64}$/),
  parts: z.array(z.object({ label: z.string(), text: z.string() })),
});
export type RollupPromptPayload = z.infer<typeof rollupPayloadSchema>;

/** The `story.rollup` job of one run, from its children's texts (page summaries at level 1, roll-ups above). */
export function rollupJobFor(args: {
  story: Story;
  pageCount: number;
  run: { start: number; size: number; level: number; fingerprint: string; targetId: string };
  parts: { from: number; to: number; text: string }[];
  requestedBy: string | null;
  template: PromptTemplate;
  model: { provider: string; modelId: string };
}): Omit<NewJob, "parentJobId"> {
  const { story, run, template, model } = args;
  const payload: RollupPromptPayload = {
    story: { title: story.title, language: story.language },
    range: { from: run.start + 1, to: run.start + run.size, total: args.pageCount },
    storyId: story.id,
    start: run.start,
    size: run.size,
    level: run.level,
    sourceHash: run.fingerprint,
    parts: args.parts.map((p) => ({
      label: p.from === p.to ? `Page ${p.from}` : `Pages ${p.from}–${p.to}`,
      text: p.text === "" ? "(blank page)" : p.text,
    })),
  };
  return {
    jobType: ROLLUP_JOB_TYPE,
    targetType: ROLLUP_TARGET,
    targetId: run.targetId,
    scopeType: STORY_SCOPE,
    scopeId: story.id,
    requestedBy: args.requestedBy,
    templateKey: template.key,
    templateVersion: template.version,
    provider: model.provider,
    model: model.modelId,
    instruction: "",
    promptPayload: payload,
    contextLeftOut: [],
    baseVersion: null,
  };
}
