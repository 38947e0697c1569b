import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * Tables of the embedded Inngest engine (lib/inngest/embedded). They live in the app's database so that durable
 * state survives a crash with the data it belongs to, and so that several app processes on one PostgreSQL share
 * one queue. Every table is prefixed `inngest_`; nothing in the app's own schema refers to them.
 */

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

const runStatuses = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Memoized states are `completed` and `failed`; the others mean the step is still outstanding. */
const stepStatuses = [
  "planned",
  "retrying",
  "sleeping",
  "invoking",
  "waiting",
  "completed",
  "failed",
  "cancelled",
] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** `call` = an HTTP call to the app (discovery when step_id is null); `wake` ends a sleep; `timeout` ends a wait. */
const queueKinds = ["call", "wake", "timeout"] as const;
export type QueueKind = (typeof queueKinds)[number];

/** Engine secrets (signing key, event key), generated on first start so every instance on one database shares them. */
export const inngestSecrets = pgTable("inngest_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: tstz("created_at").notNull().defaultNow(),
});

/** Functions as last registered by the app (in-band sync). Removed functions stay, inactive, for run history. */
export const inngestFunctions = pgTable(
  "inngest_functions",
  {
    id: text("id").primaryKey(),
    appId: text("app_id").notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    /** The function config exactly as the SDK registered it. */
    config: jsonb("config").notNull(),
    /** The user's `retries`; a step or call is attempted at most retries + 1 times. */
    retries: integer("retries").notNull(),
    active: boolean("active").notNull().default(true),
    syncedAt: tstz("synced_at").notNull().defaultNow(),
  },
  (t) => [check("inngest_functions_retries_check", sql`${t.retries} between 0 and 20`)],
);

/** Every accepted event. A run keeps its own copy of its triggering event, so old events can be purged. */
export const inngestEvents = pgTable(
  "inngest_events",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    data: jsonb("data").notNull(),
    /** The sender's own id, used for 24 h idempotency (see inngest_idempotency). */
    externalId: text("external_id"),
    ts: bigint("ts", { mode: "number" }).notNull(),
    receivedAt: tstz("received_at").notNull().defaultNow(),
  },
  (t) => [
    index("inngest_events_name_received_idx").on(t.name, t.receivedAt),
    // Retention walks old events in (received_at, id) order, a keyset cursor from one batch to the next.
    index("inngest_events_received_id_idx").on(t.receivedAt, t.id),
  ],
);

/** Idempotency keys (an event's own `id`) with their expiry: a second event with a live key starts no run. */
export const inngestIdempotency = pgTable(
  "inngest_idempotency",
  {
    key: text("key").primaryKey(),
    eventId: text("event_id").notNull(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [index("inngest_idempotency_expires_idx").on(t.expiresAt)],
);

/**
 * A function's `idempotency` keys: the first event-started run per (function, key value) within 24 h claims the key;
 * a later event with the same value starts nothing. Unlike inngest_idempotency (the sender's event id), this is
 * "a run exists for this key", so a re-send under a fresh event id still starts a run that never existed.
 */
export const inngestRunIdempotency = pgTable(
  "inngest_run_idempotency",
  {
    functionId: text("function_id").notNull(),
    key: text("key").notNull(),
    runId: text("run_id").notNull(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.functionId, t.key] }), index("inngest_run_idempotency_expires_idx").on(t.expiresAt)],
);

export const inngestRuns = pgTable(
  "inngest_runs",
  {
    id: text("id").primaryKey(),
    functionId: text("function_id").notNull(),
    status: text("status", { enum: runStatuses }).notNull().default("queued"),
    /** The triggering event as the function receives it ({ name, data, id, ts }). */
    event: jsonb("event").notNull(),
    eventId: text("event_id"),
    /** Concurrency keys and their limits, computed once from the event when the run is created. */
    concurrencyKeys: text("concurrency_keys").array().notNull().default(sql`'{}'::text[]`),
    concurrencyLimits: integer("concurrency_limits").array().notNull().default(sql`'{}'::integer[]`),
    /** Set when this run was started by step.invoke: the parent's step is resolved when this run ends. */
    parentRunId: text("parent_run_id"),
    parentStepId: text("parent_step_id"),
    /** json, not jsonb: kept exactly as the SDK returned it (jsonb would reorder object keys). */
    output: json("output"),
    error: jsonb("error"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    startedAt: tstz("started_at"),
    endedAt: tstz("ended_at"),
  },
  (t) => [
    check("inngest_runs_status_check", sql`${t.status} in ('queued', 'running', 'completed', 'failed', 'cancelled')`),
    index("inngest_runs_function_created_idx").on(t.functionId, t.createdAt.desc()),
    index("inngest_runs_created_idx").on(t.createdAt.desc()),
    index("inngest_runs_active_idx").on(t.functionId).where(sql`${t.status} in ('queued', 'running')`),
    index("inngest_runs_parent_idx").on(t.parentRunId).where(sql`${t.parentRunId} is not null`),
    // Retention reads finished runs by end time in bounded keyset batches, without scanning live or recent runs.
    index("inngest_runs_ended_idx").on(t.endedAt, t.id).where(sql`${t.status} in ('completed', 'failed', 'cancelled')`),
  ],
);

/** One row per step of a run: the memoized result once completed or failed, its state while outstanding. */
export const inngestSteps = pgTable(
  "inngest_steps",
  {
    runId: text("run_id")
      .notNull()
      .references(() => inngestRuns.id, { onDelete: "cascade" }),
    /** The SDK's hashed step id (SHA-1 of the step name plus any index suffix). */
    id: text("id").notNull(),
    name: text("name").notNull(),
    op: text("op").notNull(),
    status: text("status", { enum: stepStatuses }).notNull(),
    /**
     * Memoized output (completed) — JSON null is a valid output, the status says whether it is set. json, not jsonb:
     * replayed to the function exactly as the SDK returned it (jsonb would reorder object keys between the first
     * execution and the replays).
     */
    data: json("data"),
    /** Memoized error (failed), or the last error of a step that is being retried. */
    error: json("error"),
    /** Failed attempts so far. */
    attempts: integer("attempts").notNull().default(0),
    /** Completion order within the run: the SDK replays memoized steps in this order. */
    seq: integer("seq"),
    /** Op details kept for visibility and timers: sleep target, invoked function, wait expression. */
    opts: jsonb("opts"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    endedAt: tstz("ended_at"),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.id] }),
    check(
      "inngest_steps_status_check",
      sql`${t.status} in ('planned', 'retrying', 'sleeping', 'invoking', 'waiting', 'completed', 'failed', 'cancelled')`,
    ),
    check("inngest_steps_attempts_check", sql`${t.attempts} >= 0`),
    index("inngest_steps_waiting_idx").on(t.op).where(sql`${t.status} = 'waiting'`),
  ],
);

