import { getDb } from "@/db";
import {
  historyFilterSchema,
  historyQuerySchema,
  listJobHistory,
  type HistoryFilters,
  type HistoryPageRequest,
  type HistoryRow,
} from "@/lib/ai";
import { AppError } from "@/lib/errors";
import { isAdmin } from "./access";
import { requireActor, type Actor } from "./actor";
import { withValidCursor } from "./job-history";
import { parseInput } from "./validation";

/** The REST API's names for the history filters → the ledger's (and back, for error messages). */
const apiToLedger = { type: "jobType", storyId: "scopeId", userId: "requestedBy" } as const;
const ledgerToApi: Record<string, string> = Object.fromEntries(Object.entries(apiToLedger).map(([a, l]) => [l, a]));

export const jobListParams = [
  "status",
  "type",
  "storyId",
  "userId",
  "model",
  "errorCode",
  "from",
  "to",
  "cursor",
  "before",
  "limit",
] as const;

export interface ApiJobSummary {
  id: string;
  status: HistoryRow["status"];
  type: HistoryRow["jobType"];
  targetType: string;
  targetId: string;
  storyId: string | null;
  requestedBy: string | null;
  parentJobId: string | null;
  retryOf: string | null;
  provider: string;
  model: string;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  attempts: number;
  errorCode: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

function toSummary(row: HistoryRow): ApiJobSummary {
  return {
    id: row.id,
    status: row.status,
    type: row.jobType,
    targetType: row.targetType,
    targetId: row.targetId,
    storyId: row.scopeType === "story" ? row.scopeId : null,
    requestedBy: row.requestedBy,
    parentJobId: row.parentJobId,
    retryOf: row.retryOf,
    provider: row.provider,
    model: row.model,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costUsd: row.costUsd === null ? null : Number(row.costUsd),
    attempts: row.attempts,
    errorCode: row.errorCode,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
  };
}

/** Re-labels VALIDATION field names from the ledger's to the API's, so a client sees the parameter it sent. */
function renameFields(error: unknown): never {
  if (error instanceof AppError && error.code === "VALIDATION" && error.details?.fields) {
    const fields = Object.fromEntries(
      Object.entries(error.details.fields as Record<string, string>).map(([k, v]) => [ledgerToApi[k] ?? k, v]),
    );
    throw new AppError("VALIDATION", error.message, { fields });
  }
  throw error;
}

/**
 * The job history as the REST API shows it: newest first, keyset pages. Authors see the jobs they requested, admins
 * everyone's (and may filter by userId). Unknown parameters are refused, so a typo does not silently list everything.
 */
export async function listJobsForApi(
  actorOrNull: Actor | null,
  query: Record<string, string>,
): Promise<{ jobs: ApiJobSummary[]; nextCursor: string | null; prevCursor: string | null }> {
  const actor = requireActor(actorOrNull);
  const unknown = Object.keys(query).filter((k) => !(jobListParams as readonly string[]).includes(k));
  if (unknown.length) {
    throw new AppError("VALIDATION", `Unknown query parameter: ${unknown.join(", ")}.`, {
      fields: Object.fromEntries(unknown.map((k) => [k, `Unknown parameter; use one of ${jobListParams.join(", ")}.`])),
    });
  }
  const { cursor, before, limit, ...rest } = query;
  const mapped: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) mapped[apiToLedger[key as keyof typeof apiToLedger] ?? key] = value;
  if (!isAdmin(actor)) {
    if (mapped.requestedBy && mapped.requestedBy !== actor.id) {
      throw new AppError("VALIDATION", "Only admins can list other users' jobs.", {
        fields: { userId: "Only admins can filter by another user." },
      });
    }
    mapped.requestedBy = actor.id;
  }
  let filters: HistoryFilters;
  let page: HistoryPageRequest;
  try {
    filters = parseInput(historyFilterSchema, mapped);
    page = parseInput(historyQuerySchema, { cursor, before, limit });
  } catch (error) {
    renameFields(error);
  }
  const db = await getDb();
  const result = await withValidCursor(() => listJobHistory(db, filters, page), {
    message: "This cursor is not valid; use nextCursor or prevCursor from a previous answer.",
    field: before && !cursor ? "before" : "cursor",
    fieldMessage: "Not a valid cursor.",
  });
  return { jobs: result.rows.map(toSummary), nextCursor: result.nextCursor, prevCursor: result.prevCursor };
}
