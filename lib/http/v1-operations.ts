import type { z } from "zod";
import type { ErrorCode } from "@/lib/errors";
import { exportContentTypes, MARKDOWN_BUNDLE_TYPE } from "@/lib/stories/export/content-types";
import { limits } from "@/lib/stories/limits";
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
  illustrateAcceptedSchema,
  illustrateRequestBodySchema,
  illustrationIdParamsSchema,
  illustrationSchema,
  pageIllustrationsSchema,
  memberInvitationSchema,
  memberInviteSchema,
  memberParamsSchema,
  memberRemovedSchema,
  memberRoleChangeSchema,
  membersAnswerSchema,
  memberTransferSchema,
  storyLeftSchema,
  invitationIdParamsSchema,
  myInvitationsSchema,
  invitationAcceptedSchema,
  invitationDeclinedSchema,
  exportQuerySchema,
  pageSummarySchema,
  pinSummaryRequestSchema,
  storyIdParamsSchema,
  summarizeAllAcceptedSchema,
  importAnswerSchema,
  importRequestSchema,
  takeChoiceSchema,
  takeSetIdParamsSchema,
  takeSetSchema,
  takesAcceptedSchema,
  takesRequestBodySchema,
} from "./api-schemas";
import {
  storyTranslationsSchema,
  translateRequestSchema,
  translationIdParamsSchema,
  translationOutcomeSchema,
} from "./translation-schemas";
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
import {
  pageAnswerSchema,
  pageCreateRequestSchema,
  pageDeletedSchema,
  pageListQuerySchema,
  pageListSchema,
  pageMoveRequestSchema,
  pageUpdateRequestSchema,
  revisionAcceptedSchema,
  revisionRequestSchema,
  storyAnswerSchema,
  storyCreateRequestSchema,
  storyDeletedSchema,
  storyListQuerySchema,
  storyListSchema,
  storyUpdateRequestSchema,
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
  /**
   * The request body; `maxBytes` when 64 KB is not enough (a page's text; the rest of the API keeps 64 KB), `media`
   * when it is not JSON (an upload: multipart/form-data).
   */
  body?: { schema: z.ZodType; required: boolean; maxBytes?: number; media?: "multipart/form-data" };
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

/** The media types of an export (the `format` query parameter picks one; Markdown with illustrations is a zip). */
const exportMediaTypes = [...Object.values(exportContentTypes), MARKDOWN_BUNDLE_TYPE].map((type) =>
  type.replace(/;.*$/, ""),
);

/**
 * A body that carries a page's text: the page limit in characters, each up to 4 bytes in UTF-8 (or a 6-byte JSON
 * escape), plus room for the other fields. The text's own limit is then the domain's (LIMIT_EXCEEDED naming it).
 */
const PAGE_BODY_MAX_BYTES = limits.pageMax * 6 + 4096;

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
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", ...authenticated],
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
  leaveStory: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/leave",
    operationId: "leaveStory",
    summary: "Leave a story you are an editor or a reader of (the owner transfers ownership first)",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "Left: the story is no longer yours to see.", schema: storyLeftSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  transferOwnership: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/transfer",
    operationId: "transferOwnership",
    summary: "Hand the story to one of its editors (owner only); the owner becomes an editor",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: memberTransferSchema, required: true },
    ok: { status: 200, description: "The members after the transfer.", schema: membersAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  listMyInvitations: operation({
    method: "GET",
    path: "/api/v1/invitations",
    operationId: "listMyInvitations",
    summary: "The invitations waiting for your email address",
    auth: "bearer",
    ok: { status: 200, description: "The waiting invitations, oldest first.", schema: myInvitationsSchema },
    errors: [...authenticated],
  }),
  acceptInvitation: operation({
    method: "POST",
    path: "/api/v1/invitations/{invitationId}/accept",
    operationId: "acceptInvitation",
    summary: "Accept an invitation addressed to your email: you join the story with the invited role",
    auth: "bearer",
    params: invitationIdParamsSchema,
    ok: { status: 200, description: "Joined.", schema: invitationAcceptedSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  declineInvitation: operation({
    method: "POST",
    path: "/api/v1/invitations/{invitationId}/decline",
    operationId: "declineInvitation",
    summary: "Decline an invitation addressed to your email",
    auth: "bearer",
    params: invitationIdParamsSchema,
    ok: { status: 200, description: "Declined: the invitation is gone.", schema: invitationDeclinedSchema },
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
  // Import.
  importStory: operation({
    method: "POST",
    path: "/api/v1/stories/import",
    operationId: "importStory",
    summary: "Import a manuscript (.docx, .md, .txt; at most 10 MB) into a new story, in the background",
    description:
      "A multipart upload: `file`, `mode` (headings, breaks or length) and `targetLength` (characters per page when " +
      "splitting by length). With `preview=true` the answer is the split (200; nothing is created). Otherwise 202 " +
      "with the import job: follow it at `/api/v1/jobs/{id}` until `status` is succeeded (`storyId` is the new story) " +
      "or failed (`error`; nothing was created). The file's type, size and emptiness are checked at once; reading " +
      "it (damaged, encrypted, a zip bomb) may fail the job instead.",
    auth: "bearer",
    body: { schema: importRequestSchema, required: true, media: "multipart/form-data" },
    ok: {
      status: 202,
      description: "The import job (or, with preview=true, 200 and the preview).",
      schema: importAnswerSchema,
      location: true,
    },
    errors: [
      "VALIDATION",
      "LIMIT_EXCEEDED",
      "IMPORT_UNSUPPORTED_FORMAT",
      "IMPORT_WRONG_TYPE",
      "IMPORT_ENCRYPTED",
      "IMPORT_EMPTY",
      "IMPORT_TOO_LARGE",
      "IMPORT_CORRUPT",
      "IMPORT_ZIP_BOMB",
      "IMPORT_TOO_MANY_PAGES",
      ...authenticated,
    ],
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
      "contents by page or by chapter heading (`#` / `##` lines) and an NCX; `codex=true` adds the codex as an appendix. " +
      "Each page's chosen illustration is included unless `illustrations=false`: an image in EPUB and DOCX (WebP " +
      "images are named by their scene in DOCX), an `[Illustration: …]` line in text; Markdown with at least one " +
      "illustration comes as a zip (`application/zip`) of the .md file and an `images/` folder it links to.",
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
  // Stories.
  listStories: operation({
    method: "GET",
    path: "/api/v1/stories",
    operationId: "listStories",
    summary: "The stories you can read, most recently changed first (keyset pages: `cursor` = nextCursor)",
    auth: "bearer",
    query: storyListQuerySchema,
    ok: { status: 200, description: "One page of stories.", schema: storyListSchema },
    errors: ["VALIDATION", ...authenticated],
  }),
  createStory: operation({
    method: "POST",
    path: "/api/v1/stories",
    operationId: "createStory",
    summary: "Create a story (you are its owner)",
    auth: "bearer",
    body: { schema: storyCreateRequestSchema, required: true },
    ok: { status: 201, description: "The new story.", schema: storyAnswerSchema, location: true },
    errors: ["VALIDATION", "LIMIT_EXCEEDED", ...authenticated],
  }),
  getStory: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}",
    operationId: "getStory",
    summary: "One story",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "The story.", schema: storyAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  updateStory: operation({
    method: "PATCH",
    path: "/api/v1/stories/{storyId}",
    operationId: "updateStory",
    summary: "Change a story's title, description, language or content rating",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: storyUpdateRequestSchema, required: true },
    ok: { status: 200, description: "The story after the change.", schema: storyAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", "LIMIT_EXCEEDED", ...authenticated],
  }),
  deleteStory: operation({
    method: "DELETE",
    path: "/api/v1/stories/{storyId}",
    operationId: "deleteStory",
    summary: "Delete a story with its pages and their history (owner only; cannot be undone)",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "Deleted.", schema: storyDeletedSchema },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", ...authenticated],
  }),
  // Pages.
  listPages: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/pages",
    operationId: "listPages",
    summary: "A story's pages in reading order, with their text (keyset pages: `cursor` = nextCursor)",
    auth: "bearer",
    params: storyIdParamsSchema,
    query: pageListQuerySchema,
    ok: { status: 200, description: "The pages.", schema: pageListSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  createPage: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/pages",
    operationId: "createPage",
    summary: "Add a page: at the end, right after `afterPageId` or right before `beforePageId`",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: pageCreateRequestSchema, required: false, maxBytes: PAGE_BODY_MAX_BYTES },
    ok: { status: 201, description: "The new page (version 1).", schema: pageAnswerSchema, location: true },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", "LIMIT_EXCEEDED", "ORDER_CONFLICT", ...authenticated],
  }),
  getPage: operation({
    method: "GET",
    path: "/api/v1/pages/{pageId}",
    operationId: "getPage",
    summary: "One page with its text and version",
    auth: "bearer",
    params: pageIdParamsSchema,
    ok: { status: 200, description: "The page.", schema: pageAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  updatePage: operation({
    method: "PATCH",
    path: "/api/v1/pages/{pageId}",
    operationId: "updatePage",
    summary: "Write a page's text from the version you read (409 CONFLICT when someone wrote since)",
    description:
      "Every accepted write adds one revision to the page's history and bumps `version`. A stale `baseVersion` " +
      "changes nothing and answers 409 CONFLICT with `details.current` (the page's content, version, updatedAt) so " +
      "that the client can merge and send again. The same text at the same version is answered as it is. While the " +
      "page's own Generate writes it, a write answers 409 PAGE_AI_WRITING (`details.activeJobId`) unless " +
      "`saveWhileAiWrites` is true; the AI's text then waits as a suggestion.",
    auth: "bearer",
    params: pageIdParamsSchema,
    body: { schema: pageUpdateRequestSchema, required: true, maxBytes: PAGE_BODY_MAX_BYTES },
    ok: { status: 200, description: "The page after the write.", schema: pageAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", "CONFLICT", "PAGE_AI_WRITING", "LIMIT_EXCEEDED", ...authenticated],
  }),
  deletePage: operation({
    method: "DELETE",
    path: "/api/v1/pages/{pageId}",
    operationId: "deletePage",
    summary: "Delete a page (kept with its history until the story is deleted; the app's Undo can bring it back)",
    auth: "bearer",
    params: pageIdParamsSchema,
    ok: { status: 200, description: "Deleted.", schema: pageDeletedSchema },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", ...authenticated],
  }),
  movePage: operation({
    method: "POST",
    path: "/api/v1/pages/{pageId}/move",
    operationId: "movePage",
    summary: "Reorder: move a page one step (`direction`) or right after another page (`afterPageId`, null: first)",
    auth: "bearer",
    params: pageIdParamsSchema,
    body: { schema: pageMoveRequestSchema, required: true },
    ok: { status: 200, description: "The page at its new place (`number`).", schema: pageAnswerSchema },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", "ORDER_CONFLICT", ...authenticated],
  }),
  // Background revisions (progress and cancel: getJob and cancelJob).
  startRevision: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/revisions",
    operationId: "startRevision",
    summary: "Revise pages in the background: one job per page, each result kept as a suggestion on its page",
    description:
      "Follow the progress with GET /api/v1/jobs/{id} (the Location) and cancel the unfinished pages with " +
      "POST /api/v1/jobs/{id}/cancel. A story has one background revision at a time: a second request joins the " +
      "running one (`created: false`) and spends nothing.",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: revisionRequestSchema, required: true },
    ok: {
      status: 202,
      description: "Accepted: the background revision and its progress.",
      schema: revisionAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", ...limited, ...authenticated],
  }),
  translateStory: operation({
    method: "POST",
    path: "/api/v1/stories/{storyId}/translations",
    operationId: "translateStory",
    summary:
      "Translate a story into a language: creates the translation (a story of its own) and translates it page by page in the background",
    description:
      "Refused with nothing created: an unknown or unsupported language (400), the story's own language (400), a " +
      "story that is itself a translation (400: translate the original), a language the story already has a " +
      "translation in (409, `details.translationId`: use Update translation).",
    auth: "bearer",
    params: storyIdParamsSchema,
    body: { schema: translateRequestSchema, required: true },
    ok: {
      status: 201,
      description: "Created; follow the run with GET /api/v1/stories/{storyId}/translations.",
      schema: translationOutcomeSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", "CONFLICT", ...limited, ...authenticated],
  }),
  listTranslations: operation({
    method: "GET",
    path: "/api/v1/stories/{storyId}/translations",
    operationId: "listTranslations",
    summary: "A story's translations with their stale pages and latest run; for a translation, its source and itself",
    auth: "bearer",
    params: storyIdParamsSchema,
    ok: { status: 200, description: "The links.", schema: storyTranslationsSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  updateTranslation: operation({
    method: "POST",
    path: "/api/v1/translations/{translationId}/update",
    operationId: "updateTranslation",
    summary:
      "Update a translation: mirror the source's added, removed and reordered pages and re-translate only the stale ones",
    description:
      "`{translationId}` is the translation's story id. A page edited by hand in the translation gets its new " +
      "translation as a suggestion. `started` is false when nothing was stale or a run already going was joined.",
    auth: "bearer",
    params: translationIdParamsSchema,
    ok: { status: 202, description: "Accepted.", schema: translationOutcomeSchema },
    errors: ["VALIDATION", "NOT_FOUND", "FORBIDDEN", ...limited, ...authenticated],
  }),
  // Page illustrations: Illustrate page runs in the background; the author picks one attempt.
  illustratePage: operation({
    method: "POST",
    path: "/api/v1/pages/{pageId}/illustrate",
    operationId: "illustratePage",
    summary: "Illustrate a page: describe its key scene, build an image prompt with the codex, draw and store an image",
    description:
      "A background job (follow it at `/api/v1/jobs/{id}`, or on the story's event stream): the scene description " +
      "and the image prompt are model-made unless you send your own (Regenerate). Every attempt is kept until one " +
      "is chosen; attempts nobody chose are purged after 30 days (configurable). One Illustrate job per page: while " +
      "one runs a request joins it (`created: false`). A blank page answers VALIDATION before anything is queued.",
    auth: "bearer",
    params: pageIdParamsSchema,
    body: { schema: illustrateRequestBodySchema, required: false },
    ok: {
      status: 202,
      description: "Accepted: the Illustrate job (`created` false when the page's running one was joined).",
      schema: illustrateAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", "LIMIT_EXCEEDED", ...limited, ...authenticated],
  }),
  listPageIllustrations: operation({
    method: "GET",
    path: "/api/v1/pages/{pageId}/illustrations",
    operationId: "listPageIllustrations",
    summary: "A page's illustration attempts (newest first, the chosen one marked) and its latest Illustrate job",
    auth: "bearer",
    params: pageIdParamsSchema,
    ok: { status: 200, description: "The page's illustrations.", schema: pageIllustrationsSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  chooseIllustration: operation({
    method: "POST",
    path: "/api/v1/illustrations/{illustrationId}/choose",
    operationId: "chooseIllustration",
    summary: "Choose the attempt that illustrates its page (the page's earlier choice is unmarked; idempotent)",
    auth: "bearer",
    params: illustrationIdParamsSchema,
    ok: { status: 200, description: "The chosen attempt.", schema: illustrationSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  // Takes: several texts of one page request, side by side; the author chooses one.
  requestTakes: operation({
    method: "POST",
    path: "/api/v1/pages/{pageId}/takes",
    operationId: "requestTakes",
    summary: "Generate takes: 2–4 texts of the page's Generate request, written in parallel, to choose from",
    description:
      "Each take is its own model call with its own sampling (temperature and seed); never from a cache. The set is " +
      "admitted whole or not at all: every take counts against the rate limit and the budget must cover every take. " +
      "One open set per page: while one is written or waits for a choice, a request joins it (`created: false`). " +
      "Another AI job running on the page answers CONFLICT.",
    auth: "bearer",
    params: pageIdParamsSchema,
    body: { schema: takesRequestBodySchema, required: false },
    ok: {
      status: 202,
      description: "Accepted: the take set (`created` false when the page's open set was joined).",
      schema: takesAcceptedSchema,
      location: true,
    },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", "LIMIT_EXCEEDED", ...limited, ...authenticated],
  }),
  getTakeSet: operation({
    method: "GET",
    path: "/api/v1/takes/{setId}",
    operationId: "getTakeSet",
    summary: "A take set with its takes: text (so far), tokens, cost, elapsed time, sampling, chosen / discarded",
    auth: "bearer",
    params: takeSetIdParamsSchema,
    ok: { status: 200, description: "The take set.", schema: takeSetSchema },
    errors: ["VALIDATION", "NOT_FOUND", ...authenticated],
  }),
  requestAnotherTake: operation({
    method: "POST",
    path: "/api/v1/takes/{setId}/more",
    operationId: "requestAnotherTake",
    summary: "Another take: add one take to an open set, keeping the others",
    auth: "bearer",
    params: takeSetIdParamsSchema,
    ok: { status: 202, description: "The set with the new take (being written).", schema: takeSetSchema },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", "LIMIT_EXCEEDED", ...limited, ...authenticated],
  }),
  chooseTake: operation({
    method: "POST",
    path: "/api/v1/takes/{setId}/choose",
    operationId: "chooseTake",
    summary:
      "Choose a take: it lands as the page's revision (or a suggestion if the page changed); the others are discarded",
    auth: "bearer",
    params: takeSetIdParamsSchema,
    body: { schema: takeChoiceSchema, required: true },
    ok: { status: 200, description: "The set, chosen (`landing` says how the take landed).", schema: takeSetSchema },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", ...authenticated],
  }),
  cancelTakeSet: operation({
    method: "POST",
    path: "/api/v1/takes/{setId}/cancel",
    operationId: "cancelTakeSet",
    summary: "Cancel a take set: takes being written stop; the set and its takes are discarded",
    auth: "bearer",
    params: takeSetIdParamsSchema,
    ok: { status: 200, description: "The set, dismissed.", schema: takeSetSchema },
    errors: ["VALIDATION", "NOT_FOUND", "CONFLICT", ...authenticated],
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
