import { and, count, desc, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { aiJobs, type AiJob } from "@/db/ai-schema";
import { codexSuggestions } from "@/db/memory-schema";
import { listChildren } from "@/lib/ai";
import { jobFailureMessage } from "@/lib/errors";
import { CODEX_TARGET, modelLabel, SUGGEST_CODEX_JOB_TYPE } from "../../job-kinds";

/** A Suggest entries run and its progress, counted in batches of pages. */
export interface CodexSuggestRunView {
  id: string;
  jobType: typeof SUGGEST_CODEX_JOB_TYPE;
  storyId: string;
  status: AiJob["status"];
  modelLabel: string;
  createdAt: string;
  completedAt: string | null;
  /** Batches of pages (one model call each); 0 until the run has planned them. */
  total: number;
  done: number;
  failed: number;
  /** Open suggestions of the story waiting for review. */
  openSuggestions: number;
  /** Why batches failed, one line each (for the author). */
  failures: string[];
}

export async function latestSuggestRun(db: Db, storyId: string): Promise<AiJob | undefined> {
  const [job] = await db
    .select()
    .from(aiJobs)
    .where(
      and(
        eq(aiJobs.jobType, SUGGEST_CODEX_JOB_TYPE),
        eq(aiJobs.targetType, CODEX_TARGET),
        eq(aiJobs.targetId, storyId),
      ),
    )
    .orderBy(desc(aiJobs.createdAt))
    .limit(1);
  return job;
}

export async function toCodexSuggestRunView(db: Db, job: AiJob): Promise<CodexSuggestRunView> {
  const children = await listChildren(db, job.id);
  const ended = (c: AiJob) =>
    (c.status === "succeeded" && c.landedAt !== null) || c.status === "failed" || c.status === "cancelled";
  const failed = children.filter((c) => c.status === "failed");
  const [{ n } = { n: 0 }] = await db
    .select({ n: count() })
    .from(codexSuggestions)
    .where(and(eq(codexSuggestions.storyId, job.targetId), eq(codexSuggestions.status, "open")));
  return {
    id: job.id,
    jobType: SUGGEST_CODEX_JOB_TYPE,
    storyId: job.targetId,
    status: job.status,
    modelLabel: modelLabel(job.provider, job.model),
    createdAt: job.createdAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
    total: children.length,
    done: children.filter(ended).length,
    failed: failed.length,
    openSuggestions: Number(n),
    failures: failed.map((c) => jobFailureMessage(c.errorCode, "item")),
  };
}
