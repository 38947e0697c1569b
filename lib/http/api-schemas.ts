import { z } from "zod";
import { aiJobStatuses, aiJobTypes } from "@/db/ai-schema";
import { historyFilterSchema, historyQuerySchema } from "@/lib/ai";
import { errorCatalog, type ErrorCode } from "@/lib/errors";
import { pageTextRequestSchema } from "@/lib/stories";
import { jobIdSchema } from "@/lib/stories/validation";

/**
 * The zod schemas of REST API v1, requests and responses: lib/http/openapi.ts turns them into the OpenAPI document
 * and tests/api/openapi.test.ts parses real answers with them, so the document cannot drift from the code.
 *
 * Requests are described by the schemas the domain validates them with (pageTextRequestSchema, the job history's
 * filters). Responses are described here; each schema states what the domain's view type holds, field for field
 * (a field the route sends and the schema lacks fails that test).
 */

/** Metadata the document reads: `id` makes a schema a named component; `description` documents a field. */
export const apiRegistry = z.registry<{ id?: string; description?: string }>();

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  apiRegistry.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}
function doc<S extends z.ZodType>(description: string, schema: S): S {
  apiRegistry.add(schema, { description });
  return schema;
}

const id = () => z.uuid();
const timestamp = () => z.iso.datetime();
const jobStatus = () => z.enum(aiJobStatuses);

// ── requests ──

/**
 * A job id in the path. The domain checks it with the same rule (a UUID, "Not a valid id."); api-jobs.ts keeps its
 * schema private, so the path's is declared here and applied by apiRoute before the handler runs.
 */
// The schema the domain validates a job id with, so the document describes what the route checks.
export const jobIdParamsSchema = jobIdSchema;
export const pageIdParamsSchema = pageTextRequestSchema.pick({ pageId: true });

/** The body of generate: the page comes from the path. */
doc("Omitted: write a blank page, revise one with text.", pageTextRequestSchema.shape.mode);
export const generateRequestSchema = named("GenerateRequest", pageTextRequestSchema.omit({ pageId: true }));
export const validateRequestSchema = named("ValidateRequest", pageTextRequestSchema);

/**
 * The query of GET /api/v1/jobs: the job history's own filter and page schemas under the API's names (the ledger
 * says jobType / scopeId / requestedBy; lib/stories/job-list.ts maps them, and answers errors under these names).
 */
const filters = historyFilterSchema.shape;
export const jobListQuerySchema = z.object({
  status: filters.status,
  type: filters.jobType,
  storyId: filters.scopeId,
  userId: doc("Admins only: another user's jobs.", filters.requestedBy),
  model: filters.model,
  errorCode: filters.errorCode,
  from: doc("Created at or after (inclusive); an ISO date or date-time.", filters.from),
  to: doc("Created before (exclusive); an ISO date or date-time.", filters.to),
  cursor: doc("nextCursor of an answer: the older page after it.", historyQuerySchema.shape.cursor),
  before: doc(
    "prevCursor of an answer: the newer page before it (still newest first).",
    historyQuerySchema.shape.before,
  ),
  limit: doc("Jobs per page (default 50).", historyQuerySchema.shape.limit),
});

// ── responses ──

const errorMessage = doc("A sentence for a person.", z.string());
const errorDetails = doc(
  "Machine-readable specifics, e.g. `fields` (VALIDATION), `resetsAt`, `retryAfterSeconds`.",
  z.record(z.string(), z.unknown()),
);

/** Every error: `{ code, message, details? }`; `codes` narrows `code` to what one response can carry. */
export function errorBodySchema(codes: readonly ErrorCode[] = Object.keys(errorCatalog) as ErrorCode[]) {
  return z.object({
    code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
    message: errorMessage,
    details: errorDetails.optional(),
  });
}
// Registered for the document's components (the generic error body), not referenced by name in code.
named("Error", errorBodySchema());

const pageJobSchema = named(
  "Job",
  z.object({
    id: id(),
    status: jobStatus(),
    jobType: z.enum(aiJobTypes),
    pageId: id(),
    model: z.string(),
    provider: z.string(),
    modelLabel: z.string(),
    instruction: z.string(),
    baseVersion: z.int().nullable(),
    partialText: doc("The text so far while the job runs.", z.string().nullable()),
    outputText: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: timestamp(),
    startedAt: timestamp().nullable(),
    completedAt: timestamp().nullable(),
    resolution: doc(
      "How the text landed: written into the page, or kept as a suggestion.",
      z.enum(["applied", "suggested"]).nullable(),
    ),
    page: doc(
      "The page as it is now, once the job has settled.",
      z.object({ content: z.string(), version: z.int(), updatedAt: timestamp() }).nullable(),
    ),
    suggestionId: id().nullable(),
    parentJobId: doc("Set when the job is one page of a background revision.", id().nullable()),
  }),
  "A page's job: write or revise one page.",
);

const backgroundPageSchema = named(
  "BackgroundRevisionPage",
  z.object({
    pageId: id(),
    pageNumber: z.int().nullable(),
    jobId: id(),
    status: doc("`finishing`: the text is in, its suggestion is being saved.", z.enum([...aiJobStatuses, "finishing"])),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    suggestionId: id().nullable(),
    suggestionStatus: z.enum(["open", "applied", "discarded"]).nullable(),
  }),
);

