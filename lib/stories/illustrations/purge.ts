import { and, asc, eq, gt, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { aiJobs } from "@/db/ai-schema";
import { pageIllustrations } from "@/db/illustrations-schema";
import { imageStoreOfKind } from "@/lib/ai";
import { log } from "@/lib/log";

export const DEFAULT_ATTEMPT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
const days = z.coerce.number().positive().max(36_500);

type Env = Record<string, string | undefined>;

/**
 * ILLUSTRATION_ATTEMPT_RETENTION_DAYS: how long an attempt nobody chose is kept (default 30 days, DECISIONS.md);
 * "0" or "off" keeps every attempt. A value that is not a number is reported and the default used, so a typo never
 * turns the purge off, nor makes it take everything.
 */
export function attemptRetentionMsFromEnv(env: Env = process.env): { retentionMs: number; problem?: string } {
  const raw = env.ILLUSTRATION_ATTEMPT_RETENTION_DAYS?.trim().toLowerCase();
  if (!raw) return { retentionMs: DEFAULT_ATTEMPT_RETENTION_DAYS * DAY_MS };
  if (raw === "0" || raw === "off" || raw === "false") return { retentionMs: 0 };
  const parsed = days.safeParse(raw);
  if (parsed.success) return { retentionMs: Math.round(parsed.data * DAY_MS) };
  return {
    retentionMs: DEFAULT_ATTEMPT_RETENTION_DAYS * DAY_MS,
    problem: `ILLUSTRATION_ATTEMPT_RETENTION_DAYS=${raw} is not a number of days; keeping ${DEFAULT_ATTEMPT_RETENTION_DAYS} days`,
  };
}

export interface PurgeReport {
  /** Attempts whose row and bytes are gone. */
  purged: number;
  bytesFreed: number;
  /** Attempts left for a later run: their store is not configured any more, or deleting the bytes failed. */
  kept: number;
}

/**
 * Purges the illustration attempts nobody chose that are older than `retentionMs`: the bytes from their store and
 * the row. The chosen attempt of a page is never touched, and neither is any attempt younger than the limit (a page
 * without a choice yet keeps its recent attempts). The Illustrate job's ledger row stays — job history is never
 * deleted — with `purgedAt` added to its output record; it never held the bytes or their key.
 *
 * Each attempt is one transaction: the row is deleted only while it is still unchosen (a choice made meanwhile wins,
 * the row lock orders the two), and the bytes are deleted inside it, so a failed delete keeps the row for the next
 * run rather than leaving a row without bytes. Rows go in creation order with a cursor, so an attempt that cannot be
 * purged now (an S3 image after the bucket settings were removed) does not stop the ones after it.
 */
export async function purgeUnchosenAttempts(
  db: Db,
  options: { retentionMs: number; now?: Date; limit?: number; env?: Env },
): Promise<PurgeReport> {
  const report: PurgeReport = { purged: 0, bytesFreed: 0, kept: 0 };
  if (options.retentionMs <= 0) return report;
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionMs);
  const limit = options.limit ?? 500;
  let cursor: { createdAt: Date; id: string } | null = null;
  while (report.purged + report.kept < limit) {
    const candidates: { id: string; createdAt: Date }[] = await db
      .select({ id: pageIllustrations.id, createdAt: pageIllustrations.createdAt })
      .from(pageIllustrations)
      .where(
        and(
          isNull(pageIllustrations.chosenAt),
          lt(pageIllustrations.createdAt, cutoff),
          cursor
            ? or(
                gt(pageIllustrations.createdAt, cursor.createdAt),
                and(eq(pageIllustrations.createdAt, cursor.createdAt), gt(pageIllustrations.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(pageIllustrations.createdAt), asc(pageIllustrations.id))
      .limit(Math.min(100, limit - report.purged - report.kept));
    if (candidates.length === 0) break;
    for (const candidate of candidates) {
      try {
        const freed = await purgeOne(db, candidate.id, options.env);
        if (freed === null) report.kept++;
        else if (freed > 0) {
          report.purged++;
          report.bytesFreed += freed;
        }
      } catch (error) {
        report.kept++;
        log("warn", "illustration attempt not purged", { illustrationId: candidate.id, error });
      }
    }
    const last: { id: string; createdAt: Date } = candidates[candidates.length - 1]!;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
  return report;
}

/** Bytes freed; 0 when the attempt was chosen or gone meanwhile; null when its store is not configured. */
async function purgeOne(db: Db, id: string, env: Env | undefined): Promise<number | null> {
  const [found] = await db
    .select({ storage: pageIllustrations.storage })
    .from(pageIllustrations)
    .where(eq(pageIllustrations.id, id));
  if (!found) return 0;
  if (!imageStoreOfKind(db, found.storage, env)) return null;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(pageIllustrations)
      .where(and(eq(pageIllustrations.id, id), isNull(pageIllustrations.chosenAt)))
      .returning();
    if (!row) return 0;
    // The database store deletes inside this transaction; an S3 delete that fails throws, and the row comes back.
    await imageStoreOfKind(tx as unknown as Db, row.storage, env)!.delete(row.imageKey);
    if (row.jobId) {
      const [job] = await tx.select({ outputText: aiJobs.outputText }).from(aiJobs).where(eq(aiJobs.id, row.jobId));
      await tx
        .update(aiJobs)
        .set({ outputText: markPurged(job?.outputText ?? null) })
        .where(eq(aiJobs.id, row.jobId));
    }
    return row.byteSize;
  });
}

/** The Illustrate job's output record, marked: its attempt's bytes and row are gone. */
function markPurged(outputText: string | null): string | null {
  try {
    const record: unknown = outputText ? JSON.parse(outputText) : {};
    if (!record || typeof record !== "object") return outputText;
    return JSON.stringify({ ...record, purgedAt: new Date().toISOString() });
  } catch {
    return outputText;
  }
}
