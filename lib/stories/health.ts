import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { HEALTH_DEFAULTS, ledgerHealth, type LedgerHealth, type ModelHealth, type StuckJob } from "@/lib/ai";
import { createEmbeddedEngine, type EngineBacklog, processEngine } from "@/lib/inngest/embedded";
import { inngestMode } from "@/lib/inngest/mode";
import { log } from "@/lib/log";
import type { Actor } from "./actor";
import { requireAdmin } from "./access";

/**
 * Health for load balancers (readiness: can this instance serve?) and for admins (is the AI side healthy, and what
 * to do when it is not). Readiness says nothing about stories or users: only counts and ages.
 */

const DATABASE_TIMEOUT_MS = 2_000;
/** An engine is behind when its oldest due item waited longer than this. */
const LAG_WARN_MS = 30_000;
/** A model is unhealthy past this error rate, once it made enough calls for the rate to mean something. */
const ERROR_RATE_WARN = 0.2;
const ERROR_RATE_MIN_CALLS = 5;

export interface Readiness {
  ready: boolean;
  checks: {
    database: { ok: boolean; latencyMs: number | null; message?: string };
    engine: { ok: boolean; mode: "embedded" | "external"; message: string };
    queue: { ok: boolean; pending: number; oldestPendingMs: number };
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function engineCheck(): Readiness["checks"]["engine"] {
  const mode = inngestMode();
  if (mode === "external") {
    return { ok: true, mode, message: "An external Inngest runs the functions; its health is on its own dashboard." };
  }
  const status = processEngine()?.status;
  if (!status?.running) return { ok: false, mode, message: "The embedded engine is not running in this process." };
  if (!status.synced) return { ok: false, mode, message: "The embedded engine has not registered the functions yet." };
  return { ok: true, mode, message: "The embedded engine is running." };
}

/**
 * Ready when the database answers within 2 s and the functions have an engine. A backlog does not make an instance
 * unready (taking it out of rotation would not help the queue); it is reported for whoever watches.
 */
export async function checkReadiness(): Promise<Readiness> {
  const engine = engineCheck();
  const started = performance.now();
  try {
    const db = await withTimeout(getDb(), DATABASE_TIMEOUT_MS, "database did not open in time");
    await withTimeout(db.execute(sql`select 1`), DATABASE_TIMEOUT_MS, "database did not answer in time");
    const latencyMs = Math.round(performance.now() - started);
    const [queue] = (await withTimeout(
      db.execute(
        sql`select count(*)::int as n, coalesce(extract(epoch from (now() - min(created_at))) * 1000, 0) as oldest
            from ai_jobs where status = 'pending'`,
      ),
      DATABASE_TIMEOUT_MS,
      "database did not answer in time",
    ).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows))) as { n: number; oldest: number }[];
    return {
      ready: engine.ok,
      checks: {
        database: { ok: true, latencyMs },
        engine,
        queue: {
          ok: true,
          pending: Number(queue?.n ?? 0),
          oldestPendingMs: Math.max(0, Math.round(Number(queue?.oldest ?? 0))),
        },
      },
    };
  } catch (error) {
    // The cause goes to the log only: a load balancer's probe is unauthenticated.
    log("warn", "readiness: database check failed", { error });
    return {
      ready: false,
      checks: {
        database: { ok: false, latencyMs: null, message: "The database is not reachable." },
        engine,
        queue: { ok: false, pending: 0, oldestPendingMs: 0 },
      },
    };
  }
}

export type HealthLevel = "ok" | "warning" | "problem";

export interface HealthFinding {
  level: HealthLevel;
  subject: string;
  what: string;
  /** What an admin can do about it. */
  action: string;
  jobId?: string;
}

export interface AdminHealth {
  ledger: LedgerHealth;
  engine: Readiness["checks"]["engine"] & { backlog: EngineBacklog | null };
  findings: HealthFinding[];
}

export function modelFindings(models: readonly ModelHealth[]): HealthFinding[] {
  return models.flatMap((m): HealthFinding[] => {
    const subject = `${m.provider} / ${m.model}`;
    if (m.calls >= ERROR_RATE_MIN_CALLS && m.errorRate >= ERROR_RATE_WARN) {
      return [
        {
          level: m.succeeded === 0 ? "problem" : "warning",
          subject,
          what: `${Math.round(m.errorRate * 100)}% of the last hour's ${m.calls} calls failed${m.lastErrorCode ? ` (last: ${m.lastErrorCode})` : ""}.`,
          action:
            "Check the provider's status page and the API key and base URL in the environment; failed jobs can be retried from their detail page once the provider answers.",
        },
      ];
    }
    return [];
  });
}

export function stuckFindings(stuck: readonly StuckJob[]): HealthFinding[] {
  return stuck.map((job) => {
    const minutes = Math.round(job.ageMs / 60_000);
    if (job.reason === "running_silent") {
      return {
        level: "problem",
        subject: job.jobType,
        jobId: job.id,
        what: `Running, but nothing has happened for ${minutes} min.`,
        action:
          "Its engine instance may have stopped: the engine hands the work to another instance when the lease expires. If it still does not move, cancel it from its detail page and retry.",
      };
    }
    return {
      level: "warning",
      subject: job.jobType,
      jobId: job.id,
      what: job.retryAt ? `Waiting ${minutes} min; a retry is scheduled.` : `Waiting to start for ${minutes} min.`,
      action:
        "A full concurrency limit, a used-up spending budget (automatic jobs wait for the reset) or a stopped engine holds it: see the engine backlog below.",
    };
  });
}

export function engineFindings(engine: AdminHealth["engine"]): HealthFinding[] {
  const findings: HealthFinding[] = [];
  if (!engine.ok) {
    findings.push({
      level: "problem",
      subject: "engine",
      what: engine.message,
      action: "Check the server log for the engine's start-up error (a failed function sync names the function).",
    });
  }
  if (engine.backlog && engine.backlog.lagMs > LAG_WARN_MS) {
    findings.push({
      level: "warning",
      subject: "engine",
      what: `The oldest due step has waited ${Math.round(engine.backlog.lagMs / 1000)} s for the engine (${engine.backlog.due} due).`,
      action:
        "The engine is behind: raise INNGEST_EMBEDDED_WORKERS, or run another app instance on the same PostgreSQL.",
    });
  }
  return findings;
}

/** The admin health view (NOT_FOUND for anyone but an admin). */
export async function getAdminHealth(actorOrNull: Actor | null): Promise<AdminHealth> {
  requireAdmin(actorOrNull);
  const db = await getDb();
  const check = engineCheck();
  const [ledger, backlog] = await Promise.all([
    ledgerHealth(db, HEALTH_DEFAULTS),
    check.mode === "embedded" ? createEmbeddedEngine({ db }).query.backlog() : Promise.resolve(null),
  ]);
  const engine = { ...check, backlog };
  const findings = [...engineFindings(engine), ...modelFindings(ledger.models), ...stuckFindings(ledger.stuck)];
  return { ledger, engine, findings };
}
