import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { inngestAttempts, inngestQueue, inngestRuns, inngestSteps } from "./schema";
import type { MemoEntry } from "./item";
import { sameSecret } from "./signing";
import { rowsOf } from "./sql";
import type { EngineContext, OutgoingOp } from "./types";

/**
 * The SDK's checkpointing, for calls the engine hands to the serve handler in its own process. A discovery call that
 * carries `ctx.fn_id` and `ctx.qi_id` lets the SDK run the function's steps one after the other in the same request:
 * after each step it POSTs the result to `/v1/checkpoint/<run>/async` and, once that answered 200, goes on with the
 * next step instead of answering and being called again. So a step costs one recorded row, not a call into the SDK
 * that replays the function with every memoized step re-sent. The call's reply ends with a `RunComplete` op (apply.ts)
 * or with whatever the run waits for (sleep, event, parallel group, retry), as before.
 *
 * Durability is unchanged: a step is acknowledged only once its row is committed, and a call that dies midway is
 * called again by the lease, with what was checkpointed memoized. Exactly-once recording holds through the lease: a
 * checkpoint for an item that is no longer leased to the worker that made the call is refused with 409, which the SDK
 * treats as a stale dispatch and stops.
 */

/** A call of one worker that may checkpoint: opened before the call, closed when the call's answer is recorded. */
interface OpenCall {
  runId: string;
  attempt: number;
  /** When the work behind the next checkpointed step began (the call's start, then the previous checkpoint). */
  since: Date;
  memoized: MemoEntry[];
}

/** One engine instance's side of checkpointing: its open calls and the database they record to. */
export class CheckpointDesk {
  private readonly open = new Map<number, OpenCall>();
  readonly hashedKey: string;

  constructor(
    readonly ctx: EngineContext,
    readonly owner: string,
    signingKey: string,
  ) {
    this.hashedKey = hashSigningKey(signingKey);
  }

  /** The `qi_id` the SDK echoes back with each checkpoint of this call. */
  openCall(itemId: number, runId: string, attempt: number, startedAt: Date): string {
    this.open.set(itemId, { runId, attempt, since: startedAt, memoized: [] });
    return `${itemId}:${this.owner}`;
  }

  /** Ends the call's checkpointing and returns the steps it memoized, in order (the worker's run state goes on). */
  closeCall(itemId: number): MemoEntry[] {
    const call = this.open.get(itemId);
    this.open.delete(itemId);
    return call?.memoized ?? [];
  }

  async receive(itemId: number, runId: string, ops: OutgoingOp[]): Promise<CheckpointAnswer> {
    const call = this.open.get(itemId);
    if (!call || call.runId !== runId) return { status: 409, message: "This call is no longer in progress" };
    if (!ops.length) return { status: 200 };
    for (const op of ops) {
      if (op.op !== "StepRun" || typeof op.id !== "string")
        return { status: 400, message: `Only StepRun ops are checkpointed, not ${String(op.op)}` };
    }
    const endedAt = new Date();
    const recorded = await recordCheckpoint(this.ctx, {
      itemId,
      owner: this.owner,
      runId,
      attempt: call.attempt,
      ops,
      startedAt: call.since,
      endedAt,
    });
    if (!recorded) return { status: 409, message: "The call's lease was lost or its run has ended" };
    // The call may have been closed (timed out) while the row was written; its state is then reloaded anyway.
    for (const op of recorded) call.memoized.push([op.id, "completed", op.data ?? null, null]);
    call.since = endedAt;
    for (const op of ops)
      this.ctx.log("info", "inngest step completed", { runId, step: op.displayName || op.name || op.id });
    return { status: 200 };
  }
}

export interface CheckpointAnswer {
  status: number;
  message?: string;
}

/** As the SDK hashes its signing key for API calls (`Authorization: Bearer <hash>`). */
function hashSigningKey(signingKey: string): string {
  const prefix = /^signkey-[\w]+-/.exec(signingKey)?.[0] ?? "";
  const key = signingKey.slice(prefix.length);
  return `${prefix}${crypto.createHash("sha256").update(Buffer.from(key, "hex")).digest("hex")}`;
}

interface CheckpointRecord {
  itemId: number;
  owner: string;
  runId: string;
  attempt: number;
  ops: OutgoingOp[];
  startedAt: Date;
  endedAt: Date;
}

