import { sql, type SQL } from "drizzle-orm";
import { dispatchEvent, triggers } from "./dispatch";
import { eventNameMatches, type FunctionDef } from "./function-config";
import { activeFunctions } from "./function-store";
import { ulid } from "./ids";
import { reserveLocalWorker, type ReservedWorker } from "./local-engines";
import type { Claimed } from "./queue";
import { concurrencyFor, RUN_IDEMPOTENCY_WINDOW_MS } from "./runs";
import {
  inngestEvents,
  inngestIdempotency,
  inngestQueue,
  inngestRunIdempotency,
  inngestRuns,
  inngestSteps,
} from "./schema";
import { rowsOf, type Tx } from "./sql";
import type { EngineContext, EventPayload } from "./types";
import { WAKE_CHANNEL } from "./wake-channel";

/**
 * The common event — one event, starting runs of functions that neither debounce it nor are cancelled by it — received
 * in one statement instead of receiveEvents' transaction of about nine round trips (begin, the id's idempotency claim,
 * the event, the waits it resolves, each run's idempotency claim, run and first call, the wake-up, commit). It is on
 * the path of every Generate, between the request and the model call.
 *
 * The statement writes nothing when a step.waitForEvent waits for an event of this name: resolving a wait locks its
 * run and memoizes the step, which is receiveEvents' work. Then it answers undefined and the caller takes that path,
 * as it does for batches, cancellations and debounces (decided before, from the registered functions).
 *
 * When the event starts one run and an engine of this process has a worker free, the statement may also lease the
 * run's first call to that worker (leaseOffer), which then gets it in memory instead of claiming it. With concurrency
 * keys that takes a transaction on a connection of its own — BEGIN, the keys' try-locks and the statement in one
 * write, then COMMIT — whether the call is leased or not.
 */
export interface OneEvent {
  payload: EventPayload;
  externalId?: string;
  /** The window in which the sender's id makes a second event a duplicate (intake.ts owns it). */
  idempotencyWindowMs: number;
}

export interface OneEventOutcome {
  /** The event's id: its own, or the earlier event's when its sender's id was seen in the window. */
  id: string;
  stored: boolean;
  started: number;
}

interface Planned {
  fn: FunctionDef;
  runId: string;
  keys: string[];
  limits: number[];
  /** The function's idempotency key for this event, JSON; undefined when it has none. */
  runKey?: string;
}

const textArray = (values: string[]): SQL =>
  values.length
    ? sql`array[${sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[]`
    : sql`'{}'::text[]`;

const intArray = (values: number[]): SQL =>
  values.length
    ? sql`array[${sql.join(
        values.map((v) => sql`${v}::int`),
        sql`, `,
      )}]::int[]`
    : sql`'{}'::int[]`;

/** The runs the event starts, or undefined when the event needs receiveEvents' general path. */
async function plan(ctx: EngineContext, event: EventPayload, now: Date): Promise<Planned[] | undefined> {
  // An embedder that dispatches events its own way gets exactly that.
  if (ctx.dispatchEvent !== dispatchEvent) return undefined;
  const functions = await activeFunctions(ctx.db, ctx.db);
  if (functions.some((fn) => fn.cancel.some((c) => eventNameMatches(c.event, event.name)))) return undefined;
  const started = functions.filter((fn) => triggers(fn, event));
  if (started.some((fn) => fn.debounce)) return undefined;
  return started.map((fn) => {
    const { keys, limits } = concurrencyFor(fn, event);
    const value = fn.idempotency?.value({ event });
    return {
      fn,
      runId: ulid(now.getTime()),
      keys,
      limits,
      ...(value !== undefined && value !== null ? { runKey: JSON.stringify(value) } : {}),
    };
  });
}

export async function receiveOneEvent(
  ctx: EngineContext,
  input: OneEvent,
  now: Date,
): Promise<OneEventOutcome | undefined> {
  const runs = await plan(ctx, input.payload, now);
  if (!runs) return undefined;
  // One run to start and a worker free here: its first call goes to that worker without a claim.
  const worker = runs.length === 1 ? reserveLocalWorker(ctx.db) : undefined;
  try {
    const outcome = await receive(ctx, input, runs, now, worker);
    if (outcome.handOver) worker?.launch(outcome.handOver);
    else worker?.release();
    return outcome.received;
  } catch (error) {
    worker?.release();
    throw error;
  }
}

/** Set for the transaction when tryLockKeys got every key's lock: the lease is offered only then. */
const KEYS_LOCKED = "inngest.intake_keys_locked";

