import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  json,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { contentRatings, contentRatingsSql, ratingClampSources } from "./content-ratings";
import { users } from "./users-schema";

/**
 * `story.*` types are parent jobs that fan out one child per target: `story.revise_pages` a `page_text.revise` per
 * selected page, `story.summarize_pages` a `page.summarize` per page whose summary is missing or stale,
 * `story.suggest_codex` a `codex.suggest` per batch of pages. `story.rollup` is one model job per roll-up of a run of
 * pages (db/memory-schema.ts storyRollups). `story.translate` fans out one `page.translate` per stale page of a
 * translation (db/translations-schema.ts). `page_text.takes` is a take set on a page (its target), a fan-out of one
 * `page_text.take` per take; takes wait for the author's choice (lib/stories/takes/).
 * `page.illustrate` draws a page's illustration (its own function, not a
 * model job: scene, prompt, image, storage); the scene description it asks a text model for is its
 * `page.describe_scene` child, a ledger row of that call alone.
 */
export const aiJobTypes = [
  "page_text.write",
  "page_text.revise",
  "story.revise_pages",
  "page.summarize",
  "story.summarize_pages",
  "codex.suggest",
  "story.suggest_codex",
  "story.rollup",
  "story.translate",
  "page.translate",
  "page_text.takes",
  "page_text.take",
  "page.illustrate",
  "page.describe_scene",
] as const;
export type AiJobType = (typeof aiJobTypes)[number];

/** One model call of a chained job (ai_jobs.steps): what it renders and, once it ran, what it cost. */
export interface JobStep {
  /** What the step does, shown to the author and the admin ("revise", "proofread"). */
  name: string;
  templateKey: string;
  templateVersion: number;
  /** A later step's template variables; the step before's answer goes in as `inputVariable`. Step 1 has none. */
  variables?: Record<string, unknown>;
  inputVariable?: string;
  record?: JobStepRecord;
}

export interface JobStepRecord {
  promptHash: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  /** ISO times. */
  startedAt: string | null;
  firstTokenAt: string | null;
  completedAt: string;
  /** How many characters the step's answer has. */
  outputCharacters: number;
  /** An input too long for one answer was read in this many sections, one call each (lib/ai/chain.ts). */
  sections?: number;
}

export const aiJobStatuses = ["pending", "running", "succeeded", "failed", "cancelled"] as const;
export type AiJobStatus = (typeof aiJobStatuses)[number];
export const activeJobStatuses = ["pending", "running"] as const satisfies readonly AiJobStatus[];

/**
 * The job ledger: one row per AI request, created before anything runs. It is what the UI shows, what admins audit
 * and what recovers work after a crash. The target is generic (type + id) so that lib/ai knows nothing of pages.
 */