/**
 * Memoizes checkpointed steps in one statement, only while the call's item is still leased to its worker and the run
 * is active (the run's lock orders it with everything else recorded for the run). Returns the ops that were new, or
 * null when the lease or the run is gone. A step already memoized (a checkpoint retried after its answer was lost) is
 * not written again.
 */
async function recordCheckpoint(ctx: EngineContext, rec: CheckpointRecord): Promise<OutgoingOp[] | null> {
  const steps = rec.ops.map((op) => ({
    id: op.id,
    name: op.displayName || op.name || op.id,
    data: JSON.stringify(op.data ?? null),
    opts: op.opts ? JSON.stringify(op.opts) : null,
  }));
  const rows = rowsOf<{ held: boolean; ids: string[] | null }>(
    await ctx.db.execute(sql`
      with run as (
        select id from ${inngestRuns} where id = ${rec.runId} and status in ('queued', 'running') for update
      ), held as (
        select q.id from ${inngestQueue} q, run where q.id = ${rec.itemId} and q.lease_owner = ${rec.owner}
      ), incoming as (
        select * from json_to_recordset(${JSON.stringify(steps)}::json)
          as x(id text, name text, data text, opts text)
      ), memo as (
        insert into ${inngestSteps} (run_id, id, name, op, status, data, attempts, seq, opts, created_at, ended_at)
        select ${rec.runId}, i.id, i.name, 'StepRun', 'completed', i.data::json, 0,
          (select coalesce(max(s.seq), 0) from ${inngestSteps} s where s.run_id = ${rec.runId})
            + row_number() over (),
          i.opts::jsonb, ${rec.startedAt.toISOString()}::timestamptz, ${rec.endedAt.toISOString()}::timestamptz
        from incoming i, held
        on conflict (run_id, id) do update
          set status = excluded.status, data = excluded.data, seq = excluded.seq, ended_at = excluded.ended_at
          where ${inngestSteps}.status not in ('completed', 'failed')
        returning id
      ), attempt as (
        insert into ${inngestAttempts} (run_id, step_id, attempt, outcome, http_status, error, started_at, ended_at)
        select ${rec.runId}, null, ${rec.attempt}, 'step-ran', null, null,
          ${rec.startedAt.toISOString()}::timestamptz, ${rec.endedAt.toISOString()}::timestamptz
        from held
      )
      select exists (select 1 from held) as held, (select array_agg(id) from memo) as ids`),
  );
  const row = rows[0];
  if (!row?.held) return null;
  const fresh = new Set(row.ids ?? []);
  return rec.ops.filter((op) => fresh.has(op.id));
}

/**
 * Engine instances of this process by lease owner. On globalThis because the client's fetch (which receives the
 * SDK's checkpoint requests) can run in another bundle's copy of this module than the workers (see process-engine.ts).
 */
const SLOT = Symbol.for("embedded-inngest-checkpoint-desks");
const global = globalThis as unknown as Record<symbol, Map<string, CheckpointDesk> | undefined>;
const desks: Map<string, CheckpointDesk> = global[SLOT] ?? new Map();
global[SLOT] = desks;

export function openDesk(desk: CheckpointDesk): void {
  desks.set(desk.owner, desk);
}

export function closeDesk(desk: CheckpointDesk): void {
  if (desks.get(desk.owner) === desk) desks.delete(desk.owner);
}

/** Answers `POST /v1/checkpoint/<run>/async` as sent by the SDK (api.js checkpointStepsAsync). */
export async function receiveCheckpoint(
  runIdInPath: string,
  authorization: string | null,
  body: unknown,
): Promise<CheckpointAnswer> {
  const b = (body ?? {}) as { run_id?: unknown; qi_id?: unknown; steps?: unknown };
  const match = typeof b.qi_id === "string" ? /^(\d+):(.+)$/.exec(b.qi_id) : null;
  if (!match || b.run_id !== runIdInPath || !Array.isArray(b.steps))
    return { status: 400, message: "Not a checkpoint of a call made by this engine" };
  const desk = desks.get(match[2]!);
  if (!desk) return { status: 409, message: "The engine that made this call is not running in this process" };
  if (!sameSecret(authorization ?? "", `Bearer ${desk.hashedKey}`)) return { status: 401, message: "Unauthorized" };
  return desk.receive(Number(match[1]), runIdInPath, b.steps as OutgoingOp[]);
}
