import { inArray } from "drizzle-orm";
import { inngestSecrets } from "./schema";
import { randomEventKey, randomSigningKey } from "./signing";
import type { Executor } from "./sql";

export interface EngineKeys {
  /** Signs every call to the app's serve endpoint; the SDK runs in signed (cloud) mode with it. */
  signingKey: string;
  /** Required by the event intake: `inngest.send()` posts to `/e/<eventKey>`. */
  eventKey: string;
}

/**
 * Generated on first start and kept in the database (never in the repository): every app process on one
 * database shares them, so any instance can verify calls signed by any other. Insert-if-absent then read, so two
 * processes starting together agree on one pair.
 */
export async function ensureEngineSecrets(db: Executor): Promise<EngineKeys> {
  await db
    .insert(inngestSecrets)
    .values([
      { name: "signing_key", value: randomSigningKey() },
      { name: "event_key", value: randomEventKey() },
    ])
    .onConflictDoNothing();
  const rows = await db
    .select()
    .from(inngestSecrets)
    .where(inArray(inngestSecrets.name, ["signing_key", "event_key"]));
  const get = (name: string) => {
    const value = rows.find((r) => r.name === name)?.value;
    if (!value) throw new Error(`Embedded Inngest secret "${name}" is missing`);
    return value;
  };
  return { signingKey: get("signing_key"), eventKey: get("event_key") };
}
