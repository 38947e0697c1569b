import { and, eq, gte, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { aiJobs, aiJobStatuses, aiJobTypes, type AiJobStatus, type AiJobType } from "@/db/ai-schema";
import { contentRatings } from "@/db/content-ratings";

/**
 * The job history: every AI job, newest first, with keyset pagination on (created_at desc, id desc). Each filter has
 * an index ordered the same way (see db/ai-schema.ts), so a page is an index range scan however many jobs exist.
 * Knows nothing of stories or users beyond their ids: the domain enriches rows for display.
 */

const HISTORY_PAGE_DEFAULT = 50;
const HISTORY_PAGE_MAX = 200;

/** Form fields arrive as "" when left blank: that means "no filter", not an invalid value. */
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <S extends z.ZodType>(schema: S) => z.preprocess(blankToUndefined, schema.optional());

// JavaScript accepts years PostgreSQL cannot store ("99999" is a valid Date); the range keeps them a 400, not a 500.
const dateInput = z.coerce
  .date({ message: "Use a date such as 2025-01-31." })
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, {
    message: "Use a date between 1970 and 9999.",
  });

export const historyFilterSchema = z
  .object({
    status: optional(z.enum(aiJobStatuses, { message: `Status is one of: ${aiJobStatuses.join(", ")}.` })),
    jobType: optional(z.enum(aiJobTypes, { message: `Job type is one of: ${aiJobTypes.join(", ")}.` })),
    scopeId: optional(z.uuid({ message: "The story filter must be a story id." })),
    requestedBy: optional(z.uuid({ message: "The user filter must be a user id." })),
    model: optional(z.string().trim().max(200, "A model name is at most 200 characters.")),
    errorCode: optional(z.string().trim().max(100, "An error code is at most 100 characters.")),
    /** Inclusive lower bound on created_at. */
    from: optional(dateInput),
    /** Exclusive upper bound on created_at. */
    to: optional(dateInput),
    /** The content rating the job was held to. */
    contentRating: optional(
      z.enum(contentRatings, { message: `Content rating is one of: ${contentRatings.join(", ")}.` }),
    ),
    /** "yes": only jobs whose rating a maximum lowered. */
    clamped: optional(z.enum(["yes"], { message: 'The clamped filter is "yes" or blank.' })),
    /** Search by job id: exact match only. */
    jobId: optional(z.uuid({ message: "Search by a full job id (a UUID such as 0b6f…-…)." })),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, {
    message: "The start of the date range must be before its end.",
    path: ["to"],
  });

export type HistoryFilters = z.output<typeof historyFilterSchema>;

export const historyQuerySchema = z.object({
  /** Older than this row (the previous answer's nextCursor). */
  cursor: optional(z.string().max(200)),
  /** Newer than this row (the previous answer's prevCursor): the page before, still shown newest first. */
  before: optional(z.string().max(200)),
  limit: optional(z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX, `At most ${HISTORY_PAGE_MAX} jobs per page.`)),
});

export interface HistoryCursor {
  /** created_at as PostgreSQL text, microseconds included: a JS Date would drop them and break ties. */
  createdAt: string;
  id: string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super("invalid history cursor");
    this.name = "InvalidCursorError";
  }
}

export function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, "utf8").toString("base64url");
}

const cursorPattern =
  /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}(?::?\d{2})?|Z)?)\|([0-9a-f-]{36})$/i;