const backgroundRevisionSchema = named(
  "BackgroundRevision",
  z.object({
    id: id(),
    jobType: z.literal("story.revise_pages"),
    storyId: id(),
    status: jobStatus(),
    instruction: z.string(),
    modelLabel: z.string(),
    createdAt: timestamp(),
    completedAt: timestamp().nullable(),
    total: doc("Pages being revised.", z.int()),
    done: z.int(),
    succeeded: z.int(),
    failed: z.int(),
    cancelled: z.int(),
    active: doc("Pages waiting for a slot or running.", z.int()),
    openSuggestions: z.int(),
    pages: z.array(backgroundPageSchema),
    skipped: z.array(
      z.object({ pageId: id(), pageNumber: z.int().nullable(), reason: z.string(), message: z.string() }),
    ),
    failures: z.array(z.object({ pageId: id(), pageNumber: z.int().nullable(), message: z.string() })),
  }),
  "A background revision: one job per page, each page's text kept as a suggestion.",
);

export const anyJobSchema = named(
  "AnyJob",
  z.union([pageJobSchema, backgroundRevisionSchema]),
  "A page's job, or (jobType story.revise_pages) a background revision.",
);

export const jobAcceptedSchema = named(
  "JobAccepted",
  z.object({
    created: doc("False when a job already running on the page was joined.", z.boolean()),
    job: pageJobSchema,
  }),
);

const jobSummarySchema = named(
  "JobSummary",
  z.object({
    id: id(),
    status: jobStatus(),
    type: z.enum(aiJobTypes),
    targetType: z.string(),
    targetId: id(),
    storyId: id().nullable(),
    requestedBy: id().nullable(),
    parentJobId: id().nullable(),
    retryOf: id().nullable(),
    provider: z.string(),
    model: z.string(),
    inputTokens: z.int().nullable(),
    outputTokens: z.int().nullable(),
    costUsd: z.number().nullable(),
    attempts: z.int(),
    errorCode: z.string().nullable(),
    createdAt: timestamp(),
    startedAt: timestamp().nullable(),
    completedAt: timestamp().nullable(),
    durationMs: z.number().nullable(),
  }),
);

export const jobListSchema = named(
  "JobList",
  z.object({ jobs: z.array(jobSummarySchema), nextCursor: z.string().nullable(), prevCursor: z.string().nullable() }),
);

const allowanceSchema = named(
  "Allowance",
  z.object({
    tokensUsed: doc("Tokens of today's finished jobs.", z.int()),
    costUsedUsd: z.number(),
    tokensReserved: doc("Estimated tokens of jobs not finished yet (0 without a token budget).", z.int()),
    tokenBudget: z.int().nullable(),
    costBudgetUsd: z.number().nullable(),
    tokensLeft: doc("tokenBudget − tokensUsed − tokensReserved, at least 0.", z.int().nullable()),
    costLeftUsd: z.number().nullable(),
    tokenBudgetSource: z.enum(["user", "default"]),
    costBudgetSource: z.enum(["user", "default"]),
    ratePerMinute: z.int().nullable(),
    resetsAt: timestamp(),
  }),
);

const pageSpanSchema = z.object({ from: z.int(), to: z.int() });

/** The prompt preview: what the prompt would hold, part by part (lib/ai/context/assemble.ts ContextBreakdown). */
export const contextBreakdownSchema = named(
  "ContextBreakdown",
  z.object({
    sections: z.array(
      z.object({
        kind: z.enum(["template", "instruction", "target", "neighbour", "codex", "page", "summary", "rollup"]),
        label: z.string(),
        pages: doc(
          "The pages this part stands for (1-based, inclusive); null for the template, instruction and codex.",
          pageSpanSchema.nullable(),
        ),
        reason: doc('Why it is there: "always", "mentioned: Mara, page 41", "summary", ...', z.string()),
        tokens: z.int(),
      }),
    ),
    leftOut: z.array(
      z.object({
        kind: z.enum(["codex", "pages"]),
        label: z.string(),
        reason: z.string(),
        pages: pageSpanSchema.nullable(),
      }),
    ),
    totalTokens: z.int(),
    budgetTokens: z.int(),
    counting: doc(
      "o200k: exact counts (OpenAI models); estimate: o200k × 1.3 for other models.",
      z.enum(["o200k", "estimate"]),
    ),
    pageCount: z.int(),
    pagesRepresented: doc("Pages present by their text, their summary or a roll-up.", z.int()),
  }),
);

export const validateResultSchema = named(
  "ValidateResult",
  z.object({
    ok: z.literal(true),
    pageId: id(),
    mode: z.enum(["write", "revise"]),
    wouldJoinJobId: doc("A job already running on the page: a request now would join it.", id().nullable()),
    model: z.string(),
    provider: z.string(),
    promptTokens: z.int(),
    budgetTokens: z.int(),
    pagesShortened: doc("Pages not in the prompt whole: summarised or rolled up.", z.int()),
    context: contextBreakdownSchema,
    estimatedCostUsd: doc(
      "USD for the prompt plus an answer one page long; null when the model has no price.",
      z.number().nullable(),
    ),
    allowance: allowanceSchema.nullable(),
  }),
);
