import crypto from "node:crypto";
import canonicalize from "canonicalize";
import { and, desc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db";
import { type AiJob, aiJobs } from "@/db/ai-schema";
import { ModelConfigError } from "../model-registry";

/*
 * The generation cache: an identical request within AI_CACHE_TTL_SECONDS returns the earlier result as a new job
 * marked reused (ai_jobs.reused_from) — no model call, no cost. The key is a canonical hash (RFC 8785, the
 * `canonicalize` package) of the job type, the template and its version, the rendered prompt (which holds every
 * variable), the model and the sampling settings. Lookups stay within one story and one requester: a result is never
 * shared across stories or users. There is no cache table: the ledger's succeeded jobs are the cache, found through
 * a partial index (ai_jobs_cache_idx), so nothing has to be invalidated — a changed page, codex entry or template
 * changes the prompt, hence the key. A job asked "fresh" (a new take) neither reads the cache nor is offered by it.
 */

type Env = Record<string, string | undefined>;

export const DEFAULT_CACHE_TTL_SECONDS = 3600;
/** A week: longer would reuse text written under prices, models or prompts long gone. 0 turns the cache off. */
export const MAX_CACHE_TTL_SECONDS = 7 * 24 * 3600;

/** AI_CACHE_TTL_SECONDS, validated (0 – 604,800); an invalid value stops the start naming the variable. */
export function cacheTtlSeconds(env: Env = process.env): number {
  const raw = env.AI_CACHE_TTL_SECONDS;
  if (raw === undefined || raw === "") return DEFAULT_CACHE_TTL_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > MAX_CACHE_TTL_SECONDS)
    throw new ModelConfigError(
      `AI_CACHE_TTL_SECONDS must be a whole number of seconds from 0 (off) to ${MAX_CACHE_TTL_SECONDS} (got ${raw}).`,
    );
  return value;
}

export interface CacheKeyInput {
  jobType: string;
  templateKey: string;
  templateVersion: number;
  prompt: string;
  provider: string;
  model: string;
  /** Sampling settings that change the answer (the output allowance; temperature when one is set). */
  sampling: Record<string, unknown>;
}

/** The canonical hash of a request: the same inputs in any key order give the same key. */
export function generationCacheKey(input: CacheKeyInput): string {
  const { prompt, ...rest } = input;
  const canonical = canonicalize({
    v: 1,
    ...rest,
    prompt: crypto.createHash("sha256").update(prompt).digest("hex"),
  });
  return crypto
    .createHash("sha256")
    .update(canonical ?? "")
    .digest("hex");
}

/**
 * The id of the newest result reusable for a request of this story, key and requester (values, or columns of a row
 * the query is correlated with): a succeeded job that was itself a model call (a reused job's age would otherwise
 * extend the original's life), not a fresh one, with text, finished within the TTL. A parenthesised subquery.
 */
export function newestReusable(
  db: Db,
  of: { scopeId: string | SQL; cacheKey: string | SQL; requestedBy: string | SQL },
  ttlSeconds: number,
): SQL {
  const cached = alias(aiJobs, "cached");
  return sql`(${db
    .select({ id: cached.id })
    .from(cached)
    .where(
      and(
        sql`${cached.scopeId} = ${of.scopeId}`,
        sql`${cached.cacheKey} = ${of.cacheKey}`,
        sql`${cached.requestedBy} = ${of.requestedBy}`,
        eq(cached.status, "succeeded"),
        eq(cached.fresh, false),
        isNull(cached.reusedFrom),
        gt(cached.completedAt, sql`now() - make_interval(secs => ${ttlSeconds})`),
        sql`${cached.outputText} <> ''`,
      ),
    )
    .orderBy(desc(cached.completedAt), cached.id)
    .limit(1)})`;
}

/**
 * Records the rendered prompt and its cache key on the running job and, when `lookup`, takes as its reused result the
 * newest reusable one of `key` for this job's story and requester finished within the TTL: a succeeded job that was
 * itself a model call (a reused job's age would otherwise extend the original's life) and not a fresh one. One
 * statement: it sits between the request and the model call of every Generate. Returns the result reused, if any.
 */
export async function recordPromptAndFindCached(
  db: Db,
  job: Pick<AiJob, "id" | "scopeId" | "requestedBy">,
  record: { promptHash: string; prompt: string; key: string; lookup: boolean },
  ttlSeconds: number = cacheTtlSeconds(),
): Promise<Pick<AiJob, "id" | "outputText"> | null> {
  const reusable =
    record.lookup && ttlSeconds > 0 && job.scopeId && job.requestedBy
      ? newestReusable(db, { scopeId: job.scopeId, cacheKey: record.key, requestedBy: job.requestedBy }, ttlSeconds)
      : null;
  const [row] = await db
    .update(aiJobs)
    .set({
      promptHash: record.promptHash,
      renderedPrompt: record.prompt,
      cacheKey: record.key,
      reusedFrom: reusable,
      updatedAt: new Date(),
    })
    .where(and(eq(aiJobs.id, job.id), eq(aiJobs.status, "running")))
    .returning({
      reusedFrom: aiJobs.reusedFrom,
      // In the same statement, so the row taken as reused cannot be gone by the time its text is read. Qualified by
      // hand: Drizzle leaves a RETURNING column unqualified, which inside the subquery would name c's own column.
      outputText: sql<string | null>`(select c.output_text from ${aiJobs} c where c.id = "ai_jobs"."reused_from")`,
    });
  return row?.reusedFrom && row.outputText ? { id: row.reusedFrom, outputText: row.outputText } : null;
}
