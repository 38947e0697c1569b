import { createFanOutJob } from "@/lib/ai";
import { summarizeStoryPages } from "../job-types/summarize-pages";

/** Summarize all: the generic fan-out, with the pages' summary jobs planned by the domain. */
export const summarizeStoryPagesFunction = createFanOutJob(summarizeStoryPages);