/** The pattern admits impossible times (99:99, February 30): they must be refused here, not by the database. */
function isRealDateTime(text: string): boolean {
  const [y, mo, d, h, mi, sec] = text.match(/\d+/g)!.slice(0, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // PostgreSQL accepts UTC offsets up to 15:59.
  const offsetHours = /[+-](\d{2})(?::?\d{2})?$/.exec(text)?.[1];
  if (offsetHours !== undefined && Number(offsetHours) > 15) return false;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  return (
    y >= 1970 &&
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === sec
  );
}

export function decodeCursor(value: string): HistoryCursor {
  const text = Buffer.from(value, "base64url").toString("utf8");
  const match = cursorPattern.exec(text);
  if (!match || !z.uuid().safeParse(match[2]).success) throw new InvalidCursorError();
  if (!isRealDateTime(match[1]!)) throw new InvalidCursorError();
  return { createdAt: match[1]!, id: match[2]!.toLowerCase() };
}

/** The WHERE clause for the filters; `without` drops one (the status counts ignore the status filter). */
function historyWhere(filters: HistoryFilters, without?: "status"): SQL | undefined {
  const where: SQL[] = [];
  if (filters.status && without !== "status") where.push(eq(aiJobs.status, filters.status));
  if (filters.jobType) where.push(eq(aiJobs.jobType, filters.jobType));
  if (filters.scopeId) where.push(eq(aiJobs.scopeId, filters.scopeId));
  if (filters.requestedBy) where.push(eq(aiJobs.requestedBy, filters.requestedBy));
  if (filters.model) where.push(eq(aiJobs.model, filters.model));
  if (filters.errorCode) where.push(eq(aiJobs.errorCode, filters.errorCode));
  if (filters.from) where.push(gte(aiJobs.createdAt, filters.from));
  if (filters.to) where.push(lt(aiJobs.createdAt, filters.to));
  if (filters.jobId) where.push(eq(aiJobs.id, filters.jobId));
  if (filters.contentRating) where.push(eq(aiJobs.contentRating, filters.contentRating));
  if (filters.clamped) where.push(isNotNull(aiJobs.ratingClampedBy));
  return where.length ? and(...where) : undefined;
}

export interface HistoryRow {
  id: string;
  createdAt: Date;
  /** Exact created_at for the cursor. */
  createdAtText: string;
  status: AiJobStatus;
  jobType: AiJobType;
  targetType: string;
  targetId: string;
  scopeType: string | null;
  scopeId: string | null;
  requestedBy: string | null;
  parentJobId: string | null;
  retryOf: string | null;
  provider: string;
  model: string;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: string | null;
  attempts: number;
  errorCode: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  /** When the author set the result aside unused (a take not chosen, a dismissed take set). */
  discardedAt: Date | null;
  /** completed_at - created_at, null while the job has not finished. */
  durationMs: number | null;
}

export const historyColumns = {
  id: aiJobs.id,
  createdAt: aiJobs.createdAt,
  createdAtText: sql<string>`${aiJobs.createdAt}::text`,
  status: aiJobs.status,
  jobType: aiJobs.jobType,
  targetType: aiJobs.targetType,
  targetId: aiJobs.targetId,
  scopeType: aiJobs.scopeType,
  scopeId: aiJobs.scopeId,
  requestedBy: aiJobs.requestedBy,
  parentJobId: aiJobs.parentJobId,
  retryOf: aiJobs.retryOf,
  provider: aiJobs.provider,
  model: aiJobs.model,
  inputTokens: aiJobs.inputTokens,
  outputTokens: aiJobs.outputTokens,
  costUsd: aiJobs.costUsd,
  attempts: aiJobs.attempts,
  errorCode: aiJobs.errorCode,
  startedAt: aiJobs.startedAt,
  completedAt: aiJobs.completedAt,
  discardedAt: aiJobs.discardedAt,
  durationMs: sql<number | null>`(extract(epoch from (${aiJobs.completedAt} - ${aiJobs.createdAt})) * 1000)::float8`,
};

export interface HistoryPage {
  rows: HistoryRow[];
  /** Cursor of the next (older) page, null on the last page. */
  nextCursor: string | null;
  /** Cursor of the previous (newer) page, for `before`; null on the first page. */
  prevCursor: string | null;
}

export interface HistoryPageRequest {
  cursor?: string;
  before?: string;
  limit?: number;
}

const cursorOf = (row: HistoryRow | undefined) =>
  row ? encodeCursor({ createdAt: row.createdAtText, id: row.id }) : null;

/**
 * One page of history, newest first, after `cursor` (older rows) or before `before` (newer rows). Fetches one row
 * more than asked to know whether another page exists that way, so the ends never offer a link that leads nowhere;
 * the other way always has rows, since the cursor's own row lies there (unless it was deleted: then one empty page).
 */
export async function listJobHistory(
  db: Db,
  filters: HistoryFilters,
  page: HistoryPageRequest = {},
): Promise<HistoryPage> {
  const limit = pageLimit(page.limit);
  const rows = await historyPageQuery(db, filters, page);
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  if (page.before && !page.cursor) {
    // Fetched oldest-first from the cursor upwards; shown newest first like every page.
    const shown = kept.reverse().map(normalizeRow);
    return { rows: shown, prevCursor: more ? cursorOf(shown[0]) : null, nextCursor: cursorOf(shown.at(-1)) };
  }
  const shown = kept.map(normalizeRow);
  return {
    rows: shown,
    nextCursor: more ? cursorOf(shown.at(-1)) : null,
    prevCursor: page.cursor ? cursorOf(shown[0]) : null,
  };
}

function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? HISTORY_PAGE_DEFAULT, 1), HISTORY_PAGE_MAX);
}

