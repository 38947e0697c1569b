import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { activeJobStatuses, type AiJob, aiJobs } from "@/db/ai-schema";
import { hashPrompt, type PromptTemplate, renderTemplate } from "../prompts";
import { cacheTtlSeconds, generationCacheKey, newestReusable } from "./generation-cache";
import { attemptColumns } from "./ledger";

/*
 * A job rendered when it is requested (Generate): the request has the template and the payload in hand, so the
 * prompt, its hash and its generation-cache key go into the job's row with its insert, and the run starts with its
 * generate step — no render step, no checkpoint, no extra statements between the request and the model call. The
 * generate step starts the job, counts its attempt and looks the cache up in one statement (startRenderedAttempt).
 */

/** The sampling part of the cache key of a runner with the provider's default output allowance (production). */
export const DEFAULT_SAMPLING_KEY = { maxOutputTokens: null } as const;

export interface Prerendered {
  renderedPrompt: string;
  promptHash: string;
  cacheKey: string;
}

/**
 * The prompt of a job about to be recorded, with its hash and cache key; null when the template does not render this
 * payload (the run's render step then fails the job with its code, as for any job).
 */
export async function prerenderPrompt(job: {
  jobType: string;
  template: PromptTemplate;
  payload: object;
  provider: string;
  model: string;
}): Promise<Prerendered | null> {
  let prompt: string;
  try {
    prompt = await renderTemplate(job.template, job.payload as Record<string, unknown>);
  } catch {
    return null;
  }
  return {
    renderedPrompt: prompt,
    promptHash: hashPrompt(prompt),
    cacheKey: generationCacheKey({
      jobType: job.jobType,
      templateKey: job.template.key,
      templateVersion: job.template.version,
      prompt,
      provider: job.provider,
      model: job.model,
      sampling: DEFAULT_SAMPLING_KEY,
    }),
  };
}

export type RenderedAttempt = Pick<
  AiJob,
  "provider" | "model" | "jobType" | "renderedPrompt" | "partialText" | "sampling" | "scopeId" | "promptHash"
> & {
  /** The earlier text this job reuses (the generation cache answered on its first start): no model call. */
  reusedText: string | null;
};

/**
 * One statement for a rendered job's generate step: marks it running (first start), counts the attempt and, on the
 * first start when `lookup`, takes the newest reusable result of its cache key for its story and requester (the
 * conditions of recordPromptAndFindCached) — a reused job counts no attempt. Null when the job is no longer active.
 */
export async function startRenderedAttempt(
  db: Db,
  jobId: string,
  lookup: boolean,
  ttlSeconds: number = cacheTtlSeconds(),
): Promise<RenderedAttempt | null> {
  // Correlated with the row being updated ("ai_jobs", named by hand: Drizzle leaves its columns unqualified here),
  // looked up only on its first start and never for a fresh job.
  const reusable =
    lookup && ttlSeconds > 0
      ? sql`(case when "ai_jobs"."status" = 'pending' and not "ai_jobs"."fresh" then ${newestReusable(
          db,
          {
            scopeId: sql`"ai_jobs"."scope_id"`,
            cacheKey: sql`"ai_jobs"."cache_key"`,
            requestedBy: sql`"ai_jobs"."requested_by"`,
          },
          ttlSeconds,
        )} end)`
      : sql`null::uuid`;
  const [row] = await db
    .update(aiJobs)
    .set({
      status: "running",
      startedAt: sql`coalesce(${aiJobs.startedAt}, now())`,
      reusedFrom: sql`coalesce(${reusable}, "ai_jobs"."reused_from")`,
      // A repeat of a step whose lookup already took a result (its answer lost) counts no attempt either.
      attempts: sql`"ai_jobs"."attempts" + case when coalesce(${reusable}, "ai_jobs"."reused_from") is null then 1 else 0 end`,
      retryAt: null,
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, jobId), inArray(aiJobs.status, [...activeJobStatuses])))
    .returning({
      ...attemptColumns,
      scopeId: aiJobs.scopeId,
      promptHash: aiJobs.promptHash,
      // In the same statement, so the row taken as reused cannot be gone by the time its text is read.
      reusedText: sql<string | null>`(select c.output_text from ${aiJobs} c where c.id = "ai_jobs"."reused_from")`,
    });
  return row ?? null;
}
