import { Inngest, type ClientOptions } from "inngest";
import { embeddedClientOptions } from "./embedded";
import { inngestMode } from "./mode";

const APP_ID = "story-sprout";

/**
 * Embedded mode: the engine's client options (signed mode with the engine's keys read lazily, events to its
 * in-process intake; see lib/inngest/embedded/process-engine.ts). External mode: plain options, and the SDK reads
 * INNGEST_* variables as usual.
 */
function clientOptions(): ClientOptions {
  if (inngestMode() !== "embedded") return { id: APP_ID };
  return embeddedClientOptions({ id: APP_ID });
}

export const inngest = new Inngest(clientOptions());