export const aiJobs = pgTable(
  "ai_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobType: text("job_type", { enum: aiJobTypes }).notNull(),
    status: text("status", { enum: aiJobStatuses }).notNull().default("pending"),
    targetType: text("target_type").notNull(),
    targetId: uuid("target_id").notNull(),
    /**
     * The container of the target (for a page: its story), so history can be filtered by it without lib/ai
     * knowing what a story is. Null when the target has no container.
     */
    scopeType: text("scope_type"),
    scopeId: uuid("scope_id"),
    /** For a child of a fan-out job (a background revision): its parent. */
    parentJobId: uuid("parent_job_id").references((): AnyPgColumn => aiJobs.id, { onDelete: "cascade" }),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    templateKey: text("template_key").notNull(),
    templateVersion: integer("template_version").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    instruction: text("instruction").notNull().default(""),
    promptPayload: jsonb("prompt_payload").notNull(),
    /** What context budgeting left out or shortened, so a job can be explained. */
    contextLeftOut: jsonb("context_left_out").notNull().default(sql`'[]'::jsonb`),
    promptHash: text("prompt_hash"),
    /**
     * The prompt rendered for a running job, read by its generate step (the engine memoizes only its hash, rather
     * than re-sending a long story's whole prompt on every later call). Cleared when the job ends: the admin's view
     * renders it again from the recorded template and payload, a pure function of them.
     */
    renderedPrompt: text("rendered_prompt"),
    partialText: text("partial_text"),
    outputText: text("output_text"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    costUsd: numeric("cost_usd", { precision: 16, scale: 10 }),
    attempts: integer("attempts").notNull().default(0),
    /**
     * Why the last failed attempt failed, while another follows (a code of the catalog, lib/errors.ts); kept through
     * the next attempt so the author reads why it is trying again. Never the raw provider message.
     */
    retryCode: text("retry_code"),
    /** When the next attempt starts, while the job waits for it; cleared when that attempt starts. */
    retryAt: timestamp("retry_at", { withTimezone: true }),
    /** Attempts that continued the partial text of an interrupted one instead of starting over. */
    resumedAttempts: integer("resumed_attempts").notNull().default(0),
    /**
     * What made this job's answer differ from another of the same prompt (a take: sampling temperature and seed),
     * sent with the model call; null = the provider's defaults.
     */
    sampling: jsonb("sampling").$type<{ temperature: number; seed: number }>(),
    /**
     * When the author set this job's result aside without using it (a take not chosen, a take set dismissed): kept
     * in the ledger, written nowhere.
     */
    discardedAt: timestamp("discarded_at", { withTimezone: true }),
    /**
     * A job whose workflow chains model calls (revise, then proofread the revised text): its steps in order, each
     * with its template and, once it ran, its record (prompt hash, tokens, cost, timings). Step 1 is the job's own
     * template and payload; each later step renders its template with its variables and the step before's answer.
     * Null for a one-call job (lib/ai/chain.ts).
     */
    steps: jsonb("steps").$type<JobStep[]>(),
    /** The target's version when the job was requested: the output is applied only if it is still current. */
    baseVersion: integer("base_version"),
    /** The rating the job was held to, the story's when it was lower than every maximum, and who clamped it. */
    contentRating: text("content_rating", { enum: contentRatings }),
    requestedRating: text("requested_rating", { enum: contentRatings }),
    ratingClampedBy: text("rating_clamped_by", { enum: ratingClampSources }),
    retryOf: uuid("retry_of").references((): AnyPgColumn => aiJobs.id, { onDelete: "set null" }),
    /**
     * The models given up on, in order, when a provider stayed unavailable after its retries: each with the model
     * tried next and why it was given up (an error code of the catalog and its detail). `model` then names the one
     * that wrote the text.
     */
    modelFallbacks: jsonb("model_fallbacks").notNull().default(sql`'[]'::jsonb`),
    /**
     * The generation cache's key (lib/ai/jobs/generation-cache.ts): a canonical hash of the template version, the
     * rendered prompt, the model and the sampling settings. Set once the prompt is rendered.
     */
    cacheKey: text("cache_key"),
    /** The job whose result this one reused (no model call, no cost): an identical request within the TTL. */
    reusedFrom: uuid("reused_from").references((): AnyPgColumn => aiJobs.id, { onDelete: "set null" }),
    /** The author asked for a new take: the cache is neither read nor is this job's result offered to it. */
    fresh: boolean("fresh").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    firstTokenAt: timestamp("first_token_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /**
     * When the target's owner finished handling a succeeded job's output (wrote it, or kept it as a suggestion).
     * A fan-out parent waits for its succeeded children to land before it ends, so "done" means reviewable.
     */
    landedAt: timestamp("landed_at", { withTimezone: true }),
    /**
     * The engine runs of this job (run, steps, calls), copied here by retention just before the engine purges them,
     * keyed by run id, so the admin's job detail still shows them. json, not jsonb: kept as the engine returned it.
     */
    engineTrace: json("engine_trace"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One active job per target, enforced by the database: a second request joins the first.
    uniqueIndex("ai_jobs_one_active_per_target")
      .on(t.targetType, t.targetId)
      .where(sql`${t.status} in ('pending', 'running')`),
    // History is listed newest first with (created_at, id) keyset pagination; every filter has an index that
    // serves that order so a page stays an index range scan at 100,000+ jobs.
    index("ai_jobs_created_idx").on(t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_status_created_idx").on(t.status, t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_type_created_idx").on(t.jobType, t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_requested_by_created_idx").on(t.requestedBy, t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_target_created_idx").on(t.targetType, t.targetId, t.createdAt.desc()),
    index("ai_jobs_scope_created_idx").on(t.scopeId, t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_model_created_idx").on(t.model, t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_error_created_idx")
      .on(t.errorCode, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.errorCode} is not null`),
    index("ai_jobs_parent_idx").on(t.parentJobId).where(sql`${t.parentJobId} is not null`),
    index("ai_jobs_retry_of_idx").on(t.retryOf).where(sql`${t.retryOf} is not null`),
    index("ai_jobs_pending_idx").on(t.createdAt).where(sql`${t.status} = 'pending'`),
    // The cache lookup: the newest reusable result of one key within one story.
    index("ai_jobs_cache_idx")
      .on(t.scopeId, t.cacheKey, t.completedAt.desc())
      .where(sql`${t.cacheKey} is not null and ${t.status} = 'succeeded' and not ${t.fresh}`),
    check(
      "ai_jobs_job_type_check",
      sql`${t.jobType} in ('page_text.write', 'page_text.revise', 'story.revise_pages', 'page.summarize', 'story.summarize_pages', 'codex.suggest', 'story.suggest_codex', 'story.rollup', 'story.translate', 'page.translate', 'page_text.takes', 'page_text.take', 'page.illustrate', 'page.describe_scene')`,
    ),
    check("ai_jobs_scope_check", sql`(${t.scopeType} is null) = (${t.scopeId} is null)`),
    check("ai_jobs_parent_check", sql`${t.parentJobId} is null or ${t.parentJobId} <> ${t.id}`),
    check("ai_jobs_status_check", sql`${t.status} in ('pending', 'running', 'succeeded', 'failed', 'cancelled')`),
    check("ai_jobs_attempts_check", sql`${t.attempts} >= 0`),
    check("ai_jobs_tokens_check", sql`coalesce(${t.inputTokens}, 0) >= 0 and coalesce(${t.outputTokens}, 0) >= 0`),
    check("ai_jobs_cost_check", sql`${t.costUsd} is null or ${t.costUsd} >= 0`),
    check(
      "ai_jobs_content_rating_check",
      sql.raw(
        `(content_rating is null or content_rating in (${contentRatingsSql})) and (requested_rating is null or requested_rating in (${contentRatingsSql})) and (rating_clamped_by is null or rating_clamped_by in ('site', 'user'))`,
      ),
    ),
    // Admins filter the history by rating and list the clamped jobs.
    index("ai_jobs_rating_created_idx").on(t.contentRating, t.createdAt.desc(), t.id.desc()),
    index("ai_jobs_clamped_created_idx")
      .on(t.createdAt.desc(), t.id.desc())
      .where(sql`${t.ratingClampedBy} is not null`),
    check("ai_jobs_error_check", sql`${t.status} <> 'failed' or ${t.errorCode} is not null`),
    // A fan-out parent has no text of its own: its outcome is its children's.
    check(
      "ai_jobs_output_check",
      sql`${t.status} <> 'succeeded' or ${t.outputText} is not null or ${t.jobType} in ('story.revise_pages', 'story.summarize_pages', 'story.suggest_codex', 'story.translate', 'page_text.takes')`,
    ),
  ],
);

export type AiJob = typeof aiJobs.$inferSelect;
