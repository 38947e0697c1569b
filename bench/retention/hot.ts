import { sql } from "drizzle-orm";
import { receiveEvents } from "@/lib/inngest/embedded/intake";
import { claimItems } from "@/lib/inngest/embedded/queue";
import type { EngineDb } from "@/lib/inngest/embedded/sql";
import type { EngineContext } from "@/lib/inngest/embedded/types";

const OWNER = "engine-bench-hot";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface HotSamples {
  /** inngest.send() of one event: the intake's transaction (validation, insert, dispatch). */
  event: number[];
  /** One claim of up to 16 due items (FOR UPDATE SKIP LOCKED + leases), as a runner with 16 free workers. */
  claim: number[];
}

/**
 * The engine's hot queries, timed one after the other every `gapMs` until `done()`: an event received, then a claim.
 * The claimed items go back (not timed) so the queue keeps its depth, standing for done items and new ones.
 */
export async function sampleHot(
  ctx: EngineContext,
  { done, gapMs }: { done: () => boolean; gapMs: number },
): Promise<HotSamples> {
  const db: EngineDb = ctx.db;
  const samples: HotSamples = { event: [], claim: [] };
  for (let i = 0; !done(); i++) {
    let start = performance.now();
    await receiveEvents(ctx, [{ name: "bench/hot", data: { i } }]);
    samples.event.push(performance.now() - start);
    start = performance.now();
    await claimItems(db, { owner: OWNER, max: 16, leaseMs: 30_000, recheckMs: 5000 });
    samples.claim.push(performance.now() - start);
    await db.execute(
      sql`update inngest_queue set lease_until = null, lease_owner = null, available_at = now() - interval '1 minute' where lease_owner = ${OWNER}`,
    );
    await sleep(gapMs);
  }
  return samples;
}

/** Hot samples for a fixed time with nothing else running: the reference the purge is compared with. */
export function sampleFor(ctx: EngineContext, ms: number, gapMs: number): Promise<HotSamples> {
  const until = Date.now() + ms;
  return sampleHot(ctx, { done: () => Date.now() >= until, gapMs });
}
