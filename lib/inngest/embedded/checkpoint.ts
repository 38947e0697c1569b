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

/** A call of one worker that may checkpoint: opened before the call, closed when its answer is about to be recorded. */
interface OpenCall {
  /** Tells this call from a later call of the same item in this process (an expired lease reclaimed here). */
  nonce: number;
  runId: string;
  attempt: number;
  /** When the work behind the next checkpointed step began (the call's start, then the previous checkpoint). */
  since: Date;
  memoized: MemoEntry[];
  /** A step was already recorded when its checkpoint came (a re-sent checkpoint): reload the run's state. */
  reload: boolean;
  /** Set when the desk answered 409: the SDK stops and answers as if the function failed for good. */
  refused?: "stale" | "draining";
  /** An op the engine does not implement came in a checkpoint: the run fails, naming it. */
  unsupported?: string;
}

/** What a call's checkpointing left for recording its answer (execute.ts). */
export interface ClosedCall {
  /** The steps it memoized, in order: the state the answer is applied to has them. */
  memoized: MemoEntry[];
  /** The carried run state may lack a step: the next call reads it from the database. */
  reload: boolean;
  /**
   * The desk stopped the call with a 409 (its lease or run was gone, or the engine is stopping): its answer says
   * "failed for good" only because of that, so it must not be recorded; the item goes back to the queue.
   */
  refused?: "stale" | "draining";
  unsupported?: string;
}

/** One engine instance's side of checkpointing: its open calls and the database they record to. */
export class CheckpointDesk {
  private readonly open = new Map<number, OpenCall>();
  private nonces = 0;
  /** Stopping: a checkpoint is still recorded, then the call is told to stop (409) instead of starting another step. */
  private draining = false;
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
    const nonce = ++this.nonces;
    this.open.set(itemId, { nonce, runId, attempt, since: startedAt, memoized: [], reload: false });
    return `${itemId}:${nonce}:${this.owner}`;
  }

  /** Ends the call's checkpointing (only this call's: a later call of the same item keeps its own). */
  closeCall(queueItemId: string): ClosedCall {
    const [itemId, nonce] = queueItemId.split(":").map(Number);
    const call = this.open.get(itemId!);
    if (!call || call.nonce !== nonce) return { memoized: [], reload: true };
    this.open.delete(itemId!);
    return {
      memoized: call.memoized,
      reload: call.reload,
      ...(call.refused ? { refused: call.refused } : {}),
      ...(call.unsupported ? { unsupported: call.unsupported } : {}),
    };
  }

  drain(): void {
    this.draining = true;
  }

  async receive(itemId: number, nonce: number, runId: string, ops: OutgoingOp[]): Promise<CheckpointAnswer> {
    const call = this.open.get(itemId);
    if (!call || call.nonce !== nonce || call.runId !== runId)
      return { status: 409, message: "This call is no longer in progress" };
    const unsupported = ops.find((op) => op.op !== "StepRun" || typeof op.id !== "string");
    if (unsupported) {
      // defer() and the like: before checkpointing they failed the run loudly (apply.ts), and still do.
      call.unsupported = String(unsupported.op);
      call.refused = "stale";
      return { status: 409, message: `Step op "${String(unsupported.op)}" is not supported by the embedded engine` };
    }
    if (ops.length) {
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
      if (!recorded) {
        call.refused = "stale";
        return { status: 409, message: "The call's lease was lost or its run has ended" };
      }
      for (const op of recorded.fresh) call.memoized.push([op.id, "completed", op.data ?? null, null]);
      if (recorded.fresh.length < ops.length) call.reload = true;
      call.since = endedAt;
      for (const op of recorded.fresh)
        this.ctx.log("info", "inngest step completed", { runId, step: op.displayName || op.name || op.id });
    }
    if (this.draining) {
      call.refused = "draining";
      return { status: 409, message: "The engine is stopping: the run goes on from here in the next process" };
    }
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
async function recordCheckpoint(ctx: EngineContext, rec: CheckpointRecord): Promise<{ fresh: OutgoingOp[] } | null> {
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
        -- Locked, so that the lease is read as it is now, not as it was before the run's lock was waited for.
        select q.id from ${inngestQueue} q, run where q.id = ${rec.itemId} and q.lease_owner = ${rec.owner}
        for update of q
      ), incoming as (
        select * from rows from (json_to_recordset(${JSON.stringify(steps)}::json)
          as (id text, name text, data text, opts text)) with ordinality as x(id, name, data, opts, n)
      ), memo as (
        insert into ${inngestSteps} (run_id, id, name, op, status, data, attempts, seq, opts, created_at, ended_at)
        select ${rec.runId}, i.id, i.name, 'StepRun', 'completed', i.data::json, 0,
          (select coalesce(max(s.seq), 0) from ${inngestSteps} s where s.run_id = ${rec.runId}) + i.n,
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
  return { fresh: rec.ops.filter((op) => fresh.has(op.id)) };
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
  const match = typeof b.qi_id === "string" ? /^(\d+):(\d+):(.+)$/.exec(b.qi_id) : null;
  if (!match || b.run_id !== runIdInPath || !Array.isArray(b.steps))
    return { status: 400, message: "Not a checkpoint of a call made by this engine" };
  const desk = desks.get(match[3]!);
  if (!desk) return { status: 409, message: "The engine that made this call is not running in this process" };
  if (!sameSecret(authorization ?? "", `Bearer ${desk.hashedKey}`)) return { status: 401, message: "Unauthorized" };
  return desk.receive(Number(match[1]), Number(match[2]), runIdInPath, b.steps as OutgoingOp[]);
}