/**
 * The keys' advisory locks (claimItems' locks), without waiting: a claim or another intake holding one means the
 * call goes to the queue instead. Waiting would line every Generate up behind each other's commits on a shared key
 * (a function-wide limit), a wait that many at once pay many times over. Never waiting also means no lock order.
 * The outcome is kept in a setting of the transaction, which the intake statement sent right behind reads: it begins
 * after this statement ends, so its snapshot is no older than the locks. An async function whose query starts at its
 * first and only await, so that it reaches the driver before the statement (see queue.ts lockKeys).
 */
async function tryLockKeys(tx: Tx, keys: string[]): Promise<void> {
  // Key by key in sorted order, stopping at the first taken (CASE evaluates only the branch it takes): a key whose
  // lock is busy leaves the keys after it alone — a function-wide key among them would otherwise stay locked by an
  // intake that leases nothing, until its commit, and claims would wait for it.
  const attempt = keys.reduceRight<SQL>(
    (rest, key) => sql`case when pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) then ${rest} else false end`,
    sql`true`,
  );
  await tx.execute(sql`select set_config(${KEYS_LOCKED}, (${attempt})::text, true)`);
}

/** The statement's view of a lease offered to a worker of this process. */
function leaseOffer(worker: ReservedWorker | undefined, run: Planned | undefined, now: Date): SQL {
  if (!worker || !run) return sql`select null::text as owner, null::timestamptz as until where false`;
  // Read now, not when the event arrived: what fell due meanwhile is due before this call.
  const at = sql`${new Date(Math.max(now.getTime(), Date.now())).toISOString()}::timestamptz`;
  const keys = textArray(run.keys);
  // Only when a claim would take this call at once anyway: nothing else is due, nothing waits on its keys (parked),
  // and each key has a free slot — counted after the keys' advisory locks are held (tryLockKeys, sent before this
  // statement), as claimItems counts them, so a limit holds across instances.
  const locked = run.keys.length ? sql`current_setting(${KEYS_LOCKED}, true) = 'true'` : sql`true`;
  return sql`select ${worker.owner}::text as owner, ${new Date(now.getTime() + worker.leaseMs).toISOString()}::timestamptz as until
    where ${locked} and not exists (
      select 1 from ${inngestQueue} where available_at <= ${at} and (lease_until is null or lease_until < ${at})
    )
    and not exists (select 1 from ${inngestQueue} where parked_on = any(${keys}))
    and not exists (
      select 1 from unnest(${keys}, ${intArray(run.limits)}) as kl(k, l)
      where (
        select count(*) from ${inngestQueue} q where q.lease_until >= ${at} and kl.k = any(q.concurrency_keys)
      ) >= kl.l
    )`;
}

