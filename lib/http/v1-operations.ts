import type { z } from "zod";
import type { ErrorCode } from "@/lib/errors";
import { exportContentTypes } from "@/lib/stories/export/content-types";
import {
  codexDeletedSchema,
  codexEntryAnswerSchema,
  codexEntryCreateSchema,
  codexEntryIdParamsSchema,
  codexEntryUpdateSchema,
  codexListAnswerSchema,
  codexListQuerySchema,
  codexSuggestAcceptedSchema,
  codexSuggestRunAnswerSchema,
  codexSuggestionAcceptSchema,
  codexSuggestionAcceptedSchema,
  codexSuggestionAnswerSchema,
  codexSuggestionIdParamsSchema,
  codexSuggestionListSchema,
  exportFileSchema,
  memberInvitationSchema,
  memberInviteSchema,
  memberParamsSchema,
  memberRemovedSchema,
  memberRoleChangeSchema,
  membersAnswerSchema,
  exportQuerySchema,
  pageSummarySchema,
  pinSummaryRequestSchema,
  storyIdParamsSchema,
  summarizeAllAcceptedSchema,
} from "./api-schemas";
import {
  anyJobSchema,
  generateRequestSchema,
  jobAcceptedSchema,
  jobIdParamsSchema,
  jobListQuerySchema,
  jobListSchema,
  pageIdParamsSchema,
  validateRequestSchema,
  validateResultSchema,
} from "./api-schemas";

/**
 * What one REST route accepts and answers. Route files hand their operation to apiRoute (which checks the path
 * params with it and types the handler's answer by `ok.schema`), and lib/http/openapi.ts describes the API from the
 * same objects: a route cannot answer what its operation does not declare without a type error or a failing test.
 */
export interface ApiOperation<
  Params extends z.ZodObject | undefined = z.ZodObject | undefined,
  Ok extends z.ZodType = z.ZodType,
> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The OpenAPI path (`{name}` for a path parameter). */
  path: `/api/${string}`;
  operationId: string;
  summary: string;
  description?: string;
  /** `bearer`: a personal API token in `Authorization: Bearer`; `none`: public. */
  auth: "bearer" | "none";
  params?: Params;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean };
  ok: {
    status: 200 | 201 | 202;
    description: string;
    schema: Ok;
    location?: boolean;
    /** A file answer: its media types (the document lists them as binary content instead of `schema`). */
    media?: readonly string[];
  };
  /** The error codes this route answers with; each one's status comes from the catalog. */
  errors: readonly ErrorCode[];
}

/** Keeps the literal types of an operation (its params and answer schemas) for apiRoute. */
export const operation = <P extends z.ZodObject | undefined, O extends z.ZodType>(op: ApiOperation<P, O>) => op;

/** The media types of an export (the `format` query parameter picks one). */
const exportMediaTypes = Object.values(exportContentTypes).map((type) => type.replace(/;.*$/, ""));

/**
 * What every authenticated v1 route can answer besides its own errors: FORBIDDEN is a story member without the
 * right (a reader's write, an editor's sharing); non-members get NOT_FOUND.
 */
const authenticated = ["UNAUTHENTICATED", "FORBIDDEN", "INTERNAL"] as const;
/** Starting AI work: the spending budget and the rate limit apply. */
const limited = ["GEN_BUDGET_EXCEEDED", "RATE_LIMITED"] as const;

