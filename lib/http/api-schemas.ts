import { z } from "zod";
import { contentRatings } from "@/db/content-ratings";
import { aiJobStatuses, aiJobTypes } from "@/db/ai-schema";
import { historyFilterSchema, historyQuerySchema } from "@/lib/ai";
import { errorCatalog, type ErrorCode } from "@/lib/errors";
import {
  codexEntryBodySchema,
  codexEntryIdSchema,
  codexListSchema,
  codexSuggestionIdSchema,
  codexUpdateSchema,
  memberInviteBodySchema,
  memberRoleBodySchema,
  memberTransferBodySchema,
  pageTextRequestSchema,
  pinSummarySchema,
  takesRequestSchema,
} from "@/lib/stories";
import { codexActivations, codexKinds, codexSuggestionStatuses } from "@/db/memory-schema";
import { memberRoles, sharedRoles } from "@/db/schema";
import { exportQuerySchema as storyExportQuerySchema } from "@/lib/stories/export/schema";
import {
  pageListQuerySchema as domainPageListQuerySchema,
  storyListQuerySchema as domainStoryListQuerySchema,
} from "@/lib/stories/api-resources";
import { backgroundWorkflows } from "@/lib/stories/background/parent-payload";
import { backgroundRequestSchema } from "@/lib/stories/background/request";
import { illustrateRequestSchema } from "@/lib/stories/illustrations/request";
import {
  idField,
  jobIdSchema,
  pageAddSchema,
  pageMoveSchema,
  pageMoveToSchema,
  pageSaveSchema,
  storyCreateSchema,
  storyIdSchema,
  storyUpdateSchema,
} from "@/lib/stories/validation";
import { importFormats, importStatuses } from "@/db/import-schema";
import { importOptionsSchema, importRequestSchema } from "@/lib/stories/import/schema";

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
      "How the text landed: written into the page, kept as a suggestion, or identical to the page (nothing changed).",
      z.enum(["applied", "suggested", "unchanged"]).nullable(),
    ),
    suggestionReason: doc(
      "Why the text waits as a suggestion: the page changed while the job ran, a background revision, or the job " +
        "was started by someone who does not edit the story (its author reviews it).",
      z.enum(["page_changed", "background", "review"]).nullable(),
    ),
    page: doc(
      "The page as it is now, once the job has settled.",
      z.object({ content: z.string(), version: z.int(), updatedAt: timestamp() }).nullable(),
    ),
    suggestionId: id().nullable(),
    parentJobId: doc("Set when the job is one page of a background revision.", id().nullable()),
    sections: doc(
      "A page too long for one prompt is revised section by section in one job: how many sections, and which one is being revised (null when not known).",
      z.object({ count: z.int(), current: z.int().nullable() }).nullable(),
    ),
    attempt: doc(
      "While the job is active (null once settled): the model call's attempt (0 before the first starts) of how many, " +
        "and after a failed attempt why it failed in words and when the next one starts (null while one runs).",
      z
        .object({
          number: z.int(),
          max: z.int(),
          retryReason: z.string().nullable(),
          retryAt: timestamp().nullable(),
        })
        .nullable(),
    ),
    reused: doc(
      "The text is an earlier identical request's (same story, requester, prompt, model and settings, within the " +
        "cache's time): no model call, no cost. Ask with `fresh: true` for a new take.",
      z.boolean(),
    ),
  }),
  "A page's job: write or revise one page.",
);