async function receive(
  ctx: EngineContext,
  input: OneEvent,
  runs: Planned[],
  now: Date,
  worker: ReservedWorker | undefined,
): Promise<{ received: OneEventOutcome | undefined; handOver?: Claimed }> {
  const { payload, externalId } = input;
  const at = sql`${now.toISOString()}::timestamptz`;
  const offered = worker ? runs[0] : undefined;
  const ctes: SQL[] = [
    sql`lease as (${leaseOffer(worker, offered, now)})`,
    sql`guard as (
      select not exists (
        select 1 from ${inngestSteps} where status = 'waiting' and opts->>'event' = ${payload.name}
      ) as ok
    )`,
  ];
  if (externalId !== undefined) {
    const expiresAt = new Date(now.getTime() + input.idempotencyWindowMs).toISOString();
    ctes.push(sql`claimed as (
      insert into ${inngestIdempotency} (key, event_id, expires_at)
      select ${externalId}, ${payload.id}, ${expiresAt}::timestamptz from guard where ok
      on conflict (key) do update set event_id = excluded.event_id, expires_at = excluded.expires_at
        where ${inngestIdempotency}.expires_at <= ${at}
      returning key
    )`);
  }
  ctes.push(sql`stored as (
    insert into ${inngestEvents} (id, name, data, external_id, ts, received_at)
    select ${payload.id}, ${payload.name}, ${JSON.stringify(payload.data)}::jsonb, ${externalId ?? null},
      ${payload.ts}::bigint, ${at}
    from guard where ok ${externalId !== undefined ? sql`and exists (select 1 from claimed)` : sql``}
    on conflict do nothing
    returning id
  )`);
  const runExpiresAt = sql`${new Date(now.getTime() + RUN_IDEMPOTENCY_WINDOW_MS).toISOString()}::timestamptz`;
  runs.forEach((run, i) => {
    const idem = sql.raw(`run_key_${i}`);
    const created = sql.raw(`run_${i}`);
    const call = sql.raw(`call_${i}`);
    if (run.runKey !== undefined) {
      ctes.push(sql`${idem} as (
        insert into ${inngestRunIdempotency} (function_id, key, run_id, expires_at)
        select ${run.fn.id}, ${run.runKey}, ${run.runId}, ${runExpiresAt} from stored
        on conflict (function_id, key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
          where ${inngestRunIdempotency}.expires_at <= ${at}
        returning run_id
      )`);
    }
    // A run whose first call is leased starts now, as a claim would start it.
    const leased = run === offered ? sql`exists (select 1 from lease)` : sql`false`;
    ctes.push(sql`${created} as (
      insert into ${inngestRuns} (id, function_id, status, event, event_id, concurrency_keys, concurrency_limits,
        created_at, started_at)
      select ${run.runId}, ${run.fn.id}, case when ${leased} then 'running' else 'queued' end,
        ${JSON.stringify(payload)}::jsonb, ${payload.id}, ${textArray(run.keys)}, ${intArray(run.limits)}, ${at},
        case when ${leased} then ${at} end
      from ${run.runKey !== undefined ? idem : sql`stored`}
      returning id
    )`);
    ctes.push(sql`${call} as (
      insert into ${inngestQueue} (run_id, kind, step_id, attempt, available_at, concurrency_keys, concurrency_limits,
        lease_until, lease_owner)
      select id, 'call', null, 0, ${at}, ${textArray(run.keys)}, ${intArray(run.limits)},
        ${run === offered ? sql`(select until from lease), (select owner from lease)` : sql`null, null`}
      from ${created}
      on conflict do nothing
      returning id, lease_owner
    )`);
  });
  const startedColumns = runs.map((_, i) => sql`exists (select 1 from ${sql.raw(`run_${i}`)}) as ${sql.raw(`r${i}`)}`);
  const handedOver = offered ? sql`(select id from call_0 where lease_owner is not null)` : sql`null::bigint`;
  const statement = sql`
      with ${sql.join(ctes, sql`, `)}
      select (select ok from guard) as ok,
        exists (select 1 from stored) as stored,
        ${externalId !== undefined ? sql`exists (select 1 from claimed)` : sql`true`} as fresh,
        ${externalId !== undefined ? sql`(select event_id from ${inngestIdempotency} where key = ${externalId} and expires_at > ${at})` : sql`null`}
          as prior,
        ${handedOver}::text as handed_over,
        (select pg_notify(${WAKE_CHANNEL}, '') from stored where ${handedOver} is null)::text as notified
        ${startedColumns.length ? sql`, ${sql.join(startedColumns, sql`, `)}` : sql``}`;
  const keys = offered ? [...new Set(offered.keys)].sort() : [];
  const [row] = rowsOf<Record<string, unknown>>(
    keys.length
      ? await ctx.db.transaction(async (tx) => {
          // Sent together, the locks first: the statement counts the keys' slots once it holds them (queue.ts).
          const [, result] = await Promise.all([tryLockKeys(tx, keys), tx.execute(statement)]);
          return result;
        })
      : await ctx.db.execute(statement),
  );
  if (!row?.ok) return { received: undefined };
  const handedOverId = row.handed_over === null || row.handed_over === undefined ? undefined : Number(row.handed_over);

  let id = payload.id;
  if (!row.fresh && externalId !== undefined) {
    // The statement's snapshot misses an earlier event committed while it waited on the key: read it now.
    const prior =
      (row.prior as string | null) ??
      rowsOf<{ event_id: string }>(
        await ctx.db.execute(sql`select event_id from ${inngestIdempotency} where key = ${externalId}`),
      )[0]?.event_id;
    if (prior) id = prior;
  }
  let started = 0;
  runs.forEach((run, i) => {
    if (row[`r${i}`]) {
      started++;
      // A run handed over here is logged as started by its worker.
      if (run !== offered || handedOverId === undefined)
        ctx.log("debug", "inngest run queued", { runId: run.runId, functionId: run.fn.id, event: payload.name });
    } else if (row.stored) {
      ctx.log("info", "inngest run skipped: idempotency key already used", {
        functionId: run.fn.id,
        eventId: payload.id,
      });
    }
  });
  const received = { id, stored: Boolean(row.stored), started };
  if (offered && handedOverId !== undefined) {
    const handOver: Claimed = {
      id: handedOverId,
      runId: offered.runId,
      kind: "call",
      stepId: null,
      attempt: 0,
      startedRun: true,
      functionId: offered.fn.id,
      concurrencyKeys: offered.keys,
      concurrencyLimits: offered.limits,
      state: { functionId: offered.fn.id, event: payload, steps: [] },
    };
    return { received, handOver };
  }
  if (row.stored) ctx.wake();
  return { received };
}
