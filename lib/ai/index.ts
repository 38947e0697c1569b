// The AI layer's public surface for the domain (lib/stories) and app/: models and prompts, the job ledger and its
// queue, live job updates, the history and usage reads, and the spending sums behind budgets. Everything else under
// lib/ai is internal to it. The Inngest functions (lib/ai/functions/*) are registered by app/api/inngest/functions.ts
// directly; only the types the domain plugs into them are exported here.

import "server-only";
export { resolveModel, ModelConfigError, type ModelChoice } from "./models";
export { loadTemplate, renderTemplate, PromptTemplateError, type PromptTemplate } from "./prompts";
export { ContextBudgetError, type BudgetResult } from "./context";
export { buildDocumentPayload, type DocumentPromptPayload } from "./jobs/payload";

export { findActiveJob, getJob, markCancelled, markLanded, type JobAdmission, type NewJob } from "./jobs/ledger";
export { submitJob } from "./jobs/submit";
export { requestJobCancel } from "./jobs/queue";
export { cancelFanOut, listChildren, settleFanOutParent } from "./jobs/fan-out";
export { publishJobUpdate, subscribeJobUpdates, type JobUpdate } from "./jobs/live";
export {
  createJobTypeRegistry,
  defineFanOutJobType,
  defineModelJobType,
  type FanOutPlan,
  type JobRefusal,
  type JobTypeDefinition,
  type JobTypeRegistry,
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