/**
 * Work items and timers. An item is due at `available_at`; a worker claims it with FOR UPDATE SKIP LOCKED and holds
 * it with a lease (renewed while the call runs). A lease that expires — its process died — makes the item claimable
 * again, which is how a crashed run resumes.
 */
export const inngestQueue = pgTable(
  "inngest_queue",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => inngestRuns.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: queueKinds }).notNull(),
    /** Null for a discovery call; the hashed step id otherwise. */
    stepId: text("step_id"),
    /** Zero-based attempt number sent to the SDK (ctx.attempt). */
    attempt: integer("attempt").notNull().default(0),
    availableAt: tstz("available_at").notNull(),
    leaseUntil: tstz("lease_until"),
    leaseOwner: text("lease_owner"),
    concurrencyKeys: text("concurrency_keys").array().notNull().default(sql`'{}'::text[]`),
    concurrencyLimits: integer("concurrency_limits").array().notNull().default(sql`'{}'::integer[]`),
    /**
     * The full concurrency key this item waits on (null when not held back). A parked item is set aside until a slot
     * of that key frees (queue.ts wakeParked makes the oldest due again), with a far safety re-check for lost wakes.
     */
    parkedOn: text("parked_on"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [
    check("inngest_queue_kind_check", sql`${t.kind} in ('call', 'wake', 'timeout')`),
    check("inngest_queue_attempt_check", sql`${t.attempt} >= 0`),
    // One pending item per (run, kind, step): enqueueing is idempotent, a run never gets two discovery calls.
    uniqueIndex("inngest_queue_run_kind_step_key").on(t.runId, t.kind, sql`coalesce(${t.stepId}, '')`),
    // The claim reads due items in (available_at, id) order: with the id in the index a deep backlog of items due at
    // the same moment is read in order, not sorted on every claim.
    index("inngest_queue_available_id_idx").on(t.availableAt, t.id),
    index("inngest_queue_parked_idx").on(t.parkedOn, t.id).where(sql`${t.parkedOn} is not null`),
    index("inngest_queue_leased_idx").on(t.leaseUntil).where(sql`${t.leaseUntil} is not null`),
  ],
);

/**
 * Engine instances on a shared PostgreSQL and their last heartbeat (database time). An instance whose heartbeat is
 * several beats old is dead: the others release its leases at once instead of waiting for them to expire.
 */
export const inngestInstances = pgTable("inngest_instances", {
  id: text("id").primaryKey(),
  heartbeatAt: tstz("heartbeat_at").notNull(),
  startedAt: tstz("started_at").notNull(),
});

/** Every call the engine made to the app, for visibility (status, timings, errors) and for the attempt history. */
export const inngestAttempts = pgTable(
  "inngest_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => inngestRuns.id, { onDelete: "cascade" }),
    stepId: text("step_id"),
    attempt: integer("attempt").notNull(),
    /** What came back: complete, steps, step-error, step-failed, error, failed. */
    outcome: text("outcome").notNull(),
    httpStatus: integer("http_status"),
    error: jsonb("error"),
    startedAt: tstz("started_at").notNull(),
    endedAt: tstz("ended_at").notNull(),
  },
  (t) => [index("inngest_attempts_run_idx").on(t.runId, t.id)],
);

/** Cron triggers with their next due time; claimed with SKIP LOCKED so one instance fires each tick. */
export const inngestCrons = pgTable(
  "inngest_crons",
  {
    functionId: text("function_id").notNull(),
    cron: text("cron").notNull(),
    nextAt: tstz("next_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.functionId, t.cron] }), index("inngest_crons_next_idx").on(t.nextAt)],
);

/** Pending debounced events: the last event per (function, key) fires when the period passes without another. */
export const inngestDebounces = pgTable(
  "inngest_debounces",
  {
    functionId: text("function_id").notNull(),
    key: text("key").notNull(),
    event: jsonb("event").notNull(),
    eventId: text("event_id").notNull(),
    fireAt: tstz("fire_at").notNull(),
    /** From debounce.timeout: the latest time the run may be delayed to, however many events keep arriving. */
    deadline: tstz("deadline"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.functionId, t.key] }), index("inngest_debounces_fire_idx").on(t.fireAt)],
);

export type InngestRun = typeof inngestRuns.$inferSelect;
export type InngestStep = typeof inngestSteps.$inferSelect;
export type InngestAttempt = typeof inngestAttempts.$inferSelect;
export type InngestFunctionRow = typeof inngestFunctions.$inferSelect;
