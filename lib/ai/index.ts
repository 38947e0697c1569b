// The AI layer's public surface for the domain (lib/stories) and app/: models and prompts, the job ledger and its
// queue, live job updates, the history and usage reads, and the spending sums behind budgets. Everything else under
// lib/ai is internal to it, including the generic Inngest runners' internals: the domain composes the runners with
// its job types (lib/stories/functions/index.ts).

import "server-only";
export { resolveModel, ModelConfigError, taskOfJobType, type ModelChoice } from "./models";
export {
  describeRegistry,
  findModel,
  modelRegistry,
  modelTasks,
  storyModelChoices,
  type ModelEntry,
  type ModelTask,
  type RegistryView,
} from "./model-registry";
export { hashPrompt, loadTemplate, renderTemplate, PromptTemplateError, type PromptTemplate } from "./prompts";
export {
  buildDocumentPrompt,
  buildSectionMemory,
  ContextBudgetError,
  tokenCountingFor,
  type ContextBreakdown,
  type BreakdownSection,
  type DocumentPromptPayload,
  type SectionMemory,
  type LeftOutItem,
  type MemoryEntryInput,
  type ContextSectionInput,
  type TokenCounting,
  // Stored roll-ups of runs of pages: their runs, fingerprints and job targets.
  ROLLUP_BASE_PAGES,
  rollupBlocks,
  rollupFingerprints,
  rollupKey,
  rollupTargetId,
  type RollupBlock,
  type RollupChildInput,
  type StoredRollupInput,
} from "./context";
export { costUsd, imageCostUsd } from "./pricing";
// Page illustrations: image model, checks, stores (lib/ai/images).
export * from "./images";
export { countTokens } from "./tokens";
export {
  createMentionMatcher,
  normalizeNameKey,
  type Mention,
  type MentionCandidate,
  type MentionMatcher,
} from "./context/mentions";
export { GenerationError } from "./generation-errors";
// A text too long for one prompt, revised section by section in one job.
export {
  buildSectionedPayload,
  isSectionedPayload,
  sectionVariables,
  type SectionMemoryFill,
  type SectionedPayload,
  type TextSection,
} from "./sections";
// A job whose workflow chains model calls (revise, then proofread).
export { chainedSteps, type JobStep, type JobStepRecord } from "./chain";

export {
  createOrJoinJob,
  findActiveJob,
  getJob,
  lockRequester,
  markCancelled,
  markDiscarded,
  markFailed,
  markLanded,
  markRunning,
  recordRenderedPrompt,
  savePartial,
  type JobAdmission,
  type NewJob,
} from "./jobs/ledger";
export { enqueueJob } from "./jobs/queue";
export { AI_JOB_ATTEMPTS } from "./jobs/job-failure";
export { announceJob, submitJob } from "./jobs/submit";
export type { ModelFallback } from "./jobs/fallback";
export { cacheTtlSeconds } from "./jobs/generation-cache";
export { prerenderPrompt } from "./jobs/prerender";
export { copyEngineTraces, jobIdOfRun, tracedRuns } from "./jobs/engine-trace";
export { requestJobCancel } from "./jobs/queue";
export { cancelFanOut, createChildJob, listChildren, settleFanOutParent } from "./jobs/fan-out";
export { cancelFanOutRun } from "./jobs/cancel-fan-out-run";
export { cancelOneJob } from "./jobs/cancel-one-job";
export { publishJobUpdate, subscribeJobUpdates, subscribeScopeUpdates, type JobUpdate } from "./jobs/live";
export {
  createScopeHub,
  type LiveJobEvent,
  type LiveJobListener,
  type LiveJobViews,
  type ScopeHub,
} from "./jobs/scope-hub";
export { listLiveScopeJobs } from "./jobs/scope-jobs";
// The generic Inngest runners, which the domain composes with its job types (lib/stories/functions/index.ts).
export { createFanOutJob } from "./functions/fan-out-job";
export { createLandJobResult } from "./functions/land-job-result";
export { createRunAiChildJob } from "./functions/run-ai-child-job";
export { createRunAiJob, type RunAiJobOptions } from "./functions/run-ai-job";
export { settleFanOutParentOnFailure } from "./functions/settle-fan-out-parent";
export { createSweepPendingJobs } from "./functions/sweep-pending-jobs";
export {
  createJobTypeRegistry,
  defineFanOutJobType,
  defineModelJobType,
  type FanOutPlan,
  type JobRefusal,
  type JobTypeDefinition,
  type JobTypeRegistry,
  type ModelJobType,
} from "./job-types";
export type { SkippedTarget } from "./job-types/definition";

export {
  countJobsByStatus,
  distinctValues,
  historyColumns,
  historyFilterSchema,
  historyQuerySchema,
  InvalidCursorError,
  listJobHistory,
  type HistoryFilters,
  type HistoryPageRequest,
  type HistoryRow,
  type StatusCounts,
} from "./jobs/history";
export { buildMetricsRegistry } from "./jobs/metrics";
export {
  HEALTH_DEFAULTS,
  ledgerHealth,
  type LedgerHealth,
  type ModelHealth,
  type StuckJob,
} from "./jobs/health";
export { usageRangeSchema, usageReport, type UsageGroup, type UsageRange, type UsageReport } from "./jobs/usage-report";
export {
  jobsCreatedInWindow,
  nextUtcMidnight,
  reservedTokens,
  usageSince,
  usageTodayByRequester,
  utcDayStart,
  type UsageSince,
} from "./spending";
// The story codex: how an entry reads in a prompt (its stored token count is of this text).
export { codexEntryPromptText, type CodexEntryText } from "./codex-entry-text";
export {
  checkLiquidSyntax,
  importBuiltinPrompts,
  listPromptVersions,
  PromptDriftError,
  readBuiltinTemplates,
  renderAdminBody,
  resolveTemplate,
  type LiquidProblem,
} from "./prompt-library";
