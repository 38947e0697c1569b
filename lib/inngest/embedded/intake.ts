import { inArray, lte, sql } from "drizzle-orm";
import { inngestEvents, inngestIdempotency } from "./schema";
import { seededUlid, ulid } from "./ids";
import { dispatchEvent, dispatchEvents } from "./dispatch";
import { receiveOneEvent } from "./intake-one";
import type { EngineContext, EventPayload } from "./types";
import { WAKE_CHANNEL } from "./wake-channel";

/** Same event id within this window → the event is accepted but starts nothing (as in Inngest). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export class IntakeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "IntakeError";
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

interface Incoming {
  payload: EventPayload;
  externalId?: string;
}

function normalize(raw: unknown, seed: string | null | undefined, now: number): Incoming[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item, index) => {
    if (!isRecord(item)) throw new IntakeError(400, `Event ${index} is not an object`);
    const { name, data, id, ts, v, user } = item;
    if (typeof name !== "string" || !name.trim()) throw new IntakeError(400, `Event ${index} has no name`);
    if (name.startsWith("inngest/"))
      throw new IntakeError(400, `Event names starting with "inngest/" are reserved (${name})`);
    if (data !== undefined && data !== null && !isRecord(data))
      throw new IntakeError(400, `Event ${index}: data must be an object`);
    if (id !== undefined && id !== null && (typeof id !== "string" || !id))
      throw new IntakeError(400, `Event ${index}: id must be a string`);
    const payload: EventPayload = {
      name,
      data: (data as Record<string, unknown>) ?? {},
      id: seededUlid(seed, index) ?? ulid(now),
      ts: typeof ts === "number" && Number.isFinite(ts) ? ts : now,
      ...(typeof v === "string" ? { v } : {}),
      ...(isRecord(user) ? { user } : {}),
    };
    return { payload, ...(typeof id === "string" ? { externalId: id } : {}) };
  });
}

/**
 * Accepts events as `inngest.send()` posts them and returns their ids in order. In one transaction: drop events
 * whose own id was seen in the last 24 h, store the rest (a retried send carries the same id seed, so its derived
 * ids collide and nothing is stored twice), then dispatch each new event. A lone event that only starts runs takes
 * one statement instead (intake-one.ts).
 */
export async function receiveEvents(ctx: EngineContext, raw: unknown, seed?: string | null): Promise<string[]> {
  const now = new Date();
  const incoming = normalize(raw, seed, now.getTime());
  const ids = incoming.map((e) => e.payload.id);
  if (!incoming.length) return ids;
  if (incoming.length === 1) {
    const one = await receiveOneEvent(ctx, { ...incoming[0]!, idempotencyWindowMs: IDEMPOTENCY_WINDOW_MS }, now);
    if (one) {
      ctx.log("debug", "inngest events received", { count: 1, started: one.started });
      return [one.id];
    }
  }

  let started = 0;
  let woke = false;
  await ctx.db.transaction(async (tx) => {
    const duplicate = new Set<number>();
    const firstByKey = new Map<string, number>();
    incoming.forEach((e, i) => {
      if (!e.externalId) return;
      if (firstByKey.has(e.externalId)) duplicate.add(i);
      else firstByKey.set(e.externalId, i);
    });
    if (firstByKey.size) {
      const expiresAt = new Date(now.getTime() + IDEMPOTENCY_WINDOW_MS);
      const claimed = await tx
        .insert(inngestIdempotency)
        .values([...firstByKey].map(([key, i]) => ({ key, eventId: ids[i]!, expiresAt })))
        .onConflictDoUpdate({
          target: inngestIdempotency.key,
          set: { eventId: sql`excluded.event_id`, expiresAt: sql`excluded.expires_at` },
          setWhere: lte(inngestIdempotency.expiresAt, now),
        })
        .returning({ key: inngestIdempotency.key });
      const fresh = new Set(claimed.map((r) => r.key));
      const seen = [...firstByKey.keys()].filter((k) => !fresh.has(k));
      const earlier = seen.length
        ? await tx.select().from(inngestIdempotency).where(inArray(inngestIdempotency.key, seen))
        : [];
      for (const [key, i] of firstByKey) {
        if (fresh.has(key)) continue;
        duplicate.add(i);
        const prior = earlier.find((r) => r.key === key);
        if (prior) ids[i] = prior.eventId;
      }
      incoming.forEach((e, i) => {
        if (duplicate.has(i) && e.externalId && fresh.has(e.externalId)) ids[i] = ids[firstByKey.get(e.externalId)!]!;
      });
    }

    const toStore = incoming.filter((_, i) => !duplicate.has(i));
    if (!toStore.length) return;
    const stored = await tx
      .insert(inngestEvents)
      .values(
        toStore.map(({ payload, externalId }) => ({
          id: payload.id,
          name: payload.name,
          data: payload.data,
          externalId: externalId ?? null,
          ts: payload.ts,
          receivedAt: now,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: inngestEvents.id });
    const storedIds = new Set(stored.map((r) => r.id));
    const fresh = toStore.filter(({ payload }) => storedIds.has(payload.id)).map(({ payload }) => payload);
    if (ctx.dispatchEvent === dispatchEvent) started += await dispatchEvents(ctx, tx, fresh, now);
    else for (const payload of fresh) started += await ctx.dispatchEvent(ctx, tx, payload, now);
    // A stored event may have started, resumed (waitForEvent) or cancelled runs: wake the workers. Other app
    // processes on the same PostgreSQL are notified at commit.
    if (storedIds.size) {
      woke = true;
      await tx.execute(sql`select pg_notify(${WAKE_CHANNEL}, '')`);
    }
  });
  if (woke) ctx.wake();
  ctx.log("debug", "inngest events received", { count: incoming.length, started });
  return ids;
}