const jobStepSchema = named(
  "JobStep",
  z.object({
    name: doc("`revise` or `proofread`.", z.string()),
    template: doc("The template and version the step rendered.", z.string()),
    done: z.boolean(),
    inputTokens: z.int().nullable(),
    outputTokens: z.int().nullable(),
    costUsd: z.number().nullable(),
    startedAt: timestamp().nullable(),
    firstTokenAt: timestamp().nullable(),
    completedAt: timestamp().nullable(),
    durationMs: z.number().nullable(),
    sections: doc(
      "How many sections (one call each) the step read its input in, when it was too long for one answer; null: one call.",
      z.int().nullable(),
    ),
  }),
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
    steps: doc(
      "Revise, then proofread: the page's job in its two steps, each with its template, tokens, cost and timings " +
        "(null for a one-call revision).",
      z.array(jobStepSchema).nullable(),
    ),
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
    workflow: doc(
      "`revise`: one model call per page; `revise_proofread`: each page revised, then the revised text proofread, " +
        "in one job of two recorded steps.",
      z.enum(backgroundWorkflows),
    ),
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
        source: doc(
          "For a roll-up only: ai when a stored roll-up written by the AI stands for the pages, stand-in when their first sentences do (no current AI roll-up yet).",
          z.enum(["ai", "stand-in"]).optional(),
        ),
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
    sections: doc(
      "The page is too long for one prompt and would be revised in this many sections, in one job; null: in one piece.",
      z.int().nullable(),
    ),
    context: contextBreakdownSchema,
    estimatedCostUsd: doc(
      "USD for the prompt plus an answer one page long; null when the model has no price.",
      z.number().nullable(),
    ),
    allowance: allowanceSchema.nullable(),
  }),
);

// ── the story codex ──

export const storyIdParamsSchema = storyIdSchema;
export const codexEntryIdParamsSchema = codexEntryIdSchema;
export const codexSuggestionIdParamsSchema = codexSuggestionIdSchema;
export const codexListQuerySchema = z.object({
  q: doc(
    "Keeps entries whose name, an alias or the description contains it (case-insensitive).",
    codexListSchema.shape.q,
  ),
});
export const exportQuerySchema = z.object({
  format: doc("md (CommonMark), txt (UTF-8), docx (Word) or epub (EPUB 3).", storyExportQuerySchema.shape.format),
  toc: doc(
    "The table of contents (DOCX, EPUB): one entry per page, or per chapter heading (a line `# Title` or `## Title`; a story without headings falls back to pages).",
    storyExportQuerySchema.shape.toc,
  ),
  codex: doc("`true` adds the story's codex as an appendix.", storyExportQuerySchema.shape.codex),
  illustrations: doc(
    "Each page's chosen illustration (default `true`; `false` leaves them out): an image in EPUB and DOCX, an `[Illustration: scene]` line in txt; md with at least one illustration is a zip (`application/zip`) of the .md file and the `images/` folder it links to.",
    storyExportQuerySchema.shape.illustrations,
  ),
});
/** An export's answer is a file, not JSON: its bytes as the document describes binary content. */
export const exportFileSchema = z.string();
export const codexEntryCreateSchema = named(
  "CodexEntryCreate",
  codexEntryBodySchema,
  "A new entry. Names and aliases are unique in a story's codex (case-insensitively, Unicode-normalised).",
);
export const codexEntryUpdateSchema = named(
  "CodexEntryUpdate",
  codexUpdateSchema.omit({ entryId: true }),
  "The fields to change, and `baseVersion`: the entry's version the change starts from (409 CONFLICT when stale).",
);
export const codexSuggestionAcceptSchema = named(
  "CodexSuggestionAccept",
  z.object({
    edits: doc(
      "The author's changes to the suggestion before it is written.",
      codexEntryBodySchema.partial().optional(),
    ),
  }),
);