export const v1 = {
  generatePage: operation({
    method: "POST",
    path: "/api/v1/pages/{pageId}/generate",
    operationId: "generatePage",
    summary: "Write (blank page) or revise (page with text) a page with AI",
    auth: "bearer",
    params: pageIdParamsSchema,
    body: { schema: generateRequestSchema, required: false },
    ok: {
      status: 202,
      description: "Accepted: `created` true for a new job, false when a job already running on the page was joined.",
      schema: jobAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", "LIMIT_EXCEEDED", ...limited, ...authenticated],
  }),
  listJobs: operation({
    method: "GET",
    path: "/api/v1/jobs",
    operationId: "listJobs",
    summary: "Job history, newest first (authors: jobs they requested; admins: all)",
    auth: "bearer",
    query: jobListQuerySchema,
    ok: { status: 200, description: "One page of jobs.", schema: jobListSchema },
    errors: ["VALIDATION", ...authenticated],
  }),
  getJob: operation({
    method: "GET",
    path: "/api/v1/jobs/{jobId}",
    operationId: "getJob",
    summary:
      "One job: state, partial or final text, outcome; or the progress of a background revision, Summarize all or Suggest entries",
    auth: "bearer",
    params: jobIdParamsSchema,
    ok: { status: 200, description: "The job.", schema: anyJobSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  cancelJob: operation({
    method: "POST",
    path: "/api/v1/jobs/{jobId}/cancel",
    operationId: "cancelJob",
    summary:
      "Cancel a pending or running job (idempotent); a background revision, Summarize all or Suggest entries cancels its unfinished parts",
    auth: "bearer",
    params: jobIdParamsSchema,
    ok: { status: 200, description: "The job after the cancel.", schema: anyJobSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  retryJob: operation({
    method: "POST",
    path: "/api/v1/jobs/{jobId}/retry",
    operationId: "retryJob",
    summary: "Run a finished job again as a new job linked to it",
    auth: "bearer",
    params: jobIdParamsSchema,
    ok: {
      status: 202,
      description: "The new job (`retryOf` links it in the job list).",
      schema: jobAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", "LIMIT_EXCEEDED", ...limited, ...authenticated],
  }),
  validateGeneration: operation({
    method: "POST",
    path: "/api/v1/generations/validate",
    operationId: "validateGeneration",
    summary: "Check a generation request (input, ownership, budget, rate, input size) without creating a job",
    auth: "bearer",
    body: { schema: validateRequestSchema, required: true },
    ok: { status: 200, description: "The request would be accepted.", schema: validateResultSchema },
    errors: ["VALIDATION", "NOT_FOUND", "LIMIT_EXCEEDED", ...limited, ...authenticated],
  }),
  // Page summaries.
  getPageSummary: operation({
    method: "GET",
    path: "/api/v1/pages/{pageId}/summary",
    operationId: "getPageSummary",
    summary: "A page's summary: its text, who wrote it, whether it is stale or pinned, its running job",
    auth: "bearer",
    params: pageIdParamsSchema,
    ok: { status: 200, description: "The summary (text null when there is none yet).", schema: pageSummarySchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  pinPageSummary: operation({
    method: "PUT",
    path: "/api/v1/pages/{pageId}/summary",
    operationId: "pinPageSummary",
    summary: "Write the page's summary yourself: it is pinned, no AI summary replaces it until the pin is cleared",
    auth: "bearer",
    params: pageIdParamsSchema,
    body: { schema: pinSummaryRequestSchema, required: true },
    ok: { status: 200, description: "The pinned summary.", schema: pageSummarySchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  unpinPageSummary: operation({
    method: "DELETE",
    path: "/api/v1/pages/{pageId}/summary",
    operationId: "unpinPageSummary",
    summary: "Clear the pin: the AI's summary of the page as it is now replaces the author's (requested at once)",
    auth: "bearer",
    params: pageIdParamsSchema,
    ok: {
      status: 200,
      description: "The summary, no longer pinned (stale until the new one lands).",
      schema: pageSummarySchema,
    },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  summarizeAll: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/summaries/refresh",
    operationId: "summarizeAll",
    summary: "Summarize all: bring every page's summary up to date in the background",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: {
      status: 202,
      description: "Accepted: `created` false when Summarize all was already running for the story and was joined.",
      schema: summarizeAllAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", ...limited, ...authenticated],
  }),
  // Story members (co-authors).
  listMembers: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/members",
    operationId: "listMembers",
    summary: "Who works on a story, with their roles (and, for its owner, the waiting invitations)",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "The members.", schema: membersAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  inviteMember: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/members",
    operationId: "inviteMember",
    summary: "Invite an email address as editor or reader (owner only); inviting it again changes the role",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: memberInviteSchema, required: true },
    ok: { status: 201, description: "The waiting invitation.", schema: memberInvitationSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  changeMemberRole: operation({
    method: "PATCH",
    path: "/api/v1/stories/{storyId}/members/{userId}",
    operationId: "changeMemberRole",
    summary: "Make a member an editor or a reader (owner only; the owner's role changes by a transfer)",
    auth: "bearer",
    params: memberParamsSchema,
    body: { schema: memberRoleChangeSchema, required: true },
    ok: { status: 200, description: "The members after the change.", schema: membersAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  removeMember: operation({
    method: "DELETE",
    path: "/api/v1/stories/{storyId}/members/{userId}",
    operationId: "removeMember",
    summary: "Remove a member (owner only) or leave (your own userId); the owner is never removed",
    auth: "bearer",
    params: memberParamsSchema,
    ok: { status: 200, description: "Removed.", schema: memberRemovedSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  // The story codex.
  listCodex: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/codex",
    operationId: "listCodex",
    summary: "A story's codex entries, by kind then name; `q` searches names, aliases and descriptions",
    auth: "bearer",
    params: storyIdParamsSchema,
    query: codexListQuerySchema,
    ok: { status: 200, description: "The entries.", schema: codexListAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  createCodexEntry: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/codex",
    operationId: "createCodexEntry",
    summary: "Add an entry to a story's codex (at most 500 entries; a name or alias unique in the story)",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: codexEntryCreateSchema, required: true },
    ok: { status: 201, description: "The new entry.", schema: codexEntryAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", "LIMIT_EXCEEDED", ...authenticated],
  }),
  updateCodexEntry: operation({
    method: "PATCH",
    path: "/api/v1/codex/{entryId}",
    operationId: "updateCodexEntry",
    summary: "Change a codex entry from the version the change starts from",
    auth: "bearer",
    params: codexEntryIdParamsSchema,
    body: { schema: codexEntryUpdateSchema, required: true },
    ok: { status: 200, description: "The entry after the change.", schema: codexEntryAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", "LIMIT_EXCEEDED", ...authenticated],
  }),
  deleteCodexEntry: operation({
    method: "DELETE",
    path: "/api/v1/codex/{entryId}",
    operationId: "deleteCodexEntry",
    summary: "Delete a codex entry",
    auth: "bearer",
    params: codexEntryIdParamsSchema,
    ok: { status: 200, description: "Deleted.", schema: codexDeletedSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  suggestCodex: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/codex/suggest",
    operationId: "suggestCodex",
    summary: "Let the AI read the story in batches and propose codex entries for review (one run per story at a time)",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: {
      status: 202,
      description:
        "Accepted: `created` false when a run already going was joined. Follow it with GET on the same path.",
      schema: codexSuggestAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", ...limited, ...authenticated],
  }),
  getCodexSuggestRun: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/codex/suggest",
    operationId: "getCodexSuggestRun",
    summary: "The story's latest Suggest entries run and its progress (null when there was none)",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "The latest run.", schema: codexSuggestRunAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  listCodexSuggestions: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/codex/suggestions",
    operationId: "listCodexSuggestions",
    summary: "Suggested codex entries waiting for review, oldest first",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "The open suggestions.", schema: codexSuggestionListSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  acceptCodexSuggestion: operation({
    method: "POST",
    path: "/api/v1/codex-suggestions/{suggestionId}/accept",
    operationId: "acceptCodexSuggestion",
    summary: "Accept a suggested entry, optionally edited: creates the entry, or updates the one it names",
    auth: "bearer",
    params: codexSuggestionIdParamsSchema,
    body: { schema: codexSuggestionAcceptSchema, required: false },
    ok: { status: 200, description: "The suggestion and the entry written.", schema: codexSuggestionAcceptedSchema },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", "LIMIT_EXCEEDED", ...authenticated],
  }),
  rejectCodexSuggestion: operation({
    method: "POST",
    path: "/api/v1/codex-suggestions/{suggestionId}/reject",
    operationId: "rejectCodexSuggestion",
    summary: "Reject a suggested entry (idempotent)",
    auth: "bearer",
    params: codexSuggestionIdParamsSchema,
    ok: { status: 200, description: "The rejected suggestion.", schema: codexSuggestionAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", ...authenticated],
  }),
  // Export.
  exportStory: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/export",
    operationId: "exportStory",
    summary: "Download a story as Markdown, plain text, DOCX or EPUB (streamed; named after the story)",
    description:
      "Anyone who may read the story may export it. The file comes with `Content-Disposition: attachment` and the " +
      "story's title as its name (`filename` in ASCII, `filename*` in UTF-8). EPUB 3 with a title page, a table of " +
      "contents by page or by chapter heading (`#` / `##` lines) and an NCX; `codex=true` adds the codex as an appendix.",
    auth: "bearer",
    params: storyIdParamsSchema,
    query: exportQuerySchema,
    ok: {
      status: 200,
      description: "The file.",
      schema: exportFileSchema,
      media: exportMediaTypes,
    },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
} as const;

/** Every operation of the document, the public one included (it is served by its own route, not by apiRoute). */
export const openApiOperation = {
  method: "GET",
  path: "/api/v1/openapi.json",
  operationId: "openApi",
  summary: "This document (OpenAPI 3.1)",
  auth: "none",
  errors: [],
} as const;
