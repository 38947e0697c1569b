// The domain's public surface, the only way app/ reaches it: every function here takes the actor and checks what
// they may do (through `can`, lib/stories/access.ts). Internal pieces stay out: writers without an actor
// (writePageContent, writeSuggestion), what the Inngest functions call (applyPageJobResult, planBackgroundRevision,
// budgetRefusalForChild) and the loaders that take a database handle.

import "server-only";
export * from "./actor";
export { can, requireAdmin, type MemberRole, type StoryAccess, type StoryAction } from "./access";
export * from "./limits";

// Stories, pages and their history.
export * from "./stories";
// Co-authors: members with roles, invitations by email, ownership transfer.
export {
  listMembers,
  inviteMember,
  cancelInvitation,
  listMyInvitations,
  acceptInvitation,
  declineInvitation,
  changeMemberRole,
  removeMember,
  leaveStory,
  transferOwnership,
  memberInviteBodySchema,
  memberRoleBodySchema,
  memberTransferBodySchema,
  type MemberView,
  type MembersView,
  type InvitationView,
  type MyInvitationView,
} from "./members";
export { listPages, getPage, addPage, savePage, movePage, movePageTo, deletePage, undeletePage } from "./pages";
export * from "./revisions";

// AI on one page: request (and its dry run), follow, cancel, undo.
export { pageTextRequestSchema, requestPageText, requestPageTextOutcome } from "./page-jobs/request";
export { checkPageTextRequest, type PageTextCheck } from "./page-jobs/dry-run";
export { getPageJob, getLatestPageJob, listActivePageJobs } from "./page-jobs/read";
export { cancelPageJob } from "./page-jobs/cancel";
export { undoPageJob } from "./page-jobs/undo";
export type { PageJobView } from "./page-jobs/view";

// Suggestions: AI text waiting for the author.
export { listOpenSuggestions } from "./suggestions/list";
export { applySuggestion, discardSuggestion, takeSuggestionParagraphs } from "./suggestions/review";
export {
  applyAllSuggestions,
  discardAllSuggestions,
  type ApplyAllOutcome,
  type DiscardAllOutcome,
} from "./suggestions/review-all";

// Background revisions of many pages.
export { requestBackgroundRevision, type BackgroundRequestOutcome } from "./background/request";
export { getBackgroundRevision, type BackgroundPageView, type BackgroundRevisionView } from "./background/view";
export type { JobStepView } from "./job-steps";
export { cancelBackgroundRevision } from "./background/cancel";
// Takes: several texts of one page request, side by side; the author chooses one.
export { requestTakes, takesRequestSchema, type TakesRequestOutcome } from "./takes/request";
export { requestAnotherTake } from "./takes/more";
export { cancelTakeSet, chooseTake, getTakeSet } from "./takes/choose";
export { getOpenTakeSet } from "./takes/open";
export type { TakeSetView, TakeView } from "./takes/view";

// Jobs by id, as the REST API and the job history see them.
export { retryJob } from "./retry";
export { getJobForApi, cancelJobForApi, type ApiJobView } from "./api-jobs";
export { listJobsForApi, type ApiJobSummary } from "./job-list";

// Spending budgets: the signed-in user's allowance; admins manage per-user budgets.
export { getMyAiAllowance, type AiAllowance, type AiLimitDefaults } from "./spending-policy";
export { listUserBudgets, setUserBudget, type UserBudgetRow } from "./admin-user-budgets";

// Admin views of the job ledger and of usage.
export {
  adminCancelJob,
  adminJobFilterOptions,
  adminRetryJob,
  csvColumns,
  exportAdminJobsCsv,
  getAdminJobDetail,
  listAdminJobs,
  type AdminJobDetail,
  type AdminJobList,
  type AdminJobRow,
  type EngineRunView,
} from "./admin-jobs";
export { getAdminUsage, type AdminUsage, type LabelledGroup } from "./admin-usage";
export {
  getMyRatingLimits,
  getSiteSettings,
  setMyMaxRating,
  setSiteMaxRating,
  setUserMaxRating,
  type MyRatingLimits,
} from "./ratings/policy";
export {
  checkReadiness,
  getAdminHealth,
  type AdminHealth,
  type HealthFinding,
  type HealthLevel,
  type Readiness,
} from "./health";
export { getModelRegistryView } from "./admin-models";
export type { RegistryView } from "@/lib/ai";

