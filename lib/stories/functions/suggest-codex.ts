import { createFanOutJob } from "@/lib/ai";
import { suggestCodex } from "../job-types/suggest-codex";

/** Suggest entries: the generic fan-out, with the codex batches planned by the domain. */
export const suggestCodexFunction = createFanOutJob(suggestCodex);