/** The page query itself (one row more than the page), exposed so the benchmark can EXPLAIN exactly it. */
export function historyPageQuery(db: Db, filters: HistoryFilters, page: HistoryPageRequest = {}) {
  const where: (SQL | undefined)[] = [historyWhere(filters)];
  const backwards = Boolean(page.before && !page.cursor);
  if (page.cursor) {
    const cursor = decodeCursor(page.cursor);
    // A row comparison matches the (created_at desc, id desc) indexes, so the scan starts right at the cursor.
    where.push(sql`(${aiJobs.createdAt}, ${aiJobs.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
  } else if (page.before) {
    const before = decodeCursor(page.before);
    where.push(sql`(${aiJobs.createdAt}, ${aiJobs.id}) > (${before.createdAt}::timestamptz, ${before.id}::uuid)`);
  }
  return (
    db
      .select(historyColumns)
      .from(aiJobs)
      .where(and(...where))
      // NULLS LAST as in the indexes: plain DESC means NULLS FIRST, which the planner cannot serve from them (it
      // does not use NOT NULL to see they are the same) and would sort the whole table instead. Going backwards
      // is the exact reverse (ASC NULLS FIRST): the same index, scanned the other way.
      .orderBy(
        ...(backwards
          ? [sql`${aiJobs.createdAt} asc nulls first`, sql`${aiJobs.id} asc nulls first`]
          : [sql`${aiJobs.createdAt} desc nulls last`, sql`${aiJobs.id} desc nulls last`]),
      )
      .limit(pageLimit(page.limit) + 1)
  );
}

function normalizeRow(row: HistoryRow): HistoryRow {
  return { ...row, durationMs: row.durationMs === null ? null : Number(row.durationMs) };
}

export type StatusCounts = Record<AiJobStatus, number> & { total: number };

/**
 * How many jobs match the filters, per status (the status filter itself is ignored so every tab shows a number).
 * Exact: one GROUP BY over the filtered rows (see bench/results/history.md for its cost at 100,000 jobs).
 */
export async function countJobsByStatus(db: Db, filters: HistoryFilters): Promise<StatusCounts> {
  const rows = await statusCountsQuery(db, filters);
  const counts = Object.fromEntries(aiJobStatuses.map((s) => [s, 0])) as StatusCounts;
  counts.total = 0;
  for (const row of rows) {
    counts[row.status] = Number(row.count);
    counts.total += Number(row.count);
  }
  return counts;
}

/** The status counts query, exposed for the benchmark's EXPLAIN. */
export function statusCountsQuery(db: Db, filters: HistoryFilters) {
  return db
    .select({ status: aiJobs.status, count: sql<number>`count(*)::int` })
    .from(aiJobs)
    .where(historyWhere(filters, "status"))
    .groupBy(aiJobs.status);
}

/** Distinct values for the filter drop-downs (models, error codes), bounded so a long tail cannot blow up the page. */
export async function distinctValues(db: Db, column: "model" | "errorCode", max = 100): Promise<string[]> {
  const col = column === "model" ? aiJobs.model : aiJobs.errorCode;
  const rows = await db
    .selectDistinct({ value: col })
    .from(aiJobs)
    .where(sql`${col} is not null`)
    .orderBy(col)
    .limit(max);
  return rows.map((r) => r.value).filter((v): v is string => v !== null);
}
