import { getDb } from "@/db";
import type { AiJob } from "@/db/ai-schema";
import { storyRollups } from "@/db/memory-schema";
import { countTokens, GenerationError, rollupFingerprints, rollupKey } from "@/lib/ai";
import { log } from "@/lib/log";
import { ROLLUP_TARGET } from "../job-kinds";
import { livePagesForSummaries, summariesOf } from "../summaries/state";
import { normalizeAiSummary } from "../summaries/text";
import { rollupPayloadSchema } from "./job";
import { scheduleRollups } from "./schedule";
import { rollupChildren } from "./state";

export type RollupLanding = "stored" | "discarded-stale" | "skipped";

/** A roll-up is a little longer than a page summary: it covers many pages. */
export const ROLLUP_MAX_SENTENCES = 4;

export function normalizeRollup(answer: string): string {
  return normalizeAiSummary(answer, ROLLUP_MAX_SENTENCES);
}

/** The job type's check of an answer: one that leaves nothing to store fails the job for good. */
export function validateRollupAnswer(text: string): void {
  if (normalizeRollup(text) === "") {
    throw new GenerationError("GEN_CONSTRAINT_FAIL", "the answer holds no roll-up sentence", false);
  }
}

/**
 * Lands a succeeded `story.rollup` job: stored as its run's roll-up only if the summaries under the run are still
 * those it was written from (the run's fingerprint now equals the job's); a roll-up that finishes after a child
 * changed is discarded, as a late page summary is, and the run is asked for again. Either way the scheduler looks
 * again, so the level above follows. Safe to run twice (the same row is written with the same values).
 */
export async function landRollup(job: AiJob): Promise<RollupLanding> {
  if (job.targetType !== ROLLUP_TARGET || job.status !== "succeeded" || job.outputText === null) return "skipped";
  const parsed = rollupPayloadSchema.safeParse(job.promptPayload);
  if (!parsed.success) {
    log("warn", "roll-up job without a readable payload", { jobId: job.id });
    return "skipped";
  }
  const payload = parsed.data;
  const text = normalizeRollup(job.outputText);
  if (text === "") return "skipped";
  const db = await getDb();
  const ordered = await livePagesForSummaries(db, payload.storyId);
  const summaries = await summariesOf(
    db,
    ordered.map((p) => p.id),
  );
  const current = rollupFingerprints(rollupChildren(ordered, (id) => summaries.get(id)?.text)).get(
    rollupKey(payload.start, payload.size),
  );
  // A story deleted meanwhile has no pages left, so no fingerprint: discarded, and the scheduler finds no story.
  let landing: RollupLanding = "discarded-stale";
  if (current === payload.sourceHash) {
    const values = {
      storyId: payload.storyId,
      start: payload.start,
      size: payload.size,
      level: payload.level,
      text,
      tokenCount: countTokens(text),
      sourceHash: payload.sourceHash,
      jobId: job.id,
      updatedAt: new Date(),
    };
    // The row's id is the run's target id, so a repeated landing rewrites the same row.
    await db
      .insert(storyRollups)
      .values({ id: job.targetId, ...values })
      .onConflictDoUpdate({ target: storyRollups.id, set: values });
    landing = "stored";
  }
  await scheduleRollups(payload.storyId, job.requestedBy, { landingJobId: job.id });
  return landing;
}
