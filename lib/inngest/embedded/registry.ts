import { and, eq, notInArray, sql } from "drizzle-orm";
import { inngestCrons, inngestFunctions } from "./schema";
import type { EngineContext } from "./types";
import { nextCronTime } from "./cron";
import { parseFunctionConfigs, type FunctionDef } from "./function-config";
import { invalidateFunctionCache } from "./function-store";
import { FUNCTIONS_CHANGED, WAKE_CHANNEL } from "./wake-channel";
import { canonicalBody, signBody } from "./signing";
import type { PostResponse } from "./http-post";
import { serveLocally, type LocalServeHandler } from "./local-serve";

export class SyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncError";
  }
}

/**
 * Registers the app's functions with an in-band sync: a signed PUT to the serve endpoint with
 * `x-inngest-sync-kind: in_band`, to which the SDK replies with its function configs (out-of-band sync would make
 * the SDK post to an Inngest API the engine does not serve). The configs are checked strictly (function-config.ts)
 * before anything is stored: an unsupported option fails the whole sync with a message naming it. With `localServe`
 * the same signed PUT is handed to the app's handler in this process instead of going over HTTP.
 */
export async function syncApp(
  ctx: EngineContext,
  serveUrl: string,
  signingKey: string,
  localServe?: LocalServeHandler,
): Promise<FunctionDef[]> {
  const text = canonicalBody({ url: serveUrl });
  const headers = {
    "content-type": "application/json",
    "x-inngest-sync-kind": "in_band",
    "x-inngest-signature": signBody(text, signingKey),
  };
  let res: PostResponse;
  try {
    if (localServe) {
      res = await serveLocally(localServe, serveUrl, { method: "PUT", headers, body: text }, 30_000);
    } else {
      const answer = await fetch(serveUrl, {
        method: "PUT",
        headers,
        body: text,
        signal: AbortSignal.timeout(30_000),
      });
      res = { status: answer.status, header: (name) => answer.headers.get(name), text: await answer.text() };
    }
  } catch (error) {
    throw new SyncError(`Cannot reach the app at ${serveUrl}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const body = res.text;
  if (res.status !== 200) throw new SyncError(`Sync rejected by ${serveUrl} (${res.status}): ${body.slice(0, 500)}`);
  if (res.header("x-inngest-sync-kind") !== "in_band") {
    throw new SyncError(`The app did not answer an in-band sync (is INNGEST_ALLOW_IN_BAND_SYNC=false set?)`);
  }
  const reply = JSON.parse(body) as { app_id?: string; functions?: unknown; sdk?: string };
  const appId = reply.app_id ?? "";
  const defs = parseFunctionConfigs(reply.functions, appId);
  // Re-syncs (development) usually find nothing new: store and log only when the configs changed.
  const fingerprint = JSON.stringify(defs.map((d) => d.config));
  if (lastSynced.get(ctx.db) === fingerprint) return defs;
  await storeFunctions(ctx, appId, defs);
  lastSynced.set(ctx.db, fingerprint);
  ctx.log("info", "inngest functions registered", { appId, count: defs.length, functions: defs.map((d) => d.id) });
  return defs;
}

const lastSynced = new WeakMap<object, string>();

/** Upserts the app's functions, deactivates the ones it no longer serves, and aligns the cron schedule. */
async function storeFunctions(ctx: EngineContext, appId: string, defs: FunctionDef[]): Promise<void> {
  const now = new Date();
  await ctx.db.transaction(async (tx) => {
    for (const def of defs) {
      const values = {
        appId,
        name: def.name,
        url: def.url,
        config: def.config,
        retries: def.retries,
        active: true,
        syncedAt: now,
      };
      await tx
        .insert(inngestFunctions)
        .values({ id: def.id, ...values })
        .onConflictDoUpdate({ target: inngestFunctions.id, set: values });
    }
    const ids = defs.map((d) => d.id);
    await tx
      .update(inngestFunctions)
      .set({ active: false })
      .where(and(eq(inngestFunctions.appId, appId), ids.length ? notInArray(inngestFunctions.id, ids) : sql`true`));

    const crons = defs.flatMap((d) => d.crons.map((cron) => ({ functionId: d.id, cron })));
    const existing = await tx.select().from(inngestCrons);
    for (const row of existing) {
      const belongsToApp = row.functionId.startsWith(`${appId}-`);
      if (belongsToApp && !crons.some((c) => c.functionId === row.functionId && c.cron === row.cron)) {
        await tx
          .delete(inngestCrons)
          .where(and(eq(inngestCrons.functionId, row.functionId), eq(inngestCrons.cron, row.cron)));
      }
    }
    for (const c of crons) {
      await tx
        .insert(inngestCrons)
        .values({ ...c, nextAt: nextCronTime(c.cron, now) })
        .onConflictDoNothing();
    }
    // Delivered at commit: the other instances drop their cached function lists now rather than when they expire.
    await tx.execute(sql`select pg_notify(${WAKE_CHANNEL}, ${FUNCTIONS_CHANGED})`);
  });
  invalidateFunctionCache(ctx.db);
}