const codexEntrySchema = named(
  "CodexEntry",
  z.object({
    id: id(),
    storyId: id(),
    kind: z.enum(codexKinds),
    name: z.string(),
    aliases: z.array(z.string()),
    description: z.string(),
    appearance: doc(
      "How the character or place looks; the same text goes into every image prompt that mentions the entry.",
      z.string(),
    ),
    activation: doc("When the entry goes into prompts.", z.enum(codexActivations)),
    tokenCount: doc("Tokens the entry takes in a prompt.", z.int()),
    version: z.int(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
);
export const codexEntryAnswerSchema = codexEntrySchema;
export const codexListAnswerSchema = named("CodexList", z.object({ entries: z.array(codexEntrySchema) }));
export const codexDeletedSchema = named("CodexEntryDeleted", z.object({ id: id(), deleted: z.literal(true) }));

const codexSuggestionSchema = named(
  "CodexSuggestion",
  z.object({
    id: id(),
    storyId: id(),
    entryId: doc("Set when it proposes an update of this existing entry.", id().nullable()),
    kind: z.enum(codexKinds),
    name: z.string(),
    aliases: z.array(z.string()),
    description: z.string(),
    status: z.enum(codexSuggestionStatuses),
    createdAt: timestamp(),
  }),
);
export const codexSuggestionAnswerSchema = codexSuggestionSchema;
export const codexSuggestionListSchema = named(
  "CodexSuggestionList",
  z.object({ suggestions: z.array(codexSuggestionSchema) }),
);
export const codexSuggestionAcceptedSchema = named(
  "CodexSuggestionAccepted",
  z.object({ suggestion: codexSuggestionSchema, entry: codexEntrySchema }),
);
const codexSuggestRunSchema = named(
  "CodexSuggestRun",
  z.object({
    id: id(),
    jobType: z.literal("story.suggest_codex"),
    storyId: id(),
    status: jobStatus(),
    modelLabel: z.string(),
    createdAt: timestamp(),
    completedAt: timestamp().nullable(),
    total: doc("Batches of pages, one model call each (0 until planned).", z.int()),
    done: z.int(),
    failed: z.int(),
    openSuggestions: z.int(),
    failures: z.array(z.string()),
  }),
);
export const codexSuggestAcceptedSchema = named(
  "CodexSuggestAccepted",
  z.object({
    created: doc("False when a run already going on the story was joined.", z.boolean()),
    message: z.string(),
    run: codexSuggestRunSchema,
  }),
);
export const codexSuggestRunAnswerSchema = named(
  "CodexSuggestRunAnswer",
  z.object({ run: codexSuggestRunSchema.nullable() }),
);

// ── page summaries ──

/** The body of PUT /api/v1/pages/{pageId}/summary: the page comes from the path. */
export const pinSummaryRequestSchema = named("PinSummaryRequest", pinSummarySchema.omit({ pageId: true }));

export const pageSummarySchema = named(
  "PageSummary",
  z.object({
    pageId: id(),
    text: doc("Null when the page has no summary yet.", z.string().nullable()),
    source: doc("Who wrote it: `ai`, or `author` (pinned until cleared).", z.enum(["ai", "author"]).nullable()),
    pinned: z.boolean(),
    stale: doc("Older than the page's text (or unpinned by the author): a newer one is due.", z.boolean()),
    pageVersion: doc("The page version it summarises.", z.int().nullable()),
    currentPageVersion: z.int(),
    tokenCount: z.int().nullable(),
    updatedAt: timestamp().nullable(),
    job: doc(
      "The summary job waiting or running for the page.",
      z.object({ id: id(), status: z.enum(["pending", "running"]) }).nullable(),
    ),
    notRefreshedReason: doc(
      "Why a missing or stale summary is not being refreshed: `budget` (the AI budget of whoever saved the page is used up; it is refreshed once the budget allows again, at the next edit, or by Summarize all).",
      z.enum(["budget"]).nullable(),
    ),
  }),
  "A page's summary (1 to 3 sentences) in the story's memory.",
);

const summarizeAllSchema = named(
  "SummarizeAll",
  z.object({
    id: id(),
    jobType: z.literal("story.summarize_pages"),
    storyId: id(),
    status: jobStatus(),
    modelLabel: z.string(),
    createdAt: timestamp(),
    completedAt: timestamp().nullable(),
    total: doc("Pages being summarised (missing or stale summaries; pinned ones are kept).", z.int()),
    done: z.int(),
    succeeded: z.int(),
    failed: z.int(),
    cancelled: z.int(),
    active: doc("Pages waiting for a slot or running.", z.int()),
    skipped: z.array(z.object({ pageId: id(), pageNumber: z.int().nullable(), reason: z.string() })),
    failures: z.array(z.object({ pageId: id(), pageNumber: z.int().nullable(), message: z.string() })),
  }),
  "Summarize all: one summary job per page whose summary is missing or stale.",
);

const ledgerJobSchema = named(
  "LedgerJob",
  z.object({
    id: id(),
    jobType: z.enum(aiJobTypes),
    status: jobStatus(),
    storyId: id(),
    targetType: z.string(),
    targetId: id(),
    parentJobId: doc("Set when the job is one part of a larger job (a batch of Suggest entries).", id().nullable()),
    provider: z.string(),
    model: z.string(),
    modelLabel: z.string(),
    inputTokens: z.int().nullable(),
    outputTokens: z.int().nullable(),
    costUsd: z.number().nullable(),
    attempts: z.int(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: timestamp(),
    startedAt: timestamp().nullable(),
    completedAt: timestamp().nullable(),
  }),
  "Any other job of a story (a roll-up of a run of pages, one batch of Suggest entries), as the ledger records it.",
);

export const importJobSchema = named(
  "ImportJob",
  z.object({
    id: id(),
    jobType: z.literal("story.import"),
    status: z.enum(importStatuses),
    fileName: z.string(),
    format: z.enum(importFormats),
    options: importOptionsSchema,
    pagesTotal: doc("Pages the manuscript makes; null until the file has been read.", z.int().nullable()),
    pagesStaged: doc("Pages prepared so far (progress: pagesStaged of pagesTotal).", z.int()),
    storyId: doc("The new story, once the import succeeded.", id().nullable()),
    error: doc(
      "Why the import failed (an IMPORT_* code of the catalog, or INTERNAL); no story was created.",
      z.object({ code: z.string(), message: z.string() }).nullable(),
    ),
    createdAt: timestamp(),
    completedAt: timestamp().nullable(),
  }),
  "A manuscript import (jobType story.import): all or nothing, the story appears when it succeeded.",
);

export const importPreviewSchema = named(
  "ImportPreview",
  z.object({
    format: z.enum(importFormats),
    title: doc("From the document (a title heading or Word's Title style), else the file name.", z.string()),
    description: doc("The paragraphs under the title, or Word's Subtitle; empty when there are none.", z.string()),
    pageCount: z.int(),
    splitFurther: doc("Pages cut again because the chosen split left them over the page limit.", z.int()),
    pages: doc(
      "The first 100 pages: number, characters and opening lines.",
      z.array(z.object({ number: z.int(), characters: z.int(), firstLines: z.string() })),
    ),
  }),
);

export const importAnswerSchema = named(
  "ImportAnswer",
  z.union([importJobSchema, importPreviewSchema]),
  "202 with the import job; with preview=true, 200 with the preview of the split (nothing created).",
);

export { importRequestSchema };

// ── page illustrations ──

/** The body of POST /api/v1/pages/{pageId}/illustrate: the page comes from the path. */
doc(
  "Your edit of the scene description (Regenerate): the model is not asked to describe the scene again.",
  illustrateRequestSchema.shape.sceneDescription,
);
doc(
  "Your edit of the image prompt (Regenerate): sent to the image model as it is.",
  illustrateRequestSchema.shape.imagePrompt,
);
export const illustrateRequestBodySchema = named("IllustrateRequest", illustrateRequestSchema.omit({ pageId: true }));
export const illustrationIdParamsSchema = z.object({ illustrationId: id() });

export const illustrationJobSchema = named(
  "IllustrationJob",
  z.object({
    id: id(),
    jobType: z.literal("page.illustrate"),
    pageId: id(),
    status: jobStatus(),
    phase: doc(
      "Where the job is: queued, describing the scene, writing the image prompt, drawing, then done, failed or cancelled.",
      z.enum(["queued", "describing", "prompting", "drawing", "done", "failed", "cancelled"]),
    ),
    message: doc("What the author reads: the phase while it runs, the outcome after.", z.string()),
    sceneDescription: doc("The scene, once described.", z.string().nullable()),
    errorCode: z.string().nullable(),
    attempts: doc("Calls of the image model so far (retries included).", z.int()),
    createdAt: timestamp(),
    completedAt: timestamp().nullable(),
  }),
  "Illustrate page (`page.illustrate`): the page's key scene described, an image prompt built from it and the codex, an image drawn and stored.",
);

export const illustrateAcceptedSchema = named(
  "IllustrateAccepted",
  z.object({
    created: doc("False when an Illustrate job already running on the page was joined.", z.boolean()),
    job: illustrationJobSchema,
  }),
);

export const illustrationSchema = named(
  "Illustration",
  z.object({
    id: id(),
    pageId: id(),
    storyId: id(),
    sceneDescription: z.string(),
    imagePrompt: z.string(),
    imageUrl: doc(
      "The image's bytes (GET with the same token or a session; the answer is cached for good).",
      z.string(),
    ),
    contentType: doc("image/png, image/jpeg or image/webp, read from the bytes.", z.string()),
    width: z.int(),
    height: z.int(),
    byteSize: z.int(),
    model: z.string(),
    offline: doc("Drawn by the offline illustrator (no image model configured).", z.boolean()),
    chosen: doc("The attempt that illustrates the page (at most one per page).", z.boolean()),
    createdAt: timestamp(),
  }),
  "One attempt at a page's illustration. Attempts nobody chose are purged after ILLUSTRATION_ATTEMPT_RETENTION_DAYS (30 by default).",
);

export const pageIllustrationsSchema = named(
  "PageIllustrations",
  z.object({
    attempts: doc("Every kept attempt, newest first.", z.array(illustrationSchema)),
    job: doc("The page's running Illustrate job, or its latest one.", illustrationJobSchema.nullable()),
    waitingForText: doc(
      "With Generate: an Illustrate starts once a Generate's text reaches the page (or its suggestion is applied); " +
        "discarding that suggestion ends the wait.",
      z.boolean(),
    ),
  }),
);

export const anyJobSchema = named(
  "AnyJob",
  z.union([
    pageJobSchema,
    backgroundRevisionSchema,
    summarizeAllSchema,
    codexSuggestRunSchema,
    illustrationJobSchema,
    ledgerJobSchema,
    importJobSchema,
  ]),
  "A page's job, (jobType story.revise_pages) a background revision, (story.summarize_pages) Summarize all, (story.suggest_codex) Suggest entries, (page.illustrate) Illustrate page, (story.import) a manuscript import, or any other job of a story (story.rollup, codex.suggest) as its ledger row.",
);

export const summarizeAllAcceptedSchema = named(
  "SummarizeAllAccepted",
  z.object({
    created: doc("False when Summarize all was already running for the story and was joined.", z.boolean()),
    job: summarizeAllSchema,
  }),
);

// ── stories and pages ──

/**
 * Requests: the domain's own schemas (lib/stories/validation.ts, background/request.ts), minus the ids the path
 * carries. Queries: the list functions' schemas (lib/stories/api-resources.ts).
 */
export const storyListQuerySchema = z.object({
  cursor: doc("nextCursor of an answer: the page after it.", domainStoryListQuerySchema.shape.cursor),
  limit: doc("Stories per page (default 20, at most 100).", domainStoryListQuerySchema.shape.limit),
});
export const pageListQuerySchema = z.object({
  cursor: doc("nextCursor of an answer: the pages after it.", domainPageListQuerySchema.shape.cursor),
  limit: doc("Pages per answer (default 50, at most 100).", domainPageListQuerySchema.shape.limit),
});
export const storyCreateRequestSchema = named("StoryCreate", storyCreateSchema);
export const storyUpdateRequestSchema = named(
  "StoryUpdate",
  storyUpdateSchema.omit({ storyId: true }),
  "The fields to change; omitted fields stay as they are.",
);
doc(
  "Insert right after this page; omitted or null (and no beforePageId): at the end.",
  pageAddSchema.shape.afterPageId,
);
doc(
  "Insert right before this page (e.g. the first page); not together with afterPageId.",
  pageAddSchema.shape.beforePageId,
);
export const pageCreateRequestSchema = named("PageCreate", pageAddSchema.omit({ storyId: true }));
doc(
  "Write even while the page's own Generate writes it (otherwise 409 PAGE_AI_WRITING); the AI's text then waits as a suggestion.",
  pageSaveSchema.shape.saveWhileAiWrites,
);
export const pageUpdateRequestSchema = named(
  "PageUpdate",
  pageSaveSchema.omit({ pageId: true }),
  "The page's new text, and `baseVersion`: the page's version the text starts from (409 CONFLICT, with the page as it is now in `details.current`, when someone wrote since).",
);
export const pageMoveRequestSchema = named(
  "PageMove",
  z.union([
    pageMoveSchema.omit({ pageId: true }),
    doc("Right after this page of the story; null: to the front.", pageMoveToSchema.omit({ pageId: true })),
  ]),
  "One step (`direction`) or anywhere (`afterPageId`, null for the front). Only the moved page's key changes.",
);
export const revisionRequestSchema = named(
  "BackgroundRevisionRequest",
  backgroundRequestSchema.omit({ storyId: true }),
  "The pages to revise (none blank) and how.",
);

const storySchema = named(
  "Story",
  z.object({
    id: id(),
    ownerId: id(),
    title: z.string(),
    description: z.string(),
    language: doc("BCP-47 tag, e.g. en or pt-BR.", z.string()),
    contentRating: doc(
      "What the story may contain; AI jobs are held to the lowest of this, the site's and the user's maximum.",
      z.enum(contentRatings),
    ),
    pageCount: doc("Live (not deleted) pages.", z.int()),
    createdAt: timestamp(),
    updatedAt: doc("The last change to the story or any of its pages.", timestamp()),
  }),
);
export const storyAnswerSchema = storySchema;
export const storyListSchema = named(
  "StoryList",
  z.object({
    stories: z.array(storySchema),
    nextCursor: doc("Pass as `cursor` for the next page; null on the last one.", z.string().nullable()),
  }),
);
export const storyDeletedSchema = named("StoryDeleted", z.object({ id: id(), deleted: z.literal(true) }));

const pageSchema = named(
  "Page",
  z.object({
    id: id(),
    storyId: id(),
    number: doc("1-based among the story's pages in reading order.", z.int()),
    content: z.string(),
    version: doc("Send it back as `baseVersion` when you change the text.", z.int()),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
);
export const pageAnswerSchema = pageSchema;
export const pageListSchema = named(
  "PageList",
  z.object({
    pages: z.array(pageSchema),
    nextCursor: doc("Pass as `cursor` for the next pages; null on the last one.", z.string().nullable()),
  }),
);
export const pageDeletedSchema = named("PageDeleted", z.object({ id: id(), deleted: z.literal(true) }));
export const revisionAcceptedSchema = named(
  "BackgroundRevisionAccepted",
  z.object({
    created: doc("False when the story's running background revision was joined (nothing new started).", z.boolean()),
    message: z.string(),
    job: backgroundRevisionSchema,
  }),
);

// ── takes ──

export const takeSetIdParamsSchema = z.object({ setId: id() });
/** The body of POST /api/v1/pages/{pageId}/takes: the page comes from the path. */
doc("How many takes to write at once (2–4, default 3).", takesRequestSchema.shape.count);
export const takesRequestBodySchema = named("TakesRequest", takesRequestSchema.omit({ pageId: true }));
export const takeChoiceSchema = named(
  "TakeChoice",
  z.object({ takeId: doc("The id of one take of this set (`takes[].id`).", id()) }),
);

const takeSchema = named(
  "Take",
  z.object({
    id: id(),
    number: doc("1-based position in its set, in the order the takes were asked for.", z.int()),
    status: jobStatus(),
    text: doc("The text so far while the take is written, then the whole take.", z.string()),
    temperature: doc("The sampling temperature that made this take differ.", z.number().nullable()),
    seed: doc("The sampling seed (the offline model writes the same take for the same seed).", z.int().nullable()),
    inputTokens: z.int().nullable(),
    outputTokens: z.int().nullable(),
    costUsd: z.number().nullable(),
    startedAt: timestamp().nullable(),
    completedAt: timestamp().nullable(),
    elapsedMs: doc("Time the take took, once finished.", z.int().nullable()),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    chosen: z.boolean(),
    discarded: doc("Set aside when another take was chosen or the set cancelled: kept, written nowhere.", z.boolean()),
  }),
);

export const takeSetSchema = named(
  "TakeSet",
  z.object({
    id: id(),
    jobType: z.literal("page_text.takes"),
    pageId: id(),
    storyId: id(),
    status: jobStatus(),
    state: doc(
      "writing: a take is still being written; ready: all done, waiting for the choice; chosen; dismissed (cancelled).",
      z.enum(["writing", "ready", "chosen", "dismissed"]),
    ),
    mode: z.enum(["write", "revise"]),
    instruction: z.string(),
    modelLabel: z.string(),
    baseVersion: z.int().nullable(),
    takes: z.array(takeSchema),
    chosenTakeId: id().nullable(),
    landing: doc(
      "How the chosen take landed: written into the page, kept as a suggestion (the page changed), or identical.",
      z.enum(["applied", "suggested", "unchanged"]).nullable(),
    ),
    createdAt: timestamp(),
  }),
);

export const takesAcceptedSchema = named(
  "TakesAccepted",
  z.object({
    created: doc("False when the page's open take set was joined (nothing new was started).", z.boolean()),
    set: takeSetSchema,
  }),
);

// ── story members (co-authors) ──

export const memberParamsSchema = storyIdSchema.extend({ userId: idField });
export const memberInviteSchema = named(
  "MemberInvite",
  memberInviteBodySchema,
  "Invite an email address as editor or reader. The answer is the same whether or not the address has an account: " +
    "the invitation waits until someone with that email signs in and accepts it.",
);
export const memberRoleChangeSchema = named("MemberRoleChange", memberRoleBodySchema);
const memberSchema = named(
  "StoryMember",
  z.object({
    userId: id(),
    name: z.string(),
    email: z.string(),
    role: z.enum(memberRoles),
    since: timestamp(),
  }),
);
export const memberInvitationSchema = named(
  "MemberInvitation",
  z.object({ id: id(), email: z.string(), role: z.enum(sharedRoles), createdAt: timestamp() }),
);
export const membersAnswerSchema = named(
  "StoryMembers",
  z.object({
    storyId: id(),
    yourRole: doc("The caller's role; null for an admin who is not a member.", z.enum(memberRoles).nullable()),
    canManage: doc("Whether the caller may invite, change roles, remove members and transfer.", z.boolean()),
    members: z.array(memberSchema),
    invitations: doc(
      "Waiting invitations; empty unless the caller manages the story.",
      z.array(memberInvitationSchema),
    ),
  }),
);
export const memberRemovedSchema = named("MemberRemoved", z.object({ userId: id(), removed: z.literal(true) }));
export const memberTransferSchema = named("MemberTransfer", memberTransferBodySchema);
export const storyLeftSchema = named("StoryLeft", z.object({ storyId: id(), left: z.literal(true) }));
export const invitationIdParamsSchema = z.object({ invitationId: idField });
export const myInvitationsSchema = named(
  "MyInvitations",
  z.array(
    named(
      "MyInvitation",
      z.object({
        id: id(),
        storyId: id(),
        storyTitle: z.string(),
        role: z.enum(sharedRoles),
        invitedByName: doc("Who invited you; null when their account is gone.", z.string().nullable()),
        createdAt: timestamp(),
      }),
    ),
  ),
  "The invitations waiting for the caller's email address.",
);
export const invitationAcceptedSchema = named(
  "InvitationAccepted",
  z.object({ storyId: doc("The story the caller now works on.", id()) }),
);
export const invitationDeclinedSchema = named(
  "InvitationDeclined",
  z.object({ invitationId: id(), declined: z.literal(true) }),
);