// The story codex: entries (characters, places, things, lore), the entries a page mentions, and Suggest entries.
export {
  listCodex,
  getCodexEntry,
  createCodexEntry,
  updateCodexEntry,
  deleteCodexEntry,
} from "./codex/entries";
export {
  codexEntryBodySchema,
  codexUpdateSchema,
  codexListSchema,
  codexEntryIdSchema,
  codexSuggestionIdSchema,
} from "./codex/schema";
export type { CodexEntryView } from "./codex/view";
export { codexMentionsForPage, codexMentionsByPage, type CodexMention } from "./codex/mentions";
export { requestCodexSuggestions, getCodexSuggestRun, type CodexSuggestOutcome } from "./codex/suggest/request";
export type { CodexSuggestRunView } from "./codex/suggest/view";
export { cancelCodexSuggestRun } from "./codex/suggest/job";
export {
  listCodexSuggestions,
  acceptCodexSuggestion,
  rejectCodexSuggestion,
  type CodexSuggestionView,
} from "./codex/suggest/review";
// Page summaries: read, pin (the author's own), clear the pin, Summarize all.
export { getPageSummary, listPageSummaries } from "./summaries/read";
export { pinPageSummary, pinSummarySchema, unpinPageSummary } from "./summaries/pin";
export {
  getSummarizeAll,
  requestSummarizeAll,
  type SummarizeAllOutcome,
  type SummarizeAllView,
} from "./summaries/summarize-all";
export type { PageSummaryView } from "./summaries/view";
export { SUMMARY_MAX } from "./summaries/text";
// Story memory: the prompt preview's breakdown (what a page prompt holds, part by part).
export type { BreakdownSection, ContextBreakdown } from "@/lib/ai";
// Export: a story as Markdown, plain text, DOCX or EPUB, streamed.
export { exportStory, exportFormats, type ExportFormat, type StoryExport } from "./export";
// Import: a manuscript (.docx, .md, .txt) into a new story, split as the author chose, in the background.
export { getImport, previewImport, startImport, type ImportJobView, type ImportPreview } from "./import/job";
export { importOptionsSchema, importSplitModes, type ImportOptions, type ImportSplitMode } from "./import/schema";
// Live job events of a story (one stream per story per tab).
export {
  cancelTranslation,
  getTranslationPair,
  listTranslations,
  setCodexNameTranslation,
  translateStory,
  updateTranslation,
  type StoryTranslations,
  type TranslationOutcome,
  type TranslationPair,
  type TranslationRunView,
  type TranslationView,
} from "./translations";
export { openStoryJobFeed, type StoryJobFeed } from "./live/story-events";
export type { GenericJobEvent, PageJobEvent, StoryJobEvent, TakeEvent, TakeSetEvent } from "./live/views";

// Stories and pages as REST API v1 shows them: keyset-paginated lists, page numbers, JSON-ready views.
export {
  listStoriesForApi,
  getStoryForApi,
  createStoryForApi,
  updateStoryForApi,
  deleteStoryForApi,
  listPagesForApi,
  getPageForApi,
  addPageForApi,
  savePageForApi,
  deletePageForApi,
  movePageForApi,
  requestBackgroundRevisionForApi,
  storyListQuerySchema,
  pageListQuerySchema,
  type ApiStory,
  type ApiPage,
} from "./api-resources";
export {
  createPromptDraft,
  deletePromptDraft,
  getPromptVersion,
  listPromptFamilies,
  previewPromptBody,
  publishPromptVersion,
  updatePromptDraft,
  type PromptFamilyView,
  type PromptPreview,
  type PromptVersionDetail,
  type PromptVersionView,
} from "./prompt-admin";
export { builtinPresets, createPreset, deletePreset, listPresets, updatePreset, type PresetView } from "./presets";

// Page illustrations: Illustrate page (a background job), attempts, the chosen one, the authorized image bytes.
export * from "./illustrations";
