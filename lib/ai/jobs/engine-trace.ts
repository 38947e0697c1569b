import { inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { aiJobs } from "@/db/ai-schema";
import type { EngineDb, RunDetail } from "@/lib/inngest/embedded";

/**
 * The engine's record of a job (its runs, steps and calls) outlives the engine's own rows: retention hands each
 * batch of runs to copyEngineTraces before purging them, and the admin's job detail reads the copy once the
 * originals are gone (tracedRuns). The copy is keyed by run id, so copying a run twice changes nothing.
 */

const jobId = z.uuid();

/** The job a run worked on: the app's functions carry `jobId` in their event; failure handlers get it wrapped. */
export function jobIdOfRun(run: RunDetail["run"]): string | null {
  const data = (run.event as { data?: { jobId?: unknown; event?: { data?: { jobId?: unknown } } } } | null)?.data;
  const candidate = data?.jobId ?? data?.event?.data?.jobId;
  const parsed = jobId.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

type Trace = Record<string, unknown>;

/**
 * Writes the runs into their jobs' engine_trace through `tx` (the purge's transaction): the copy commits with the
 * deletion or not at all. Runs of no job (crons, sweeps) have nothing to be kept for.
 */
export async function copyEngineTraces(tx: EngineDb, runs: RunDetail[]): Promise<number> {
  const byJob = new Map<string, RunDetail[]>();
  for (const detail of runs) {
    const id = jobIdOfRun(detail.run);
    if (id) byJob.set(id, [...(byJob.get(id) ?? []), detail]);
  }
  if (!byJob.size) return 0;
  // Read-modify-write under the rows' locks: json keeps each run exactly as the engine returned it (jsonb's ||
  // would reorder object keys), so the merge happens here rather than in SQL.
  const current = await tx
    .select({ id: aiJobs.id, trace: aiJobs.engineTrace })
    .from(aiJobs)
    .where(inArray(aiJobs.id, [...byJob.keys()]))
    .for("update");
  if (!current.length) return 0;
  const values = current.map((row) => {
    const trace: Trace = { ...((row.trace as Trace | null) ?? {}) };
    for (const detail of byJob.get(row.id) ?? []) trace[detail.run.id] = detail;
    return sql`(${row.id}::uuid, ${JSON.stringify(trace)}::json)`;
  });
  await tx.execute(sql`
    update ai_jobs set engine_trace = v.trace
    from (values ${sql.join(values, sql`, `)}) as v(id, trace)
    where ai_jobs.id = v.id`);
  return current.length;
}

const isoDate = z.iso.datetime();
const tracedRun = z.looseObject({
  run: z.looseObject({
    id: z.string(),
    createdAt: isoDate,
    startedAt: isoDate.nullable(),
    endedAt: isoDate.nullable(),
  }),
  steps: z.array(z.looseObject({ createdAt: isoDate, endedAt: isoDate.nullable() })),
  attempts: z.array(z.looseObject({ startedAt: isoDate, endedAt: isoDate })),
});

/** Dates back from their JSON strings; replacing keys in a spread keeps their place, so the shape reads the same. */
function revive<T extends Record<string, unknown>>(row: T, keys: (keyof T)[]): T {
  const out = { ...row };
  for (const key of keys) {
    const value = row[key];
    if (typeof value === "string") out[key] = new Date(value) as T[keyof T];
  }
  return out;
}

/** The copied runs of a job, with their dates revived, oldest first; entries that do not parse are left out. */
export function tracedRuns(trace: unknown): RunDetail[] {
  if (!trace || typeof trace !== "object") return [];
  const runs: RunDetail[] = [];
  for (const value of Object.values(trace)) {
    if (!tracedRun.safeParse(value).success) continue;
    const raw = value as {
      run: Record<string, unknown>;
      steps: Record<string, unknown>[];
      attempts: Record<string, unknown>[];
    };
    runs.push({
      ...raw,
      run: revive(raw.run, ["createdAt", "startedAt", "endedAt"]),
      steps: raw.steps.map((s) => revive(s, ["createdAt", "endedAt"])),
      attempts: raw.attempts.map((a) => revive(a, ["startedAt", "endedAt"])),
    } as unknown as RunDetail);
  }
  return runs.sort((a, b) => a.run.createdAt.getTime() - b.run.createdAt.getTime() || a.run.id.localeCompare(b.run.id));
}
