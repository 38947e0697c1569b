import { Inngest, type ClientOptions } from "inngest";
import { embeddedFetch } from "./embedded/transport";
import { embeddedRuntime } from "./embedded/state";
import { EMBEDDED_BASE_URL, inngestMode } from "./mode";

export const APP_ID = "story-sprout";

/**
 * Embedded mode: the SDK runs in its signed ("cloud") mode with the engine's generated signing key, so the serve
 * endpoint accepts only calls signed by the engine; events go to the engine's in-process intake with its event
 * key. The keys are read through getters because the engine loads them from the database after this module is
 * evaluated. External mode: plain options, and the SDK reads INNGEST_* variables as usual.
 */
function clientOptions(): ClientOptions {
  if (inngestMode() !== "embedded") return { id: APP_ID };
  return {
    id: APP_ID,
    isDev: false,
    baseUrl: EMBEDDED_BASE_URL,
    fetch: embeddedFetch,
    get signingKey() {
      return embeddedRuntime().secrets?.signingKey;
    },
    get eventKey() {
      return embeddedRuntime().secrets?.eventKey;
    },
  };
}

export const inngest = new Inngest(clientOptions());
